using System;

namespace IvtGen.Generator.Model;

// The cached model of a table: strings and numbers only, no symbols, syntax nodes or locations, so that an
// edit which does not change what a table means (whitespace, comments, an unrelated method) changes nothing
// downstream. Source locations live beside it, in ParseResult.Locations, for the diagnostics output only.

/// <summary>What a statement of a handler is.</summary>
public enum StatementKind : byte
{
    /// <summary>An instruction; Text is its GNU as spelling (<c>(p6) ld8 r16=[r17]</c>).</summary>
    Instruction,
    /// <summary>A stop <c>;;</c>.</summary>
    Stop,
    /// <summary>A label; Text is its assembly name.</summary>
    Label,
    /// <summary>Start of an explicit bundle; Text is the template (<c>.mii</c>).</summary>
    BundleStart,
    BundleEnd,
    /// <summary>A paravirtualized operation; Text is its catalogue name, Operands its operands as GNU text. Each variant lowers it.</summary>
    Paravirt,
}

public sealed record StatementSpec(StatementKind Kind, string Text)
{
    public EquatableArray<string> Operands { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>A handler (Offset ≥ 0, a vector) or an out-of-line routine (Offset −1) with its statements.</summary>
public sealed record HandlerSpec(string Name, string Symbol, int Offset, EquatableArray<StatementSpec> Statements);

/// <summary>An external symbol handlers branch to; Address when the attribute gives one.</summary>
public sealed record ExternSpec(string Name, long? Address);

/// <summary>One IVT table class: where the generated code goes and what it holds.</summary>
public sealed record TableSpec(
    string Namespace,
    string ClassName,
    string Accessibility,
    string TableName,
    EquatableArray<HandlerSpec> Handlers,
    EquatableArray<ExternSpec> Externs)
{
    /// <summary>A key unique per class, also the hint name of its generated file.</summary>
    public string Key => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}

/// <summary>A source location as plain values (file, span, line/column span), for reporting only.</summary>
public sealed record LocationInfo(string Path, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn);

/// <summary>
/// A diagnostic as data: descriptor id and message arguments; the location either given directly or as a
/// reference to a statement (handler index, statement index, operand index or −1) resolved through ParseResult.Locations.
/// </summary>
public sealed record DiagnosticInfo(string Id, EquatableArray<string> Args, LocationInfo? Location, int Handler = -1, int Statement = -1)
{
    public static DiagnosticInfo At(string id, LocationInfo? location, params string[] args) => new(id, new EquatableArray<string>(args), location);
    public static DiagnosticInfo AtStatement(string id, int handler, int statement, params string[] args) => new(id, new EquatableArray<string>(args), null, handler, statement);
}

/// <summary>Locations of one handler: the method name, and per statement the statement itself.</summary>
public sealed record HandlerLocations(LocationInfo Method, EquatableArray<LocationInfo> Statements);

/// <summary>The parse step's output: the cached model, its locations and the parse diagnostics.</summary>
public sealed record ParseResult(TableSpec? Spec, string Key, EquatableArray<HandlerLocations> Locations, EquatableArray<DiagnosticInfo> Diagnostics);
