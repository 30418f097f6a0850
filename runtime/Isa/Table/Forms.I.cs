namespace IvtGen.Isa;

// I-unit forms (SDM vol. 3 §4.3, formats I1–I30). The multimedia, shift and deposit/test forms are here;
// the major-opcode-0 forms (break/nop/hint, chk.s.i, moves to and from BR/PR/AR/IP, extends) are in Forms.I.Misc.cs.
// Bits checked against GNU as 2.40 (binutils-ia64-linux-gnu); spellings as GNU as spells them.
// No I-unit form is privileged or sensitive (the I unit reaches only ar48–127; ar.itc is M-unit), and none
// carries an instruction-group placement rule (the SDM's first/last-in-group instructions — alloc, flushrs,
// loadrs, cover, clrrrb, rfi, bsw, … — are all M- or B-unit).
public static partial class InstructionTable
{
    static partial void AddI(TableBuilder b)
    {
        AddIMultimedia(b);
        AddIShiftDeposit(b);
        AddITest(b);
        AddIMisc(b);
    }

    /// <summary>I1–I9 (major opcode 7): multimedia multiply, mix, pack, unpack, min/max, mux, shifts, popcnt.</summary>
    private static void AddIMultimedia(TableBuilder b)
    {
        // op 7, za(36), x2a(34..35), zb(33), ve(32)=0, x2c(30..31), x2b(28..29). Element size: 1 → za0 zb0,
        // 2 → za0 zb1, 4 → za1 zb0, 8 (the whole-register shr/shl) → za1 zb1.
        static Pattern I7(int size, int x2a, int x2b) =>
            Pattern.Major(7).F(36, 1, size is 4 or 8 ? 1UL : 0).F(33, 1, size is 2 or 8 ? 1UL : 0)
                .F(34, 2, (ulong)x2a).F(32, 1, 0).F(28, 2, (ulong)x2b);
        static Pattern I7c(int size, int x2a, int x2b, int x2c) => I7(size, x2a, x2b).F(30, 2, (ulong)x2c);

        OperandSpec[] r1r2r3 = [O.R1, O.Eq, O.R2, O.R3];

        // I1: pmpyshr2{.u} r1=r2,r3,count2; count2 (30..31) holds an index into {0, 7, 15, 16}.
        var count2 = OperandSpec.ImmSet(Field.Bits(30, 2), 0, 7, 15, 16);
        b.Add("pmpyshr2", Unit.I, "I1", I7(2, 0, 3), [O.R1, O.Eq, O.R2, O.R3, count2]);
        b.Add("pmpyshr2.u", Unit.I, "I1", I7(2, 0, 1), [O.R1, O.Eq, O.R2, O.R3, count2]);

        // I2: x2a=2.
        b.Add("pmpy2.r", Unit.I, "I2", I7c(2, 2, 1, 3), r1r2r3);
        b.Add("pmpy2.l", Unit.I, "I2", I7c(2, 2, 3, 3), r1r2r3);
        foreach (int sz in new[] { 1, 2, 4 })
        {
            b.Add($"mix{sz}.r", Unit.I, "I2", I7c(sz, 2, 0, 2), r1r2r3);
            b.Add($"mix{sz}.l", Unit.I, "I2", I7c(sz, 2, 2, 2), r1r2r3);
            b.Add($"unpack{sz}.h", Unit.I, "I2", I7c(sz, 2, 0, 1), r1r2r3);
            b.Add($"unpack{sz}.l", Unit.I, "I2", I7c(sz, 2, 2, 1), r1r2r3);
        }
        b.Add("pack2.uss", Unit.I, "I2", I7c(2, 2, 0, 0), r1r2r3);
        b.Add("pack2.sss", Unit.I, "I2", I7c(2, 2, 2, 0), r1r2r3);
        b.Add("pack4.sss", Unit.I, "I2", I7c(4, 2, 2, 0), r1r2r3);
        b.Add("pmin1.u", Unit.I, "I2", I7c(1, 2, 1, 0), r1r2r3);
        b.Add("pmax1.u", Unit.I, "I2", I7c(1, 2, 1, 1), r1r2r3);
        b.Add("pmin2", Unit.I, "I2", I7c(2, 2, 3, 0), r1r2r3);
        b.Add("pmax2", Unit.I, "I2", I7c(2, 2, 3, 1), r1r2r3);
        b.Add("psad1", Unit.I, "I2", I7c(1, 2, 3, 2), r1r2r3);
        // mpy4 / mpyshl4 (Itanium 9500; I2 layout, x2a=0). GNU as 2.40 knows them.
        b.Add("mpy4", Unit.I, "I2", I7c(4, 0, 1, 3), r1r2r3);
        b.Add("mpyshl4", Unit.I, "I2", I7c(4, 0, 3, 3), r1r2r3);

        // I3: mux1 r1=r2,mbtype4 (20..23): 0 @brcst, 8 @mix, 9 @shuf, 0xa @alt, 0xb @rev; other codes reserved.
        var mbtype = OperandSpec.Symbolic(Field.Bits(20, 4),
            "@brcst", "", "", "", "", "", "", "", "@mix", "@shuf", "@alt", "@rev", "", "", "", "");
        b.Add("mux1", Unit.I, "I3", I7c(1, 3, 2, 2), [O.R1, O.Eq, O.R2, mbtype]);
        // I4: mux2 r1=r2,mhtype8 (20..27); objdump prints it in hex.
        b.Add("mux2", Unit.I, "I4", I7c(2, 3, 2, 2),
            [O.R1, O.Eq, O.R2, OperandSpec.Imm(Field.Bits(20, 8), signed: false, hex: true)]);

        // I5: shift right variable, r1=r3,r2 (note the operand order).
        OperandSpec[] r1r3r2 = [O.R1, O.Eq, O.R3, O.R2];
        b.Add("pshr2", Unit.I, "I5", I7c(2, 0, 2, 0), r1r3r2);
        b.Add("pshr4", Unit.I, "I5", I7c(4, 0, 2, 0), r1r3r2);
        b.Add("shr", Unit.I, "I5", I7c(8, 0, 2, 0), r1r3r2);
        b.Add("pshr2.u", Unit.I, "I5", I7c(2, 0, 0, 0), r1r3r2);
        b.Add("pshr4.u", Unit.I, "I5", I7c(4, 0, 0, 0), r1r3r2);
        b.Add("shr.u", Unit.I, "I5", I7c(8, 0, 0, 0), r1r3r2);

        // I6: shift right fixed, r1=r3,count5 (count5b 14..18).
        var count5 = O.UImm((14, 5));
        b.Add("pshr2", Unit.I, "I6", I7c(2, 1, 3, 0), [O.R1, O.Eq, O.R3, count5]);
        b.Add("pshr4", Unit.I, "I6", I7c(4, 1, 3, 0), [O.R1, O.Eq, O.R3, count5]);
        b.Add("pshr2.u", Unit.I, "I6", I7c(2, 1, 1, 0), [O.R1, O.Eq, O.R3, count5]);
        b.Add("pshr4.u", Unit.I, "I6", I7c(4, 1, 1, 0), [O.R1, O.Eq, O.R3, count5]);

        // I7: shift left variable, r1=r2,r3.
        b.Add("pshl2", Unit.I, "I7", I7c(2, 0, 0, 1), r1r2r3);
        b.Add("pshl4", Unit.I, "I7", I7c(4, 0, 0, 1), r1r2r3);
        b.Add("shl", Unit.I, "I7", I7c(8, 0, 0, 1), r1r2r3);

        // I8: shift left fixed, r1=r2,count5; ccount5c (20..24) stores 31−count.
        var ccount5 = OperandSpec.ImmComplement(Field.Bits(20, 5), 31);
        b.Add("pshl2", Unit.I, "I8", I7c(2, 3, 1, 1), [O.R1, O.Eq, O.R2, ccount5]);
        b.Add("pshl4", Unit.I, "I8", I7c(4, 3, 1, 1), [O.R1, O.Eq, O.R2, ccount5]);

        // I9: popcnt r1=r3; clz r1=r3 (Itanium 9500; GNU as 2.40 knows it). The r2 field (13..19) is ignored.
        b.Add("popcnt", Unit.I, "I9", I7c(2, 1, 1, 2), [O.R1, O.Eq, O.R3]);
        b.Add("clz", Unit.I, "I9", I7c(2, 1, 1, 3), [O.R1, O.Eq, O.R3]);
    }

    /// <summary>I10–I15 (major opcodes 5 and 4): shrp, extr, dep.z, dep and the shl/shr/shr.u immediate pseudo-ops.</summary>
    private static void AddIShiftDeposit(TableBuilder b)
    {
        const InsnFlags Preferred = InsnFlags.Pseudo | InsnFlags.PreferDecode;
        // op 5, x2(34..35), x(33).
        static Pattern I5(int x2, int x) => Pattern.Major(5).F(34, 2, (ulong)x2).F(33, 1, (ulong)x);

        var len6 = OperandSpec.ImmBias(Field.Bits(27, 6), 1);        // len6d stores len−1, len 1–64
        var pos6 = O.UImm((14, 6));                                   // pos6b
        var cpos6c = OperandSpec.ImmComplement(Field.Bits(20, 6), 63); // cpos6c stores 63−pos

        // I10: shrp r1=r2,r3,count6 (count6d 27..32).
        b.Add("shrp", Unit.I, "I10", I5(3, 0), [O.R1, O.Eq, O.R2, O.R3, O.UImm((27, 6))]);

        // I11: extr{.u} r1=r3,pos6,len6; y(13): 0 unsigned, 1 signed.
        b.Add("extr.u", Unit.I, "I11", I5(1, 0).F(13, 1, 0), [O.R1, O.Eq, O.R3, pos6, len6]);
        b.Add("extr", Unit.I, "I11", I5(1, 0).F(13, 1, 1), [O.R1, O.Eq, O.R3, pos6, len6]);
        // shr{.u} r1=r3,count = extr{.u} r1=r3,count,64−count; objdump prints the pseudo when len = 64−pos.
        var shrCount = pos6.WithMirror(Field.Bits(27, 6), ValueMap.Complement, 63);
        b.Add("shr.u", Unit.I, "I11", I5(1, 0).F(13, 1, 0), [O.R1, O.Eq, O.R3, shrCount], Preferred);
        b.Add("shr", Unit.I, "I11", I5(1, 0).F(13, 1, 1), [O.R1, O.Eq, O.R3, shrCount], Preferred);

        // I12: dep.z r1=r2,pos6,len6; y(26)=0.
        b.Add("dep.z", Unit.I, "I12", I5(1, 1).F(26, 1, 0), [O.R1, O.Eq, O.R2, cpos6c, len6]);
        // shl r1=r2,count = dep.z r1=r2,count,64−count; objdump prints it (e.g. shl r2=r3,5).
        var shlCount = cpos6c.WithMirror(Field.Bits(27, 6), ValueMap.Complement, 63);
        b.Add("shl", Unit.I, "I12", I5(1, 1).F(26, 1, 0), [O.R1, O.Eq, O.R2, shlCount], Preferred);

        // I13: dep.z r1=imm8,pos6,len6; y(26)=1, imm8 = imm7b(13..19) | s(36).
        b.Add("dep.z", Unit.I, "I13", I5(1, 1).F(26, 1, 1), [O.R1, O.Eq, O.SImm((13, 7), (36, 1)), cpos6c, len6]);

        // I14: dep r1=imm1,r3,pos6,len6; imm1 is s(36), sign-extended (−1 or 0); cpos6b (14..19) stores 63−pos.
        b.Add("dep", Unit.I, "I14", I5(3, 1),
            [O.R1, O.Eq, O.SImm((36, 1)), O.R3, OperandSpec.ImmComplement(Field.Bits(14, 6), 63), len6]);

        // I15: dep r1=r2,r3,pos6,len4 (op 4); cpos6d (31..36) stores 63−pos, len4d (27..30) stores len−1.
        b.Add("dep", Unit.I, "I15", Pattern.Major(4),
            [O.R1, O.Eq, O.R2, O.R3, OperandSpec.ImmComplement(Field.Bits(31, 6), 63), OperandSpec.ImmBias(Field.Bits(27, 4), 1)]);
    }

    /// <summary>I16, I17, I30 (op 5, x2=0): tbit, tnat and tf, with every type and the .nz/.z complement aliases.</summary>
    private static void AddITest(TableBuilder b)
    {
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        // ta(33), tb(36), c(12) select the type; the alias spells the complement relation with p1 and p2 swapped.
        (string real, string alias, int ta, int tb, int c)[] types =
        [
            (".z", ".nz", 0, 0, 0),
            (".z.unc", ".nz.unc", 0, 0, 1),
            (".z.and", ".nz.andcm", 0, 1, 0),
            (".nz.and", ".z.andcm", 0, 1, 1),
            (".z.or", ".nz.orcm", 1, 0, 0),
            (".nz.or", ".z.orcm", 1, 0, 1),
            (".z.or.andcm", ".nz.and.orcm", 1, 1, 0),
            (".nz.or.andcm", ".z.and.orcm", 1, 1, 1),
        ];
        var tfImm = OperandSpec.ImmBias(Field.Bits(14, 5), 32); // imm5b holds feature − 32 (32–63)
        foreach (var (real, alias, ta, tb, c) in types)
        {
            var p = Pattern.Major(5).F(34, 2, 0).F(33, 1, (ulong)ta).F(36, 1, (ulong)tb).F(12, 1, (ulong)c);
            // I16: tbit p1,p2=r3,pos6; y(13)=0.
            var tbit = p.F(13, 1, 0);
            b.Add("tbit" + real, Unit.I, "I16", tbit, [O.P1, O.P2, O.Eq, O.R3, O.UImm((14, 6))]);
            b.Add("tbit" + alias, Unit.I, "I16", tbit, [O.P2, O.P1, O.Eq, O.R3, O.UImm((14, 6))], Alias);
            // I17: tnat p1,p2=r3; y(13)=1, x(19)=0.
            var tnat = p.F(13, 1, 1).F(19, 1, 0);
            b.Add("tnat" + real, Unit.I, "I17", tnat, [O.P1, O.P2, O.Eq, O.R3]);
            b.Add("tnat" + alias, Unit.I, "I17", tnat, [O.P2, O.P1, O.Eq, O.R3], Alias);
            // I30: tf p1,p2=imm5; y(13)=1, x(19)=1.
            var tf = p.F(13, 1, 1).F(19, 1, 1);
            b.Add("tf" + real, Unit.I, "I30", tf, [O.P1, O.P2, O.Eq, tfImm]);
            b.Add("tf" + alias, Unit.I, "I30", tf, [O.P2, O.P1, O.Eq, tfImm], Alias);
        }
    }
}
