using System;
using System.Collections.Generic;
using System.Linq;

namespace IvtGen.Isa;

/// <summary>
/// An instruction of the source as matched to a form. Instructions live in one table of structs and their
/// operand values in one shared array (<see cref="ParsedSource"/>), so a long source costs no object per
/// instruction; the rare extras (pending operands, alternatives) live beside the table. The struct holds no
/// reference (the form is its id), so the GC never needs to look inside the table, nor clear it.
/// </summary>
public struct SourceInstruction
{
    private static readonly Form[] s_forms = InstructionTable.Forms.ToArray();

    /// <summary>The <see cref="Form.Id"/> of the form.</summary>
    public int FormId;
    /// <summary>Where the operand values (one per operand of <see cref="Form"/>) start in <see cref="ParsedSource.Values"/>.</summary>
    public int ValueIndex;
    public int Line;
    public int Column;
    /// <summary>Index of the instruction's extras in the source (<see cref="ParsedSource.PendingOf"/>, alternatives); −1 for none.</summary>
    public int Extra;
    /// <summary>The qualifying predicate (p0–p63).</summary>
    public byte Qp;
    /// <summary>Bit per <see cref="Unit"/> the instruction may execute on (several for unit-less spellings such as nop).</summary>
    public byte UnitMask;
    /// <summary>Set by a following ';;'.</summary>
    public bool StopAfter;

    public Form Form
    {
        readonly get => s_forms[FormId];
        set => FormId = value.Id;
    }
}

/// <summary>
/// What <see cref="SourceParser"/> reads from a source: the statements in order, the instructions they refer to,
/// the operand values of those instructions, and the absolute symbols (.set, <c>name = value</c>).
/// </summary>
public sealed class ParsedSource
{
    /// <summary>What few instructions have: operands to evaluate after layout, and matches on other units.</summary>
    private sealed class Extras
    {
        public PendingOperand[]? Pending;
        public MatchedInstruction[]? Alternatives;
    }

    private SourceInstruction[] _instructions;
    private long[] _values;
    private readonly List<Extras> _extras = new();

    /// <param name="expectedInstructions">A guess at the instruction count, to size the tables once.</param>
    public ParsedSource(int expectedInstructions = 64)
    {
        _instructions = Arrays.Uninitialized<SourceInstruction>(Math.Max(expectedInstructions, 16));
        _values = Arrays.Uninitialized<long>(3 * _instructions.Length);
    }

    public List<SourceItem> Items { get; } = new();
    public int InstructionCount { get; private set; }
    public int ValueCount { get; private set; }
    public Span<SourceInstruction> Instructions => _instructions.AsSpan(0, InstructionCount);
    public Span<long> Values => _values.AsSpan(0, ValueCount);
    public IReadOnlyDictionary<string, long> AbsoluteSymbols { get; internal set; } = new Dictionary<string, long>();

    public ref SourceInstruction Instruction(int i) => ref _instructions[i];

    /// <summary>The operand values of instruction <paramref name="i"/>.</summary>
    public Span<long> ValuesOf(int i) => _values.AsSpan(_instructions[i].ValueIndex, _instructions[i].Form.Operands.Length);

    /// <summary>The operands of instruction <paramref name="i"/> to evaluate after layout (branch targets, forward symbols); null when all are known.</summary>
    public PendingOperand[]? PendingOf(int i) => _instructions[i].Extra < 0 ? null : _extras[_instructions[i].Extra].Pending;

    /// <summary>Room for <paramref name="count"/> more values at <see cref="ValueCount"/>; nothing is committed yet.</summary>
    internal Span<long> ReserveValues(int count)
    {
        if (ValueCount + count > _values.Length) Arrays.Grow(ref _values, Math.Max(_values.Length * 2, ValueCount + count));
        return _values.AsSpan(ValueCount, count);
    }

    /// <summary>Appends an instruction whose values were written into the last <see cref="ReserveValues"/>.</summary>
    internal int Add(Form form, int qp, int line, int column, PendingOperand[]? pending, MatchedInstruction[]? alternatives)
    {
        if (InstructionCount == _instructions.Length) Arrays.Grow(ref _instructions, InstructionCount * 2);
        int units = Bundler.MaskOf(form.Unit);
        int extra = -1;
        if (pending is not null || alternatives is not null)
        {
            extra = _extras.Count;
            _extras.Add(new Extras { Pending = pending, Alternatives = alternatives });
            if (alternatives is not null)
                foreach (var a in alternatives) units |= Bundler.MaskOf(a.Form.Unit);
        }
        _instructions[InstructionCount] = new SourceInstruction
        {
            FormId = form.Id, ValueIndex = ValueCount, Line = line, Column = column, Extra = extra, Qp = (byte)qp, UnitMask = (byte)units,
        };
        ValueCount += form.Operands.Length;
        return InstructionCount++;
    }

    /// <summary>Switches instruction <paramref name="i"/> to the match whose unit fits a slot of <paramref name="kind"/> (no change when the current one fits).</summary>
    public void ChooseFor(int i, SlotKind kind)
    {
        ref var ins = ref _instructions[i];
        if (ins.Form.Unit.FitsIn(kind) || ins.Extra < 0 || _extras[ins.Extra].Alternatives is not { } alternatives) return;
        foreach (var a in alternatives)
            if (a.Form.Unit.FitsIn(kind))
            {
                // The same written operands: as many values, so they take the same place.
                ins.Form = a.Form;
                ins.Qp = (byte)a.Qp;
                _extras[ins.Extra].Pending = a.Pending.Length == 0 ? null : a.Pending;
                a.Values.AsSpan().CopyTo(_values.AsSpan(ins.ValueIndex, a.Values.Length));
                int units = Bundler.MaskOf(a.Form.Unit);
                foreach (var b in alternatives) units |= Bundler.MaskOf(b.Form.Unit);
                ins.UnitMask = (byte)units;
                return;
            }
    }
}

/// <summary>A statement of an assembly source other than an instruction, in order, with its 1-based line and column.</summary>
public abstract class SourceItem
{
    public int Line { get; init; }
    public int Column { get; init; }
}

public sealed class LabelItem : SourceItem
{
    public string Name { get; init; } = "";
}

/// <summary>Consecutive instructions outside braces: <see cref="Count"/> entries of the instruction table from <see cref="First"/>.</summary>
public sealed class InstructionsItem : SourceItem
{
    public int First { get; init; }
    public int Count { get; internal set; }
}

/// <summary>A stop ';;' with no instruction before it on the same line (attached to the previous instruction later).</summary>
public sealed class StopItem : SourceItem { }

/// <summary>An explicit bundle <c>{ .mii … }</c>; Template null when the braces named none.</summary>
public sealed class BundleItem : SourceItem
{
    public string? TemplateName { get; init; }
    /// <summary>An instruction inside failed to parse (already reported): the bundle keeps its place but is not checked.</summary>
    public bool Broken { get; set; }
    /// <summary>The instructions inside: <see cref="Count"/> entries of the instruction table from <see cref="First"/>.</summary>
    public int First { get; init; }
    public int Count { get; internal set; }
}

public enum DirectiveKind : byte
{
    Align,
    Org,
    Explicit,
    Auto,
    Set,
    Global,
}

public sealed class DirectiveItem : SourceItem
{
    public DirectiveKind Kind { get; init; }
    public string? Name { get; init; }
    public Expr? Value { get; init; }
}

/// <summary>
/// Large tables whose every element is written before it is read. On .NET they are allocated without being cleared
/// first: the GC then never touches the part a source does not use (which, for a fresh process, is never even paged in).
/// </summary>
internal static class Arrays
{
    public static T[] Uninitialized<T>(int length) where T : unmanaged =>
#if NET
        GC.AllocateUninitializedArray<T>(length);
#else
        new T[length];
#endif

    public static void Grow<T>(ref T[] array, int length) where T : unmanaged
    {
        var bigger = Uninitialized<T>(length);
        array.AsSpan().CopyTo(bigger);
        array = bigger;
    }
}
