namespace IvtGen.Isa;

// I-unit forms of major opcode 0 (SDM vol. 3 §4.3, formats I18–I29): break.i, nop.i, hint.i, chk.s.i, moves to and
// from BR, PR, IP and AR, and the zero/sign extends. Bits checked against GNU as 2.40.
public static partial class InstructionTable
{
    private static void AddIMisc(TableBuilder b)
    {
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        // op 0, x3(33..35), x6(27..32).
        static Pattern X3(int x3) => Pattern.Major(0).F(33, 3, (ulong)x3);
        static Pattern X6(int x6) => X3(0).F(27, 6, (ulong)x6);

        // I18/I19: imm21 = imm20a(6..25) | i(36), printed in hex. nop.i/hint.i differ in y(26).
        // GNU also takes "hint.i @pause" (= 0) and the unit-less break/nop/hint, which it places by slot.
        var imm21 = OperandSpec.Imm(O.Bits((6, 20), (36, 1)), signed: false, hex: true);
        b.Add("break.i", Unit.I, "I19", X6(0x00), [imm21]);
        b.Add("nop.i", Unit.I, "I18", X6(0x01).F(26, 1, 0), [imm21]);
        b.Add("hint.i", Unit.I, "I18", X6(0x01).F(26, 1, 1), [imm21]);
        // GNU's unit-less spellings take the unit of the slot they land in (ia64-opc-d.c, IA64_TYPE_DYN).
        b.Add("break", Unit.I, "I19", X6(0x00), [imm21], Alias);
        b.Add("nop", Unit.I, "I18", X6(0x01).F(26, 1, 0), [imm21], Alias);
        // Unit-less hint: GNU checks its immediate against hint.m's 19 bits whatever slot it lands in (0x80000 is
        // "out of range" even in an I slot), so the I alias takes 19 bits too, the rest of imm21 zero.
        b.Add("hint", Unit.I, "I18", X6(0x01).F(26, 1, 1).F(25, 1, 0).F(36, 1, 0),
            [OperandSpec.Imm(O.Bits((6, 19)), signed: false, hex: true)], Alias);

        // I20: chk.s.i r2,target25; target = imm7a(6..12) | imm13c(20..32) | s(36), ×16, IP-relative. Control goes to the
        // recovery code when r2 holds a NaT, so it is marked Branch. GNU's unit-less "chk.s r2,target" becomes
        // chk.s.i in an I slot and chk.s.m in an M slot.
        var target25 = O.Target((6, 7), (20, 13), (36, 1));
        b.Add("chk.s.i", Unit.I, "I20", X3(1), [O.R2, target25], InsnFlags.Branch);
        b.Add("chk.s", Unit.I, "I20", X3(1), [O.R2, target25], InsnFlags.Branch | Alias);

        // I21: mov{.ret}{mwh}{.imp} b1=r2,tag13; x(22)=.ret, wh(20..21), ih(23), timm9c(24..32) ×16 IP-relative.
        b.Group("I_mov_br_ret", Field.Bits(22, 1), ("", 0), (".ret", 1));
        b.Group("I_mov_br_mwh", Field.Bits(20, 2), (".sptk", 0), ("", 1), (".dptk", 2));
        b.Group("I_mov_br_ih", Field.Bits(23, 1), ("", 0), (".imp", 1));
        b.Add("mov{I_mov_br_ret}{I_mov_br_mwh}{I_mov_br_ih}", Unit.I, "I21", X3(7),
            [O.B1, O.Eq, O.R2, O.Target((24, 9))]);
        // GNU's "mov b1=r2" is plain mov with tag 0; objdump prints it that way. (objdump prints plain mov with a
        // non-zero tag the same way, dropping the tag; this pattern fixes the tag to 0 so our decoder keeps it.)
        b.Add("mov", Unit.I, "I21", X3(7).F(22, 1, 0).F(20, 2, 1).F(23, 1, 0).F(24, 9, 0), [O.B1, O.Eq, O.R2],
            InsnFlags.Pseudo | InsnFlags.PreferDecode);

        // I22: mov r1=b2.
        b.Add("mov", Unit.I, "I22", X6(0x31), [O.R1, O.Eq, O.B2]);

        // I23: mov pr=r2,mask17; mask17 = mask7a(6..12) | mask8c(24..31) | s(36) holds bits 1–16 of the mask,
        // sign-extended (bit 0, pr0, is implied). objdump prints the 64-bit sign-extended mask in hex. GNU as takes
        // -65536…0x1ffff and drops bit 0: "mov pr=r31,-1", Linux's idiom, is the mask 0x…fffe.
        var mask17 = OperandSpec.Mask(O.Bits((6, 7), (24, 8), (36, 1)), shift: 1);
        b.Add("mov", Unit.I, "I23", X3(3), [O.Fixed("pr"), O.Eq, O.R2, mask17]);
        // GNU's "mov pr=r2" writes the full mask; objdump prints it with the mask (mov pr=r2,0xfffffffffffffffe).
        b.Add("mov", Unit.I, "I23", X3(3).F(6, 7, 0x7f).F(24, 8, 0xff).F(36, 1, 1), [O.Fixed("pr"), O.Eq, O.R2], Alias);

        // I24: mov pr.rot=imm44; imm27a(6..32) | s(36) hold bits 16–43, sign-extended; low 16 bits are zero. Hex.
        b.Add("mov", Unit.I, "I24", X3(2),
            [O.Fixed("pr.rot"), O.Eq, OperandSpec.Imm(O.Bits((6, 27), (36, 1)), signed: true, shift: 16, hex: true)]);

        // I25: mov r1=ip, mov r1=pr.
        b.Add("mov", Unit.I, "I25", X6(0x30), [O.R1, O.Eq, O.Fixed("ip")]);
        b.Add("mov", Unit.I, "I25", X6(0x33), [O.R1, O.Eq, O.Fixed("pr")]);

        // I26–I28: mov.i to/from an application register the I unit reaches (ar48–127: ar.pfs, ar.lc, ar.ec, …).
        // objdump prints mov.i; GNU's plain "mov" picks mov.i for ar64–111, mov.m for ar0–47, and by slot otherwise.
        var arImm8 = O.SImm((13, 7), (36, 1));
        b.Add("mov.i", Unit.I, "I26", X6(0x2a), [O.Ar3I, O.Eq, O.R2]);
        b.Add("mov.i", Unit.I, "I27", X6(0x0a), [O.Ar3I, O.Eq, arImm8]);
        b.Add("mov.i", Unit.I, "I28", X6(0x32), [O.R1, O.Eq, O.Ar3I]);
        b.Add("mov", Unit.I, "I26", X6(0x2a), [O.Ar3I, O.Eq, O.R2], Alias);
        b.Add("mov", Unit.I, "I27", X6(0x0a), [O.Ar3I, O.Eq, arImm8], Alias);
        b.Add("mov", Unit.I, "I28", X6(0x32), [O.R1, O.Eq, O.Ar3I], Alias);

        // I29: r1=r3 extends and compute-zero-index.
        (string name, int x6)[] ext =
        [
            ("zxt1", 0x10), ("zxt2", 0x11), ("zxt4", 0x12),
            ("sxt1", 0x14), ("sxt2", 0x15), ("sxt4", 0x16),
            ("czx1.l", 0x18), ("czx2.l", 0x19), ("czx1.r", 0x1c), ("czx2.r", 0x1d),
        ];
        foreach (var (name, x6) in ext)
            b.Add(name, Unit.I, "I29", X6(x6), [O.R1, O.Eq, O.R3]);
    }
}
