namespace IvtGen.Isa;

// X-unit forms (SDM vol. 3 §4.7, formats X1–X5): they own the L and X slots of an MLX bundle, so they always
// sit in slots 1–2. Operand pieces in the L slot use BitRange.L; everything else is the X slot (slot 2).
public static partial class InstructionTable
{
    static partial void AddX(TableBuilder b)
    {
        const InsnFlags Br = InsnFlags.Branch;
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;

        // X1/X5: imm62 = imm41(L 0–40) : i(36) : imm20a(6–25), least-significant piece first. objdump prints hex.
        var imm62 = OperandSpec.Imm(
            new Field(new BitRange(6, 20), new BitRange(36, 1), BitRange.L(0, 41)), signed: false, hex: true);
        var x3x6 = Pattern.Major(0).F(33, 3, 0);
        b.Add("break.x", Unit.X, "X1", x3x6.F(27, 6, 0x00), [imm62]);
        // nop.x and hint.x share x6 = 1 and differ in y (bit 26).
        b.Add("nop.x", Unit.X, "X5", x3x6.F(27, 6, 0x01).F(26, 1, 0), [imm62]);
        b.Add("hint.x", Unit.X, "X5", x3x6.F(27, 6, 0x01).F(26, 1, 1), [imm62]);

        // X2: movl r1=imm64; imm64 = i(36) : imm41(L) : ic(21) : imm5c(22–26) : imm9d(27–35) : imm7b(13–19).
        // Any 64-bit value (GNU accepts negative values too); objdump prints it in hex.
        var imm64 = OperandSpec.Imm(
            new Field(new BitRange(13, 7), new BitRange(27, 9), new BitRange(22, 5), new BitRange(21, 1),
                BitRange.L(0, 41), new BitRange(36, 1)),
            signed: false, hex: true);
        b.Add("movl", Unit.X, "X2", Pattern.Major(6).F(20, 1, 0), [O.R1, O.Eq, imm64]);

        // X3/X4: long branches. target64 = (i(36) : imm39(L 2–40) : imm20b(13–32)) << 4, IP-relative to the
        // MLX bundle. L bits 0–1 are ignored (GNU writes 0).
        RegisterBranchHints(b, "x");
        const string Hints = "{x.bwh}{x.ph}{x.dh}";
        var target64 = OperandSpec.Target(new Field(new BitRange(13, 20), BitRange.L(2, 39), new BitRange(36, 1)));
        var x3 = Pattern.Major(0xC).F(6, 3, 0);   // btype = cond
        b.Add("brl.cond" + Hints, Unit.X, "X3", x3, [target64], Br);
        // SDM pseudo-op "brl.ph.dh target64" = brl.cond.sptk with qp = p0; objdump prints it ("brl.few 0x40").
        b.Add("brl{x.ph}{x.dh}", Unit.X, "X3", x3.F(33, 2, 0).F(0, 6, 0), [target64],
            Br | InsnFlags.Pseudo | InsnFlags.PreferDecode);
        // GNU accepts a predicate on the pseudo-op and the spellings without ".cond".
        b.Add("brl{x.ph}{x.dh}", Unit.X, "X3", x3.F(33, 2, 0), [target64], Br | Alias);
        b.Add("brl" + Hints, Unit.X, "X3", x3, [target64], Br | Alias);
        b.Add("brl.call" + Hints, Unit.X, "X4", Pattern.Major(0xD), [O.B1, O.Eq, target64], Br);
    }
}
