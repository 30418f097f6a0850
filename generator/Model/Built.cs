namespace IvtGen.Generator.Model;

/// <summary>One IVT entry of an image: where it is, what serves it and how full it is.</summary>
public sealed record VectorInfo(int Index, int Offset, string Name, string Handler, int Used, int Capacity)
{
    /// <summary>Paravirtualized operations in the handler.</summary>
    public int ParavirtSites { get; init; }
    /// <summary>Registers this variant's paravirtualized operations clobber in the handler, sorted.</summary>
    public EquatableArray<string> Clobbers { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>A symbol of an image: vector handlers, routines, labels the table exports.</summary>
public sealed record SymbolInfo(string Name, long Address);

/// <summary>A reference to an external symbol left for the linker: the bundle, slot and kind of field to patch.</summary>
public sealed record RelocationInfo(long Offset, int Slot, string Kind, string Symbol);

/// <summary>One variant of a table: the 32 KiB IVT followed by the out-of-line code, linked at address 0.</summary>
public sealed record ImageSpec(
    string Variant,
    EquatableArray<byte> Bytes,
    string Sha256,
    string Listing,
    EquatableArray<VectorInfo> Vectors,
    EquatableArray<SymbolInfo> Symbols,
    EquatableArray<RelocationInfo> Relocations);

/// <summary>The lowering's output for a table: its images and the diagnostics lowering found (by statement).</summary>
public sealed record BuiltTable(TableSpec Table, EquatableArray<ImageSpec> Images, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public string Key => Table.Key;
}
