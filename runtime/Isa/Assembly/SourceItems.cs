using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IvtGen.Isa;

/// <summary>
/// An instruction of the source as matched to a form: 16 bytes in one table of structs, its operand values in
/// one shared array (<see cref="ParsedSource"/>), so a long source costs no object per instruction; the rare
/// extras (pending operands, alternatives) live beside the table. No reference inside (the form is its id), so
/// the GC never looks into the table nor needs to clear it.
/// </summary>
public struct SourceInstruction
{
    private static readonly Form[] s_forms = InstructionTable.Forms.ToArray();
    /// <summary>Per form id, its <see cref="Placement"/> flags: read for every instruction recorded, so not worked out each time.</summary>
    private static readonly byte[] s_placement = Array.ConvertAll(s_forms, Placement);

    private ushort _form;
    private ushort _column;
    /// <summary>The qualifying predicate (p0–p63).</summary>
    public byte Qp;
    /// <summary>Bit per <see cref="Unit"/> the instruction may execute on (several for unit-less spellings such as nop).</summary>
    public byte UnitMask;
    private byte _flags;
    /// <summary>How many operands (and so values) the form has.</summary>
    internal byte OperandCount;
    public int Line;
    /// <summary>Where the operand values (one per operand of <see cref="Form"/>) start in the source's value table.</summary>
    internal int ValueIndex;

    private const byte Stop = 1, HasExtras = 2, MustEndBundle = 4, MustEndGroup = 8, MustStartGroup = 16;
    private const byte PlacementFlags = MustEndBundle | MustEndGroup | MustStartGroup;

    /// <summary>The slot and group rules of a form, as flag bits (the bundler looks at every instruction).</summary>
    private static byte Placement(Form f) => (byte)((f.Has(InsnFlags.LastInBundle) ? MustEndBundle : 0)
        | (f.Has(InsnFlags.LastInGroup) ? MustEndGroup : 0) | (f.Has(InsnFlags.FirstInGroup) ? MustStartGroup : 0));
    /// <summary>A column that does not fit 16 bits is kept with the extras.</summary>
    internal const ushort WideColumn = ushort.MaxValue;

    public Form Form
    {
        readonly get => s_forms[_form];
        set
        {
            _form = checked((ushort)value.Id);
            _flags = (byte)(_flags & ~PlacementFlags | Placement(value));
        }
    }

    /// <summary>The id of <see cref="Form"/>, without reading the form (the group checks look forms up by id).</summary>
    internal readonly int FormId => _form;

    /// <summary>Set by a following ';;'.</summary>
    public bool StopAfter
    {
        readonly get => (_flags & Stop) != 0;
        set => _flags = (byte)(value ? _flags | Stop : _flags & ~Stop);
    }

    internal readonly bool HasExtra => (_flags & HasExtras) != 0;

    /// <summary>The form has <see cref="InsnFlags.LastInBundle"/> (kept here for the bundler, which looks at every instruction).</summary>
    internal readonly bool LastInBundle => (_flags & MustEndBundle) != 0;

    /// <summary>The form must end its instruction group (itc, rfi, bsw…): the stop comes right after its slot.</summary>
    internal readonly bool LastInGroup => (_flags & MustEndGroup) != 0;

    /// <summary>The form must start its instruction group (alloc, flushrs, loadrs): the stop comes right before its slot.</summary>
    internal readonly bool FirstInGroup => (_flags & MustStartGroup) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal SourceInstruction(Form form, int qp, int units, int line, int column, int valueIndex, bool extra)
    {
        int id = form.Id;
        _form = (ushort)id; // the table has fewer than 65,536 forms (InstructionTable's ids are indices)
        Qp = (byte)qp;
        UnitMask = (byte)units;
        Line = line;
        _column = column < WideColumn ? (ushort)column : WideColumn;
        ValueIndex = valueIndex;
        _flags = (byte)((extra ? HasExtras : 0) | s_placement[id]);
        OperandCount = (byte)form.Operands.Length;
    }

    internal readonly ushort PackedColumn => _column;

    /// <summary>
    /// An instruction of <paramref name="form"/> before it is placed in a source: its form, units, placement flags and
    /// operand count, worked out once (the fast path keeps one per form it matches) for <see cref="Placed"/>.
    /// </summary>
    internal static SourceInstruction Template(Form form) => new(form, 0, Bundler.MaskOf(form.Unit), 0, 0, 0, extra: false);

    /// <summary>
    /// This template at its place, with no extras: <paramref name="column"/> is below <see cref="WideColumn"/>, and no
    /// operand waits for layout or other units.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly SourceInstruction Placed(int qp, int line, int column, int valueIndex, bool stop)
    {
        var ins = this;
        ins.Qp = (byte)qp;
        ins.Line = line;
        ins._column = (ushort)column;
        ins.ValueIndex = valueIndex;
        if (stop) ins._flags |= Stop;
        return ins;
    }
}

/// <summary>
/// What <see cref="SourceParser"/> reads from a source: the statements in order, the instructions they refer to,
/// the operand values of those instructions, and the absolute symbols (.set, <c>name = value</c>).
/// </summary>
public sealed class ParsedSource
{
    /// <summary>What few instructions have: operands to evaluate after layout, matches on other units, a column past 65534.</summary>
    private sealed class Extras
    {
        public PendingOperand[]? Pending;
        public MatchedInstruction[]? Alternatives;
        public int Column;
    }

    /// <summary>The most operands a form has, and so the room a caller needs for <see cref="ValuesOf"/>.</summary>
    public const int MaxOperands = 8;

    private SourceInstruction[] _instructions;
    // Operand values are stored as ints, 4 bytes where 8 would be mostly zeros (registers, small immediates); one
    // that does not fit (a movl constant, say) is stored as Wide and kept in _wide by its place.
    private int[] _values;
    private int _valueCount;
    private readonly Dictionary<int, long> _wide = new();
    private const int Wide = int.MinValue;
    private readonly Dictionary<int, Extras> _extras;

    /// <param name="expectedInstructions">A guess at the instruction count, to size the tables once.</param>
    public ParsedSource(int expectedInstructions = 64)
    {
        _instructions = Arrays.Rent<SourceInstruction>(Math.Max(expectedInstructions, 16));
        // Branches and other operands evaluated after layout: a few percent of a long listing's instructions. Sized
        // once, rather than grown through a dozen copies.
        _extras = new Dictionary<int, Extras>(expectedInstructions / 32);
        _values = Arrays.Rent<int>(3 * _instructions.Length);
    }

    public List<SourceItem> Items { get; } = new();
    public int InstructionCount { get; private set; }

    // The ar.unat bit (offset bits 8:3) a .mem.offset note gives the instruction after it, by index: GNU as's hint
    // for its checks of spills and fills. Rare, so kept apart (null until the first).
    private Dictionary<int, int>? _unatBits;

    /// <summary>Notes that the next instruction added spills to or fills from <paramref name="offset"/> (.mem.offset).</summary>
    internal void NoteMemOffset(long offset) => (_unatBits ??= new())[InstructionCount] = (int)((offset >> 3) & 63);

    /// <summary>The ar.unat bit a .mem.offset note gives instruction <paramref name="i"/>; <see cref="DependencyChecker.NoUnatBit"/> without one.</summary>
    internal int UnatBitOf(int i) => _unatBits is { } bits && bits.TryGetValue(i, out int bit) ? bit : DependencyChecker.NoUnatBit;

    /// <summary>How many instructions the table holds before it must grow.</summary>
    internal int Capacity => _instructions.Length;
    public Span<SourceInstruction> Instructions => _instructions.AsSpan(0, InstructionCount);
    public IReadOnlyDictionary<string, long> AbsoluteSymbols { get; internal set; } = new Dictionary<string, long>();

    public ref SourceInstruction Instruction(int i) => ref _instructions[i];

    /// <summary>The column of instruction <paramref name="i"/>.</summary>
    public int ColumnOf(int i) =>
        _instructions[i].PackedColumn == SourceInstruction.WideColumn ? _extras[i].Column : _instructions[i].PackedColumn;

    /// <summary>The operand values of instruction <paramref name="i"/>, copied into <paramref name="buffer"/> (room for <see cref="MaxOperands"/>).</summary>
    public Span<long> ValuesOf(int i, Span<long> buffer)
    {
        ref var ins = ref _instructions[i];
        var values = buffer.Slice(0, ins.OperandCount);
        var stored = _values.AsSpan(ins.ValueIndex, values.Length);
        for (int k = 0; k < values.Length; k++)
            values[k] = stored[k] == Wide ? _wide[ins.ValueIndex + k] : stored[k];
        return values;
    }

    /// <summary>The operand values of instruction <paramref name="i"/> as stored: <see cref="WideValue"/> marks one that is only in <see cref="ValuesOf"/>.</summary>
    internal ReadOnlySpan<int> StoredOf(int i) => StoredOf(in _instructions[i]);

    /// <summary><see cref="StoredOf(int)"/> for a caller that holds the instruction already (the group checks, which look at every one).</summary>
    internal ReadOnlySpan<int> StoredOf(in SourceInstruction ins) => _values.AsSpan(ins.ValueIndex, ins.OperandCount);

    /// <summary>The stored value of an operand whose value does not fit an int.</summary>
    internal const int WideValue = Wide;

    /// <summary>
    /// Every instruction's stored operand values, in order: instruction i's are <see cref="SourceInstruction.OperandCount"/>
    /// from its <see cref="SourceInstruction.ValueIndex"/>, as <see cref="StoredOf"/> gives them one instruction at a time.
    /// </summary>
    internal ReadOnlySpan<int> StoredValues => _values.AsSpan(0, _valueCount);

    /// <summary>Replaces the operand values of instruction <paramref name="i"/> (as many as its form has).</summary>
    public void SetValues(int i, ReadOnlySpan<long> values) => Store(_instructions[i].ValueIndex, values);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(int at, ReadOnlySpan<long> values)
    {
        var stored = _values.AsSpan(at, values.Length);
        for (int k = 0; k < values.Length; k++)
        {
            long v = values[k];
            // int.MinValue + 1 … int.MaxValue are stored as they are; int.MinValue marks a wide one.
            if ((ulong)(v - (int.MinValue + 1L)) <= int.MaxValue - (int.MinValue + 1L)) stored[k] = (int)v;
            else StoreWide(at + k, v);
        }
    }

    /// <summary>How many instructions have operands to evaluate after layout, other matches or a wide column.</summary>
    internal int ExtrasCount => _extras.Count;

    /// <summary>The operands of instruction <paramref name="i"/> to evaluate after layout (branch targets, forward symbols); null when all are known.</summary>
    public PendingOperand[]? PendingOf(int i) => _instructions[i].HasExtra ? _extras[i].Pending : null;

    /// <summary>Appends an instruction and its operand values.</summary>
    // Inlined into the parser, which records every instruction of a long listing through here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Add(Form form, int qp, ReadOnlySpan<long> values, int line, int column, PendingOperand[]? pending, MatchedInstruction[]? alternatives)
    {
        if (InstructionCount == _instructions.Length || _valueCount + values.Length > _values.Length) Grow(values.Length);
        int index = InstructionCount++;
        int units = Bundler.MaskOf(form.Unit);
        bool extra = pending is not null || alternatives is not null || column >= SourceInstruction.WideColumn;
        if (extra) units = AddExtras(index, pending, alternatives, column, units);
        int at = _valueCount;
        _instructions[index] = new SourceInstruction(form, qp, units, line, column, at, extra);
        Store(at, values);
        _valueCount = at + values.Length;
        return index;
    }

    /// <summary>
    /// <see cref="Add"/> for an instruction with no extras (see <see cref="SourceInstruction.Placed"/>), from its form's
    /// template, with the stop after it when <paramref name="stop"/>; returns its index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int AddPlain(in SourceInstruction template, int qp, ReadOnlySpan<long> values, int line, int column, bool stop)
    {
        if (InstructionCount == _instructions.Length || _valueCount + values.Length > _values.Length) Grow(values.Length);
        int index = InstructionCount++;
        int at = _valueCount;
        _instructions[index] = template.Placed(qp, line, column, at, stop);
        Store(at, values);
        _valueCount = at + values.Length;
        return index;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int values)
    {
        if (InstructionCount == _instructions.Length) Arrays.Grow(ref _instructions, InstructionCount * 2, InstructionCount);
        if (_valueCount + values > _values.Length) Arrays.Grow(ref _values, Math.Max(_values.Length * 2, _valueCount + values), _valueCount);
    }

    /// <summary>Keeps what few instructions have (pending operands, other units, a wide column); returns their units with the alternatives'.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int AddExtras(int index, PendingOperand[]? pending, MatchedInstruction[]? alternatives, int column, int units)
    {
        _extras.Add(index, new Extras { Pending = pending, Alternatives = alternatives, Column = column });
        if (alternatives is not null)
            foreach (var a in alternatives) units |= Bundler.MaskOf(a.Form.Unit);
        return units;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void StoreWide(int at, long v)
    {
        _values[at] = Wide;
        _wide[at] = v;
    }

    /// <summary>Appends the instructions of <paramref name="other"/> (a later part of the same source, parsed alone) after these.</summary>
    internal void Append(ParsedSource other)
    {
        int count = other.InstructionCount, valueBase = _valueCount, indexBase = InstructionCount;
        if (indexBase + count > _instructions.Length) Arrays.Grow(ref _instructions, Math.Max(_instructions.Length * 2, indexBase + count), indexBase);
        if (valueBase + other._valueCount > _values.Length) Arrays.Grow(ref _values, Math.Max(_values.Length * 2, valueBase + other._valueCount), valueBase);
        var to = _instructions.AsSpan(indexBase, count);
        other.Instructions.CopyTo(to);
        for (int i = 0; i < to.Length; i++) to[i].ValueIndex += valueBase;
        other._values.AsSpan(0, other._valueCount).CopyTo(_values.AsSpan(valueBase));
        foreach (var kv in other._wide) _wide.Add(kv.Key + valueBase, kv.Value);
        foreach (var kv in other._extras) _extras.Add(kv.Key + indexBase, kv.Value);
        InstructionCount += count;
        _valueCount += other._valueCount;
    }

    /// <summary>Gives the tables back to the pool; the source is empty after.</summary>
    internal void Release()
    {
        Arrays.Return(_instructions);
        Arrays.Return(_values);
        _instructions = Array.Empty<SourceInstruction>();
        _values = Array.Empty<int>();
        InstructionCount = 0;
        _valueCount = 0;
    }

    /// <summary>Switches instruction <paramref name="i"/> to the match whose unit fits a slot of <paramref name="kind"/> (no change when the current one fits).</summary>
    public void ChooseFor(int i, SlotKind kind)
    {
        ref var ins = ref _instructions[i];
        if (!ins.HasExtra || ins.Form.Unit.FitsIn(kind) || _extras[i] is not { Alternatives: { } alternatives } extras) return;
        foreach (var a in alternatives)
            if (a.Form.Unit.FitsIn(kind))
            {
                // The same written operands: as many values, so they take the same place.
                ins.Form = a.Form;
                ins.Qp = (byte)a.Qp;
                extras.Pending = a.Pending.Length == 0 ? null : a.Pending;
                Store(ins.ValueIndex, a.Values);
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
/// Large tables whose every element is written before it is read: taken from the shared pool (a program that
/// assembles again reuses them instead of making the GC find, clear and page in tens of MB each time), and
/// given back when done. Nothing is cleared either way.
/// </summary>
internal static class Arrays
{
    public static T[] Rent<T>(int length) where T : unmanaged
    {
        var array = ArrayPool<T>.Shared.Rent(length);
        HugePages.Advise(array);
        return array;
    }

    public static void Return<T>(T[] array) where T : unmanaged
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array);
    }

    /// <summary>Replaces <paramref name="array"/> by a larger one holding its first <paramref name="used"/> elements.</summary>
    public static void Grow<T>(ref T[] array, int length, int used) where T : unmanaged
    {
        var bigger = Rent<T>(length);
        array.AsSpan(0, used).CopyTo(bigger);
        Return(array);
        array = bigger;
    }
}

/// <summary>
/// Asks Linux to back a large table with 2 MB pages. Writing a fresh table costs a page fault per 4 KB, and on a
/// virtual machine each fault costs microseconds: for 600k instructions (~30 MB of tables) that was a fifth of the
/// time. Where transparent huge pages are on for regions that ask (the "madvise" setting, the common default), one
/// fault maps 2 MB. Only the part of the array that covers whole 2 MB pages is advised, so nothing else is touched;
/// anywhere else, or should the call fail, nothing changes.
/// </summary>
internal static class HugePages
{
    private const int MinBytes = 4 << 20, PageBytes = 2 << 20, MadvHugepage = 14;

#if NET
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);

    public static unsafe void Advise<T>(T[] array) where T : unmanaged
    {
        long bytes = (long)array.Length * sizeof(T);
        if (bytes < MinBytes || s_unavailable) return;
        // Large arrays live in the large object heap, which the GC does not move: the address stays valid.
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nint first = (start + PageBytes - 1) & ~(nint)(PageBytes - 1), end = (start + (nint)bytes) & ~(nint)(PageBytes - 1);
        if (end <= first) return;
        try { Madvise(first, (nuint)(end - first), MadvHugepage); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { s_unavailable = true; }
    }
#else
    public static void Advise<T>(T[] array) where T : unmanaged { }
#endif
}
