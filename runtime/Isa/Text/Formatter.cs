using System;
using System.Globalization;
using System.Text;

namespace IvtGen.Isa;

/// <summary>
/// Prints instructions in GNU as syntax: <c>(p6) ld8.acq r14=[r15],8</c>. What it prints, GNU as assembles
/// back to the same bits (the round-trip tests hold it to that).
/// </summary>
public static class Formatter
{
    /// <summary>Names an IP-relative target: given the bundle address and displacement, returns the text to print.</summary>
    public delegate string TargetNamer(long bundleAddress, long displacement);

    /// <summary>Targets as <c>.+N</c>: GNU as reads '.' inside an instruction as the bundle's address.</summary>
    public static readonly TargetNamer DotRelative = (_, d) => d >= 0
        ? ".+" + d.ToString(CultureInfo.InvariantCulture)
        : ".-" + (-d).ToString(CultureInfo.InvariantCulture);

    public static string Format(in Instruction ins, long bundleAddress, TargetNamer? namer = null)
    {
        var sb = new StringBuilder(32);
        Append(sb, ins, bundleAddress, namer);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, in Instruction ins, long bundleAddress, TargetNamer? namer = null)
    {
        namer ??= DotRelative;
        if (ins.Qp != 0) sb.Append("(p").Append(ins.Qp.ToString(CultureInfo.InvariantCulture)).Append(") ");
        var f = ins.Form;
        sb.Append(f.Mnemonic);
        var ops = f.Operands;
        if (ops.Length == 0) return;
        sb.Append(' ');
        for (int i = 0; i < ops.Length; i++)
        {
            if (i > 0) sb.Append(i == f.Outputs ? "=" : ",");
            AppendOperand(sb, ops[i], ins.Values[i], bundleAddress, namer);
        }
        if (f.Outputs == ops.Length) sb.Append('='); // never happens in the table; kept total for safety
    }

    public static void AppendOperand(StringBuilder sb, OperandSpec op, long v, long bundleAddress, TargetNamer namer)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (op.Kind)
        {
            case OperandKind.Gr: sb.Append('r').Append(v.ToString(inv)); break;
            case OperandKind.Fr: sb.Append('f').Append(v.ToString(inv)); break;
            case OperandKind.Pr: sb.Append('p').Append(v.ToString(inv)); break;
            case OperandKind.Br: sb.Append('b').Append(v.ToString(inv)); break;
            case OperandKind.Ar: sb.Append(Registers.ArName((int)v)); break;
            case OperandKind.Cr: sb.Append(Registers.CrName((int)v)); break;
            case OperandKind.Mem: sb.Append("[r").Append(v.ToString(inv)).Append(']'); break;
            case OperandKind.Indirect: sb.Append(op.Text).Append("[r").Append(v.ToString(inv)).Append(']'); break;
            case OperandKind.Symbolic: sb.Append(op.Symbols![v]); break;
            case OperandKind.Fixed: sb.Append(op.Text); break;
            case OperandKind.Target: sb.Append(namer(bundleAddress, v)); break;
            default: AppendImmediate(sb, v, op.Hex); break;
        }
    }

    public static void AppendImmediate(StringBuilder sb, long v, bool hex)
    {
        if (hex) sb.Append("0x").Append(((ulong)v).ToString("x", CultureInfo.InvariantCulture));
        else sb.Append(v.ToString(CultureInfo.InvariantCulture));
    }
}
