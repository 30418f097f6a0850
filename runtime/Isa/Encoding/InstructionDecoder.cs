using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// Decodes slot bits back to instructions using the same table the encoder uses. Candidates are indexed by
/// slot kind and major opcode and tried in preference order: PreferDecode forms, then the form with most fixed
/// bits, then table order. Parse-only aliases are never produced.
/// </summary>
public static class InstructionDecoder
{
    // [slotKind][major] -> candidates in preference order
    private static readonly Form[][][] s_index = BuildIndex();

    /// <summary>
    /// The decode candidates for a slot kind and major opcode, in preference order (shared with the loader's narrowed
    /// decoder so both pick the same form). Do not modify.
    /// </summary>
    internal static Form[] Candidates(SlotKind kind, int major) => s_index[(int)kind][major];

    private static Form[][][] BuildIndex()
    {
        var kinds = new[] { SlotKind.M, SlotKind.I, SlotKind.F, SlotKind.B, SlotKind.L, SlotKind.X };
        var index = new Form[kinds.Length][][];
        foreach (var kind in kinds)
        {
            var byMajor = new List<Form>[16];
            for (int m = 0; m < 16; m++) byMajor[m] = new List<Form>();
            foreach (var f in InstructionTable.Forms)
            {
                ComputeCoverage(f);
                if (f.Has(InsnFlags.ParseOnly) || !f.Unit.FitsIn(kind)) continue;
                // Forms whose major opcode is not fixed (none today) would go in every bucket.
                if ((f.Pattern.Mask >> 37 & 0xf) == 0xf)
                    byMajor[(int)(f.Pattern.Value >> 37 & 0xf)].Add(f);
                else
                    for (int m = 0; m < 16; m++) byMajor[m].Add(f);
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

    private static void ComputeCoverage(Form f)
    {
        var all = new InsnWord(ulong.MaxValue, ulong.MaxValue);
        var w = new InsnWord(f.Pattern.Mask | 0x3f, 0);
        foreach (var op in f.Operands)
        {
            if (op.Field is not null) Cover(op.Field, ref w);
            if (op.Mirror is not null) Cover(op.Mirror, ref w);
        }
        if (f.Codec is IFormCodecCoverage c) { w.Slot |= c.CoveredSlot; w.Long |= c.CoveredLong; }
        f.CoveredSlot = w.Slot & Bundle.SlotMask;
        f.CoveredLong = w.Long & Bundle.SlotMask;
    }

    private static void Cover(Field field, ref InsnWord w)
    {
        foreach (var p in field.Pieces) p.Insert(ref w, ulong.MaxValue);
    }

    private static int PopCount(ulong x)
    {
        int n = 0;
        while (x != 0) { x &= x - 1; n++; }
        return n;
    }

    /// <summary>Decodes the instruction in a slot of kind <paramref name="kind"/>; false when no form matches.</summary>
    public static bool TryDecode(SlotKind kind, in InsnWord word, out Instruction ins)
    {
        var candidates = s_index[(int)kind][(int)(word.Slot >> 37 & 0xf)];
        foreach (var f in candidates)
        {
            if (!f.Pattern.Matches(word.Slot)) continue;
            // Bits no field accounts for (ignored/reserved) must be zero, or re-encoding would differ.
            if ((word.Slot & ~f.CoveredSlot) != 0 || (f.IsLong && (word.Long & ~f.CoveredLong) != 0)) continue;
            if (TryExtract(f, word, out ins)) return true;
        }
        ins = default;
        return false;
    }

    /// <summary>Reads the operands of <paramref name="f"/> from <paramref name="word"/>; false when the bits are no valid encoding of it.</summary>
    internal static bool TryExtract(Form f, in InsnWord word, out Instruction ins)
    {
        ins = default;
        var values = new long[f.Operands.Length];
        if (!TryExtractValues(f, word, values)) return false;
        int qp = (f.Pattern.Mask & 0x3f) != 0 ? 0 : (int)(word.Slot & 0x3f);
        ins = new Instruction(f, qp, values);
        return true;
    }

    /// <summary>
    /// The operand values of <paramref name="f"/> in <paramref name="word"/>, into <paramref name="values"/> (zeroed, one
    /// per operand); false when the bits are no valid encoding of it.
    /// </summary>
    internal static bool TryExtractValues(Form f, in InsnWord word, long[] values)
    {
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Field is null) continue;
            if (!TryExtractOperand(op, word, out long v)) return false;
            values[i] = v;
        }
        return f.Codec is null || f.Codec.Decode(word, values);
    }

    /// <summary>One field operand's value in <paramref name="word"/>; false when its bits are no valid encoding.</summary>
    internal static bool TryExtractOperand(OperandSpec op, in InsnWord word, out long v)
    {
        ulong stored = op.Field!.Extract(word);
        v = op.FromStored(stored);
        if (op.Kind == OperandKind.ImmSet && v == long.MinValue) return false;
        if (op.Mirror is not null)
        {
            if (!op.TryToMirror(v, out ulong m) || m != op.Mirror.Extract(word)) return false;
        }
        // The value must encode back to the same bits (rejects e.g. values a Bias field cannot reach).
        if (!op.TryToStored(v, out ulong back) || back != stored) return false;
        return InstructionEncoder.CheckOperand(op, v) is null;
    }
}
