using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace IvtGen.Isa;

/// <summary>One bundle of the output: where it is, its template, and per slot the instruction and its source line.</summary>
public sealed class AssembledBundle
{
    public long Address { get; }
    public Template Template { get; }
    /// <summary>Per slot; for MLX slot 1 is unused (default) and slot 2 holds the X-unit instruction.</summary>
    public Instruction[] Slots { get; }
    /// <summary>Per slot, the 1-based source line (0 for an assembler-filled nop).</summary>
    public int[] Lines { get; }
    public Bundle Bits { get; internal set; }
    /// <summary>Per slot, the symbol a branch target or immediate of that instruction names (null when none): what a linker would relocate.</summary>
    public string?[] Symbols { get; } = new string?[3];

    public AssembledBundle(long address, Template template, Instruction[] slots, int[] lines)
    {
        Address = address;
        Template = template;
        Slots = slots;
        Lines = lines;
    }
}

public sealed class AssemblyResult
{
    // The code may be the first part of a larger buffer (a long source is linked into one sized before its length
    // is known): Code copies it out once, on first use; CodeSpan never does.
    private readonly byte[] _buffer;
    private readonly int _length;
    private byte[]? _code;

    /// <summary>The raw bytes of .text (bundles and .org padding).</summary>
    public byte[] Code => _code ??= _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The same bytes as <see cref="Code"/>, without copying them anywhere.</summary>
    public ReadOnlySpan<byte> CodeSpan => _buffer.AsSpan(0, _length);
    public IReadOnlyList<AssembledBundle> Bundles { get; }
    public IReadOnlyDictionary<string, long> Labels { get; }
    public IReadOnlyList<AsmDiagnostic> Diagnostics { get; }
    public bool HasErrors => Diagnostics.Any(d => d.Severity == AsmSeverity.Error);

    public AssemblyResult(byte[] code, IReadOnlyList<AssembledBundle> bundles, IReadOnlyDictionary<string, long> labels, IReadOnlyList<AsmDiagnostic> diagnostics)
        : this(code, code.Length, bundles, labels, diagnostics)
    {
    }

    internal AssemblyResult(byte[] buffer, int length, IReadOnlyList<AssembledBundle> bundles, IReadOnlyDictionary<string, long> labels, IReadOnlyList<AsmDiagnostic> diagnostics)
    {
        _buffer = buffer;
        _length = length;
        Bundles = bundles;
        Labels = labels;
        Diagnostics = diagnostics;
    }
}

/// <summary>A read-only list made on first use, once, even when first used from several threads.</summary>
internal sealed class LazyList<T> : IReadOnlyList<T>
{
    private readonly Lazy<List<T>> _items;

    public LazyList(Func<List<T>> make) => _items = new Lazy<List<T>>(make);

    public T this[int index] => _items.Value[index];
    public int Count => _items.Value.Count;
    public IEnumerator<T> GetEnumerator() => _items.Value.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
