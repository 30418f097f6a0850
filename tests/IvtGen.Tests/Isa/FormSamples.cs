using System;
using System.Collections.Generic;
using IvtGen.Isa;

namespace IvtGen.Tests.Isa;

/// <summary>
/// Generates valid operand values for any form straight from its table row: random field bits mapped back
/// through the operand's value map, plus the all-zero and all-one field corners. Nothing here is typed in
/// per instruction, so every new table row is tested the moment it is added.
/// </summary>
public static class FormSamples
{
    private static readonly int[] s_namedCrs = BuildNamed(Registers.CrName, "cr.");
    private static readonly int[] s_namedArs = BuildNamed(Registers.ArName, "ar.");

    private static int[] BuildNamed(Func<int, string> name, string prefix)
    {
        var l = new List<int>();
        for (int i = 0; i < 128; i++) if (name(i).StartsWith(prefix, StringComparison.Ordinal)) l.Add(i);
        return l.ToArray();
    }

    /// <summary>Makes one instruction of <paramref name="form"/>; mode 0 = zero fields, 1 = all-ones fields, else random.</summary>
    public static Instruction? Make(Form form, Random rng, int mode)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int m = attempt == 0 ? mode : 2;
            var ops = form.Operands;
            var values = new long[ops.Length];
            for (int i = 0; i < ops.Length; i++) values[i] = Value(ops[i], rng, m);
            int qp = (form.Pattern.Mask & 0x3f) != 0 ? 0 : (m == 0 ? 0 : rng.Next(64));
            var ins = new Instruction(form, qp, values);
            if (InstructionEncoder.TryEncode(ins, out _) is null) return ins;
        }
        return null;
    }

    private static long Value(OperandSpec op, Random rng, int mode)
    {
        switch (op.Kind)
        {
            case OperandKind.Fixed:
                return 0;
            case OperandKind.Imm when op.Field is null:
                // Codec-encoded (alloc's i,l,o,r): small values, retried until the codec accepts them.
                return rng.Next(4) == 0 ? 8 * rng.Next(5) : rng.Next(33);
            case OperandKind.Cr:
                return s_namedCrs[rng.Next(s_namedCrs.Length)];
            case OperandKind.Ar:
                // Named ARs half the time, so the names are exercised too.
                return rng.Next(2) == 0 ? s_namedArs[rng.Next(s_namedArs.Length)] : rng.Next(128);
            case OperandKind.Symbolic:
                return rng.Next(op.Symbols!.Length);
        }
        var field = op.Field!;
        ulong stored = mode switch
        {
            0 => 0,
            1 => BitRange.Mask(field.Width),
            _ => Random64(rng) & BitRange.Mask(field.Width),
        };
        if (op.Kind == OperandKind.Target && field.Width > 24)
            stored = (ulong)(long)(rng.Next(-(1 << 20), 1 << 20)) & BitRange.Mask(field.Width);
        long v = op.FromStored(stored);
        if (op.IsOutput)
        {
            // Writing r0, f0 or f1 is an error; write something else.
            if (op.Kind == OperandKind.Gr && v == 0) v = 1 + rng.Next((int)Math.Min(126, (long)BitRange.Mask(field.Width) - 1) is var n && n > 0 ? n : 1);
            if (op.Kind == OperandKind.Fr && v < 2) v = 2 + rng.Next(100);
        }
        return v;
    }

    private static ulong Random64(Random rng)
    {
        Span<byte> b = stackalloc byte[8];
        rng.NextBytes(b);
        return BitConverter.ToUInt64(b);
    }

    /// <summary>The slot kind we place a form in for testing (A-unit forms go in an M slot).</summary>
    public static SlotKind SlotFor(Unit u) => u switch
    {
        Unit.A or Unit.M => SlotKind.M,
        Unit.I => SlotKind.I,
        Unit.B => SlotKind.B,
        Unit.F => SlotKind.F,
        _ => SlotKind.X,
    };

    /// <summary>
    /// GNU text of a bundle holding <paramref name="insn"/> alone in its instruction group, and the slot it is in.
    /// Each instruction gets a stop before and after it, so no dependency or group rule involves its neighbours.
    /// </summary>
    public static (string[] Lines, int InsnLine, int Slot) Bundle(SlotKind kind, string insn) => kind switch
    {
        SlotKind.M => (new[] { "{ .mmi", "  " + insn + " ;;", "  nop.m 0", "  nop.i 0 ;;", "}" }, 1, 0),
        SlotKind.I => (new[] { "{ .mii", "  nop.m 0", "  " + insn + " ;;", "  nop.i 0 ;;", "}" }, 2, 1),
        SlotKind.B => (new[] { "{ .mib", "  nop.m 0", "  nop.i 0", "  " + insn + " ;;", "}" }, 3, 2),
        SlotKind.F => (new[] { "{ .mfi", "  nop.m 0", "  " + insn, "  nop.i 0 ;;", "}" }, 2, 1),
        _ => (new[] { "{ .mlx", "  nop.m 0", "  " + insn + " ;;", "}" }, 2, 2),
    };
}
