using System;
using System.Collections.Generic;
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

    // [kind][major] → candidates in preference order; [kind][major * 1024 + ext] → narrowed, filled on first use.
    private static readonly Form[][][] s_byMajor = BuildMajor();
    private static readonly Form[]?[][] s_narrow = NewNarrow();

    private static Form[][][] BuildMajor()
    {
        // The core decoder computes each form's covered bits in its static constructor; make sure it has run.
        InstructionDecoder.TryDecode(SlotKind.M, new InsnWord(0), out _);
        var kinds = new[] { SlotKind.M, SlotKind.I, SlotKind.F, SlotKind.B, SlotKind.L, SlotKind.X };
        var index = new Form[kinds.Length][][];
        foreach (var kind in kinds)
        {
            var byMajor = new List<Form>[16];
            for (int m = 0; m < 16; m++) byMajor[m] = new List<Form>();
            foreach (var f in InstructionTable.Forms)
            {
                if (f.Has(InsnFlags.ParseOnly) || !f.Unit.FitsIn(kind)) continue;
                if ((f.Pattern.Mask >> 37 & 0xf) == 0xf) byMajor[(int)(f.Pattern.Value >> 37 & 0xf)].Add(f);
                else for (int m = 0; m < 16; m++) byMajor[m].Add(f);
            }
            var arr = new Form[16][];
            for (int m = 0; m < 16; m++)
            {
                var l = byMajor[m];
                l.Sort((a, b) =>
                {
                    int c = b.Has(InsnFlags.PreferDecode).CompareTo(a.Has(InsnFlags.PreferDecode));
                    if (c != 0) return c;
                    c = PopCount(b.Pattern.Mask).CompareTo(PopCount(a.Pattern.Mask));
                    return c != 0 ? c : a.Id.CompareTo(b.Id);
                });
                arr[m] = l.ToArray();
            }
            index[(int)kind] = arr;
        }
        return index;
    }

    private static Form[]?[][] NewNarrow()
    {
        var n = new Form[]?[6][];
        for (int k = 0; k < 6; k++) n[k] = new Form[]?[16 << ExtBits];
        return n;
    }

    private static int PopCount(ulong x)
    {
        int n = 0;
        while (x != 0) { x &= x - 1; n++; }
        return n;
    }

    private static Form[] Narrow(int kind, int major, ulong slot)
    {
        int ext = (int)((slot & ExtMask) >> ExtShift);
        int key = major << ExtBits | ext;
        var cached = Volatile.Read(ref s_narrow[kind][key]);
        if (cached is not null) return cached;
        var all = s_byMajor[kind][major];
        var list = new List<Form>();
        ulong bits = (ulong)ext << ExtShift;
        foreach (var f in all)
            if (((f.Pattern.Value ^ bits) & f.Pattern.Mask & ExtMask) == 0) list.Add(f);
        var arr = list.ToArray();
        Volatile.Write(ref s_narrow[kind][key], arr);
        return arr;
    }

    /// <summary>
    /// Which form <see cref="TryDecode"/> would decode <paramref name="word"/> as, without building the instruction when
    /// that form's operands cannot fail extraction (<see cref="FormInfo.AlwaysExtracts"/>); null when it decodes to none.
    /// </summary>
    public static Form? Classify(SlotKind kind, in InsnWord word)
    {
        int major = (int)(word.Slot >> 37 & 0xf);
        var candidates = Narrow((int)kind, major, word.Slot);
        for (int c = 0; c < candidates.Length; c++)
        {
            var f = candidates[c];
            if (!f.Pattern.Matches(word.Slot)) continue;
            if ((word.Slot & ~f.CoveredSlot) != 0 || (f.IsLong && (word.Long & ~f.CoveredLong) != 0)) continue;
            if (FormInfo.Of(f).AlwaysExtracts || InstructionDecoder.TryExtract(f, word, out _)) return f;
        }
        return null;
    }

    /// <summary>Exactly <see cref="InstructionDecoder.TryDecode"/>.</summary>
    public static bool TryDecode(SlotKind kind, in InsnWord word, out Instruction ins)
    {
        int major = (int)(word.Slot >> 37 & 0xf);
        var candidates = Narrow((int)kind, major, word.Slot);
        for (int c = 0; c < candidates.Length; c++)
        {
            var f = candidates[c];
            if (!f.Pattern.Matches(word.Slot)) continue;
            if ((word.Slot & ~f.CoveredSlot) != 0 || (f.IsLong && (word.Long & ~f.CoveredLong) != 0)) continue;
            if (InstructionDecoder.TryExtract(f, word, out ins)) return true;
        }
        ins = default;
        return false;
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
            if (!plain) always = false;
        }
        AlwaysExtracts = always;
        Targets = targets.ToArray();
    }

    public Form Form { get; }
    /// <summary>Every field is plain (no value set, symbol, mirror, bias, register floor, AR unit rule, codec): extraction cannot fail.</summary>
    public bool AlwaysExtracts { get; }
    /// <summary>Privileged or sensitive: not allowed in a Xen variant.</summary>
    public bool Forbidden { get; }
    /// <summary>The immediate operand of a break, or −1.</summary>
    public int BreakImmediate { get; } = -1;
    /// <summary>The IP-relative operands.</summary>
    public int[] Targets { get; }

    /// <summary>Operand <paramref name="i"/> of <paramref name="word"/>, decoded as the core decoder would.</summary>
    public long Operand(int i, in InsnWord word)
    {
        var op = Form.Operands[i];
        return op.FromStored(op.Field!.Extract(word));
    }
}
