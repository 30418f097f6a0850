namespace IvtGen.Isa;

/// <summary>
/// The operand fields that recur across formats (SDM vol. 3 §4), named as the manual names them.
/// Format-specific immediates are built in the rows with <see cref="OperandSpec"/>'s factories.
/// </summary>
public static class O
{
    /// <summary>Separates outputs from inputs, where the syntax writes '='.</summary>
    public static readonly OperandSpec Eq = OperandSpec.Fixed("=");

    public static readonly Field F_r1 = Field.Bits(6, 7), F_r2 = Field.Bits(13, 7), F_r3 = Field.Bits(20, 7);
    public static readonly Field F_p1 = Field.Bits(6, 6), F_p2 = Field.Bits(27, 6);
    public static readonly Field F_b1 = Field.Bits(6, 3), F_b2 = Field.Bits(13, 3);
    public static readonly Field F_f4 = Field.Bits(27, 7);

    public static readonly OperandSpec R1 = OperandSpec.Reg(OperandKind.Gr, F_r1);
    public static readonly OperandSpec R2 = OperandSpec.Reg(OperandKind.Gr, F_r2);
    public static readonly OperandSpec R3 = OperandSpec.Reg(OperandKind.Gr, F_r3);
    /// <summary>addl's r3: only r0–r3 (two bits).</summary>
    public static readonly OperandSpec R3_2 = OperandSpec.Reg(OperandKind.Gr, Field.Bits(20, 2));
    public static readonly OperandSpec F1 = OperandSpec.Reg(OperandKind.Fr, F_r1);
    public static readonly OperandSpec F2 = OperandSpec.Reg(OperandKind.Fr, F_r2);
    public static readonly OperandSpec F3 = OperandSpec.Reg(OperandKind.Fr, F_r3);
    public static readonly OperandSpec F4 = OperandSpec.Reg(OperandKind.Fr, F_f4);
    public static readonly OperandSpec P1 = OperandSpec.Reg(OperandKind.Pr, F_p1);
    public static readonly OperandSpec P2 = OperandSpec.Reg(OperandKind.Pr, F_p2);
    public static readonly OperandSpec B1 = OperandSpec.Reg(OperandKind.Br, F_b1);
    public static readonly OperandSpec B2 = OperandSpec.Reg(OperandKind.Br, F_b2);
    /// <summary>[r3]</summary>
    public static readonly OperandSpec Mem3 = OperandSpec.Mem(F_r3);
    public static readonly OperandSpec Ar3 = OperandSpec.Ar(F_r3, ArUnit.Any);
    public static readonly OperandSpec Ar3M = OperandSpec.Ar(F_r3, ArUnit.M);
    public static readonly OperandSpec Ar3I = OperandSpec.Ar(F_r3, ArUnit.I);
    public static readonly OperandSpec Cr3 = OperandSpec.Reg(OperandKind.Cr, F_r3);

    public static OperandSpec Fixed(string token) => OperandSpec.Fixed(token);
    /// <summary>FILE[r3], e.g. rr[r3].</summary>
    public static OperandSpec Ind(string file) => OperandSpec.Indirect(file, F_r3);

    /// <summary>A field of pieces given least-significant first as (pos, len) pairs.</summary>
    public static Field Bits(params (int pos, int len)[] pieces)
    {
        var r = new BitRange[pieces.Length];
        for (int i = 0; i < pieces.Length; i++) r[i] = new BitRange(pieces[i].pos, pieces[i].len);
        return new Field(r);
    }

    /// <summary>Signed immediate from pieces (least significant first).</summary>
    public static OperandSpec SImm(params (int pos, int len)[] pieces) => OperandSpec.Imm(Bits(pieces), signed: true);
    /// <summary>Unsigned immediate from pieces (least significant first).</summary>
    public static OperandSpec UImm(params (int pos, int len)[] pieces) => OperandSpec.Imm(Bits(pieces), signed: false);
    /// <summary>IP-relative target: signed displacement in bundles (×16) from pieces.</summary>
    public static OperandSpec Target(params (int pos, int len)[] pieces) => OperandSpec.Target(Bits(pieces));
}
