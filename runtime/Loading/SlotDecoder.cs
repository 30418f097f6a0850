using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>
/// The ISA core's <see cref="InstructionDecoder.TryDecode"/>, answered faster for the verifier: the same candidates in
/// the same preference order (PreferDecode forms, then most fixed bits, then table order; parse-only aliases never),
/// but narrowed by bits 27–36 as well as the major opcode, where most opcode extensions live (x2, x3, x4, x6, ve, ta,
/// tb). The operand extraction is the core decoder's own. SlotDecoderTests checks that both decoders give
/// the same answer for every slot of the test images and for random and table-derived words of every unit.
/// </summary>
public static class SlotDecoder
{
    private const int ExtShift = 27, ExtBits = 10;
    private const ulong ExtMask = ((1UL << ExtBits) - 1) << ExtShift;

    /// <summary>
    /// One candidate, with what the hot loop reads copied out of the form. A word is the form's when its fixed bits
    /// match and no bit outside its fields is set; the covered bits include the fixed ones, so both tests are one:
    /// <c>(slot &amp; Test) == Value</c> with <c>Test</c> = fixed bits | uncovered bits.
    /// </summary>
    private readonly struct Candidate
    {
        public readonly ulong Value, Test, UncoveredLong;
        public readonly Form Form;
        public readonly int Flags;

        public Candidate(Form f)
        {
            Value = f.Pattern.Value;
            Test = (f.Pattern.Mask | ~f.CoveredSlot) & Bundle.SlotMask;
            UncoveredLong = f.IsLong ? ~f.CoveredLong & Bundle.SlotMask : 0;
            Form = f;
            Flags = FormInfo.Of(f).Flags;
        }

        public bool Matches(ulong slot, ulong @long) => (((slot & Test) ^ Value) | (@long & UncoveredLong)) == 0;
    }

    // [kind][major] → candidates in preference order; [kind << 14 | major << 10 | ext] → narrowed, filled on first use.
    private static readonly Form[][][] s_byMajor = BuildMajor();
    private static readonly Candidate[]?[] s_narrow = new Candidate[]?[6 << 4 + ExtBits];

    private static Form[][][] BuildMajor()
    {
        // The core decoder's own candidate lists (and the covered bits its static constructor computes), so that both
        // decoders prefer the same form.
        var kinds = new[] { SlotKind.M, SlotKind.I, SlotKind.F, SlotKind.B, SlotKind.L, SlotKind.X };
        var index = new Form[kinds.Length][][];
        foreach (var kind in kinds)
        {
            var arr = new Form[16][];
            for (int m = 0; m < 16; m++) arr[m] = InstructionDecoder.Candidates(kind, m);
            index[(int)kind] = arr;
        }
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Candidate[] Narrow(int kind, ulong slot)
    {
        int key = (int)(slot >> ExtShift) & ((16 << ExtBits) - 1); // major (37–40) and bits 27–36
        return Volatile.Read(ref s_narrow[kind << 4 + ExtBits | key]) ?? Fill(kind, key);
    }

    private static Candidate[] Fill(int kind, int key)
    {
        var all = s_byMajor[kind][key >> ExtBits];
        var list = new List<Candidate>();
        ulong bits = (ulong)(key & ((1 << ExtBits) - 1)) << ExtShift;
        foreach (var f in all)
            if (((f.Pattern.Value ^ bits) & f.Pattern.Mask & ExtMask) == 0) list.Add(new Candidate(f));
        var arr = list.ToArray();
        Volatile.Write(ref s_narrow[kind << 4 + ExtBits | key], arr);
        return arr;
    }

    /// <summary>
    /// Which form <see cref="TryDecode"/> would decode <paramref name="word"/> as, without building the instruction when
    /// that form's operands cannot fail extraction (<see cref="FormInfo.AlwaysExtracts"/>); null when it decodes to none.
    /// </summary>
    public static Form? Classify(SlotKind kind, in InsnWord word) => Classify((int)kind, word.Slot, word.Long, out _);

    /// <summary><see cref="Classify(SlotKind, in InsnWord)"/>, also giving the form's <see cref="FormInfo.Flags"/>.</summary>
    internal static Form? Classify(int kind, ulong slot, ulong @long, out int flags)
    {
        var candidates = Narrow(kind, slot);
        for (int c = 0; c < candidates.Length; c++)
        {
            ref readonly var f = ref candidates[c];
            if (!f.Matches(slot, @long)) continue;
            if ((f.Flags & FormInfo.FlagAlwaysExtracts) != 0 || ExtractsChecked(f.Form, new InsnWord(slot, @long)))
            {
                flags = f.Flags;
                return f.Form;
            }
        }
        flags = 0;
        return null;
    }

    /// <summary>Exactly <see cref="InstructionDecoder.TryDecode"/>.</summary>
    public static bool TryDecode(SlotKind kind, in InsnWord word, out Instruction ins)
    {
        var candidates = Narrow((int)kind, word.Slot);
        for (int c = 0; c < candidates.Length; c++)
        {
            ref readonly var f = ref candidates[c];
            if (!f.Matches(word.Slot, word.Long)) continue;
            if (InstructionDecoder.TryExtract(f.Form, word, out ins)) return true;
        }
        ins = default;
        return false;
    }

    [ThreadStatic] private static long[][]? t_scratch;

    /// <summary>An array of <paramref name="n"/> values, reused on this thread (classification keeps no instruction).</summary>
    private static long[] Scratch(int n)
    {
        var byLength = t_scratch ??= new long[16][];
        if (n >= byLength.Length) return new long[n];
        return byLength[n] ??= new long[n];
    }

    /// <summary>
    /// Whether the core decoder's extraction succeeds: only the operands that can fail are checked (plain fields always
    /// extract), then a codec, which reads every value, decides.
    /// </summary>
    private static bool ExtractsChecked(Form f, in InsnWord word)
    {
        var info = FormInfo.Of(f);
        if (!info.CheckedOperandsExtract(word)) return false;
        if (f.Codec is null) return true;
        var ops = f.Operands;
        var readers = info.Readers;
        var values = Scratch(ops.Length);
        // The values the core decoder would pass the codec: every check has passed, so each is its field's value.
        for (int i = 0; i < ops.Length; i++) values[i] = readers[i].IsNone ? 0 : ops[i].FromStored(readers[i].Read(word));
        return f.Codec.Decode(word, values);
    }
}

/// <summary>What the verifier needs to know about a form, computed once per form.</summary>
public sealed class FormInfo
{
    private static readonly FormInfo[] s_all = Build();

    private static FormInfo[] Build()
    {
        var forms = InstructionTable.Forms;
        var all = new FormInfo[forms.Count];
        for (int i = 0; i < forms.Count; i++) all[forms[i].Id] = new FormInfo(forms[i]);
        return all;
    }

    public static FormInfo Of(Form f) => s_all[f.Id];

    private FormInfo(Form f)
    {
        Form = f;
        Forbidden = VariantRules.ForbiddenOnXen(f);
        bool always = f.Codec is null;
        var targets = new List<int>();
        var check = new List<int>();
        for (int i = 0; i < f.Operands.Length; i++)
        {
            var op = f.Operands[i];
            if (op.Kind == OperandKind.Target) targets.Add(i);
            if (op.Kind == OperandKind.Imm && BreakImmediate < 0 && f.Mnemonic.StartsWith("break", StringComparison.Ordinal)) BreakImmediate = i;
            if (op.Field is null) continue;
            // A plain field: any bits extract to a value that maps back to them and passes CheckOperand. A bias
            // (len−1) or complement (63−pos) is an exact inverse as long as the value cannot overflow.
            bool exactMap = op.Map == ValueMap.None || op.Field.Width + op.Shift < 62;
            bool plain = exactMap && op.Mirror is null && op.MinReg == 0 &&
                op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Cr or OperandKind.Mem
                    or OperandKind.Indirect or OperandKind.Imm or OperandKind.Target;
            if (!plain)
            {
                always = false;
                check.Add(i);
            }
        }
        Checked = check.ToArray();
        _extracts = new ulong[]?[Checked.Length];
        _mirrors = new FieldReader[Checked.Length];
        for (int k = 0; k < Checked.Length; k++)
            if (f.Operands[Checked[k]].Mirror is { } mirror) _mirrors[k] = new FieldReader(mirror);
        Readers = new FieldReader[f.Operands.Length];
        for (int i = 0; i < Readers.Length; i++)
            if (f.Operands[i].Field is { } field) Readers[i] = new FieldReader(field);
        AlwaysExtracts = always;
        Targets = targets.ToArray();
        Flags = (always ? FlagAlwaysExtracts : 0) | (Forbidden ? FlagForbidden : 0) | (BreakImmediate >= 0 ? FlagBreak : 0) | (Targets.Length > 0 ? FlagTargets : 0);
    }

    public const int FlagAlwaysExtracts = 1, FlagForbidden = 2, FlagBreak = 4, FlagTargets = 8;

    /// <summary>The facts below as bits, for the hot loop.</summary>
    public int Flags { get; }

    public Form Form { get; }
    /// <summary>Every field is plain (no value set, symbol, mirror, bias, register floor, AR unit rule, codec): extraction cannot fail.</summary>
    public bool AlwaysExtracts { get; }
    /// <summary>Privileged or sensitive: not allowed in a Xen variant.</summary>
    public bool Forbidden { get; }
    /// <summary>The immediate operand of a break, or −1.</summary>
    public int BreakImmediate { get; } = -1;
    /// <summary>The IP-relative operands.</summary>
    public int[] Targets { get; }
    /// <summary>The operands whose extraction can fail (not plain fields).</summary>
    public int[] Checked { get; }

    // Per Checked operand, whether each value of its bits (field, then mirror above it) extracts: the core decoder's own
    // InstructionDecoder.TryExtractOperand tabulated on first use, which reads nothing else of the word. Empty when the
    // operand has more than MaxTabulatedBits bits or its fields overlap: then it is asked every time.
    private const int MaxTabulatedBits = 12;
    private static readonly ulong[] s_notTabulated = new ulong[0];
    private readonly ulong[]?[] _extracts;
    private readonly FieldReader[] _mirrors;

    /// <summary>Per operand, how to read its field (<see cref="FieldReader.IsNone"/> for an operand without one).</summary>
    internal FieldReader[] Readers { get; }

    /// <summary>Whether every operand in <see cref="Checked"/> extracts from <paramref name="word"/> as the core decoder requires.</summary>
    public bool CheckedOperandsExtract(in InsnWord word)
    {
        var ops = Form.Operands;
        var check = Checked;
        for (int k = 0; k < check.Length; k++)
        {
            var op = ops[check[k]];
            var table = Volatile.Read(ref _extracts[k]) ?? Tabulate(k);
            if (table.Length == 0)
            {
                if (!InstructionDecoder.TryExtractOperand(op, word, out _)) return false;
                continue;
            }
            ulong key = Readers[check[k]].Read(word);
            if (op.Mirror is not null) key |= _mirrors[k].Read(word) << op.Field!.Width;
            if ((table[key >> 6] >> (int)(key & 63) & 1) == 0) return false;
        }
        return true;
    }

    private ulong[] Tabulate(int k)
    {
        var op = Form.Operands[Checked[k]];
        var field = op.Field!;
        int bits = field.Width + (op.Mirror?.Width ?? 0);
        var table = s_notTabulated;
        if (bits <= MaxTabulatedBits)
        {
            table = new ulong[((1 << bits) + 63) / 64];
            for (ulong key = 0; key < 1UL << bits; key++)
            {
                ulong a = key & BitRange.Mask(field.Width), b = key >> field.Width;
                var w = new InsnWord(0);
                field.Insert(ref w, a);
                op.Mirror?.Insert(ref w, b);
                if (field.Extract(w) != a || (op.Mirror is not null && op.Mirror.Extract(w) != b))
                {
                    table = s_notTabulated; // the field and its mirror share bits: no table
                    break;
                }
                if (InstructionDecoder.TryExtractOperand(op, w, out _)) table[key >> 6] |= 1UL << (int)(key & 63);
            }
        }
        Volatile.Write(ref _extracts[k], table);
        return table;
    }

    /// <summary>Operand <paramref name="i"/> of <paramref name="word"/>, decoded as the core decoder would.</summary>
    public long Operand(int i, in InsnWord word)
    {
        return Form.Operands[i].FromStored(Readers[i].Read(word));
    }
}

/// <summary><see cref="Field.Extract"/>, with the common single-range field in the instruction's own slot read by one shift and mask.</summary>
internal readonly struct FieldReader
{
    private readonly Field? _pieces;
    private readonly int _pos;
    private readonly ulong _mask;

    public FieldReader(Field field)
    {
        if (field.Pieces.Length == 1 && !field.Pieces[0].InLongSlot)
        {
            _pos = field.Pieces[0].Pos;
            _mask = BitRange.Mask(field.Pieces[0].Len);
        }
        else _pieces = field;
    }

    /// <summary>The reader of no field (default).</summary>
    public bool IsNone => _pieces is null && _mask == 0;

    public ulong Read(in InsnWord w) => _pieces is null ? (w.Slot >> _pos) & _mask : _pieces.Extract(w);
}
