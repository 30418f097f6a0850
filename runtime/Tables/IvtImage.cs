using System;
using System.Collections.Generic;

namespace IvtGen.Tables;

/// <summary>One IVT entry of an image: where it is, which handler serves it, how many of its bundles are used.</summary>
public sealed class IvtVectorInfo
{
    public IvtVectorInfo(int index, int offset, string name, string handler, int bundlesUsed, int capacity,
        int paravirtSites = 0, string[]? clobbers = null)
    {
        ParavirtSites = paravirtSites;
        Clobbers = clobbers ?? Array.Empty<string>();
        Index = index;
        Offset = offset;
        Name = name;
        Handler = handler;
        BundlesUsed = bundlesUsed;
        Capacity = capacity;
    }

    public int Index { get; }
    public int Offset { get; }
    public string Name { get; }
    /// <summary>The handler method, or "" for an empty entry.</summary>
    public string Handler { get; }
    public int BundlesUsed { get; }
    public int Capacity { get; }
    /// <summary>Paravirtualized operations in the handler.</summary>
    public int ParavirtSites { get; }
    /// <summary>Registers the variant's paravirtualized operations clobber in the handler.</summary>
    public IReadOnlyList<string> Clobbers { get; }
}

/// <summary>A symbol of an image (the table, a vector handler, a routine) at its address (image linked at 0).</summary>
public sealed class IvtSymbol
{
    public IvtSymbol(string name, long address)
    {
        Name = name;
        Address = address;
    }

    public string Name { get; }
    public long Address { get; }
}

/// <summary>A reference a linker adjusts when the image moves: bundle offset, slot, ELF relocation kind and symbol.</summary>
public sealed class IvtRelocation
{
    public IvtRelocation(long offset, int slot, string kind, string symbol)
    {
        Offset = offset;
        Slot = slot;
        Kind = kind;
        Symbol = symbol;
    }

    public long Offset { get; }
    public int Slot { get; }
    public string Kind { get; }
    public string Symbol { get; }
}

/// <summary>
/// One variant of a generated table: the 32 KiB IVT followed by the table's out-of-line code, linked at address 0,
/// with its digest, vector map, symbols, relocations and a GNU as listing that assembles to exactly these bytes.
/// </summary>
public sealed class IvtImage
{
    public const int TableSize = 0x8000;

    private readonly byte[] _bytes;

    public IvtImage(string table, string variant, byte[] bytes, string sha256, IReadOnlyList<IvtVectorInfo> vectors,
        IReadOnlyList<IvtSymbol> symbols, IReadOnlyList<IvtRelocation> relocations, string listing)
    {
        Table = table;
        Variant = variant;
        _bytes = bytes;
        Sha256 = sha256;
        Vectors = vectors;
        Symbols = symbols;
        Relocations = relocations;
        Listing = listing;
    }

    public string Table { get; }
    /// <summary>"native", "xen-alta", "xen-altb".</summary>
    public string Variant { get; }
    /// <summary>The whole image: IVT then out-of-line code.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;
    /// <summary>The 32 KiB interruption vector table.</summary>
    public ReadOnlySpan<byte> Ivt => new ReadOnlySpan<byte>(_bytes, 0, Math.Min(TableSize, _bytes.Length));
    /// <summary>The out-of-line code after the IVT (routines, stubs).</summary>
    public ReadOnlySpan<byte> OutOfLine => _bytes.Length > TableSize ? new ReadOnlySpan<byte>(_bytes, TableSize, _bytes.Length - TableSize) : default;
    /// <summary>SHA-256 of <see cref="Bytes"/>, lower-case hex, as the generator recorded it.</summary>
    public string Sha256 { get; }
    public IReadOnlyList<IvtVectorInfo> Vectors { get; }
    public IReadOnlyList<IvtSymbol> Symbols { get; }
    public IReadOnlyList<IvtRelocation> Relocations { get; }
    public string Listing { get; }
}

/// <summary>The images generated for one [IvtTable] class, one per variant.</summary>
public sealed class IvtTableSet
{
    public IvtTableSet(string name, IReadOnlyList<IvtImage> images)
    {
        Name = name;
        Images = images;
    }

    public string Name { get; }
    public IReadOnlyList<IvtImage> Images { get; }

    /// <summary>The image of <paramref name="variant"/>, or null when it was not generated.</summary>
    public IvtImage? this[string variant]
    {
        get
        {
            foreach (var i in Images) if (i.Variant == variant) return i;
            return null;
        }
    }
}
