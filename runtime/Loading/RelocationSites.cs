using System;
using IvtGen.Elf;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>
/// Which operand of an instruction a relocation patches, which IA-64 relocation type GNU as would emit for it, and how
/// to rewrite it: the one place the loader, the linker and the ELF writer agree on relocatable fields.
/// </summary>
public static class RelocationSites
{
    /// <summary>
    /// The relocatable operand of <paramref name="form"/> and its relocation type: the first IP-relative target
    /// (br, brl, chk, fchkf, brp's target; a brp or mov-to-br tag is not relocatable, as in GNU as) or the
    /// immediate of movl, addl/mov and adds. False when the instruction has nothing a relocation can patch.
    /// </summary>
    public static bool TryGet(Form form, out int operand, out Ia64Relocation type)
    {
        var ops = form.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Kind == OperandKind.Target)
            {
                operand = i;
                type = form.Unit == Unit.X ? Ia64Relocation.PcRel60B : TargetType(op.Field!);
                return type != Ia64Relocation.None;
            }
        }
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Kind != OperandKind.Imm || op.Field is null) continue;
            operand = i;
            type = form.Unit == Unit.X && form.Format == "X2" ? Ia64Relocation.Imm64
                : form.Unit == Unit.A && op.Field.Width == 22 ? Ia64Relocation.Imm22
                : form.Unit == Unit.A && op.Field.Width == 14 ? Ia64Relocation.Imm14
                : Ia64Relocation.None;
            return type != Ia64Relocation.None;
        }
        operand = -1;
        type = Ia64Relocation.None;
        return false;
    }

    /// <summary>The 21-bit IP-relative relocation for a target field, by where its bits are (GNU's mapping).</summary>
    private static Ia64Relocation TargetType(Field f)
    {
        var p = f.Pieces;
        if (p.Length == 2 && Is(p[0], 13, 20) && Is(p[1], 36, 1)) return Ia64Relocation.PcRel21B;
        if (p.Length == 3 && Is(p[0], 6, 7) && Is(p[1], 20, 13) && Is(p[2], 36, 1)) return Ia64Relocation.PcRel21M;
        if (p.Length == 2 && Is(p[0], 6, 20) && Is(p[1], 36, 1)) return Ia64Relocation.PcRel21F;
        return Ia64Relocation.None;
    }

    private static bool Is(BitRange r, int pos, int len) => r.Pos == pos && r.Len == len;

    /// <summary>Whether the relocation is IP-relative (its operand is a displacement from the bundle).</summary>
    public static bool IsPcRelative(Ia64Relocation type) =>
        type is Ia64Relocation.PcRel21B or Ia64Relocation.PcRel21M or Ia64Relocation.PcRel21F or Ia64Relocation.PcRel60B;

    /// <summary>Parses a kind as the manifest writes it ("PCREL21B") or as readelf does ("R_IA64_PCREL21B").</summary>
    public static bool TryParseKind(string kind, out Ia64Relocation type)
    {
        // Case-insensitive, with or without the R_IA64_ prefix, without allocating (one call per relocation record).
        var k = kind.AsSpan();
        if (k.StartsWith("R_IA64_".AsSpan(), StringComparison.OrdinalIgnoreCase)) k = k.Slice(7);
        foreach (var (name, t) in s_kinds)
            if (k.Equals(name.AsSpan(), StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        type = Ia64Relocation.None;
        return false;
    }

    private static readonly (string Name, Ia64Relocation Type)[] s_kinds =
    {
        ("IMM14", Ia64Relocation.Imm14), ("IMM22", Ia64Relocation.Imm22), ("IMM64", Ia64Relocation.Imm64),
        ("PCREL60B", Ia64Relocation.PcRel60B), ("PCREL21B", Ia64Relocation.PcRel21B), ("PCREL21M", Ia64Relocation.PcRel21M),
        ("PCREL21F", Ia64Relocation.PcRel21F),
    };

    /// <summary>The name GNU's readelf prints, without the R_IA64_ prefix.</summary>
    public static string Name(Ia64Relocation type)
    {
        foreach (var (name, t) in s_kinds)
            if (t == type) return name;
        return "NONE";
    }

    /// <summary>
    /// <paramref name="bundle"/> with operand <paramref name="operand"/> of the instruction in <paramref name="slot"/>
    /// replaced by <paramref name="value"/> (a byte displacement for a target, the value for an immediate).
    /// Returns an error message instead when the value does not fit the field.
    /// </summary>
    public static string? TryPatch(Bundle bundle, Template template, int slot, in Instruction ins, int operand, long value, out Bundle patched)
    {
        patched = bundle;
        var values = (long[])ins.Values.Clone();
        values[operand] = value;
        var err = InstructionEncoder.TryEncode(new Instruction(ins.Form, ins.Qp, values), out var word);
        if (err is not null) return err;
        patched = bundle.With(slot, word, template.IsLong);
        return null;
    }
}
