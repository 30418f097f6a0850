namespace IvtGen.Isa;

public static partial class InstructionTable
{
    /// <summary>Signed 9-bit post-increment of loads (M3, M8, M15): imm7b(13..19), i(27), s(36).</summary>
    private static OperandSpec MImm9b() => O.SImm((13, 7), (27, 1), (36, 1));

    /// <summary>Signed 9-bit post-increment of stores (M5, M10): imm7a(6..12), i(27), s(36).</summary>
    private static OperandSpec MImm9a() => O.SImm((6, 7), (27, 1), (36, 1));

    /// <summary>
    /// [r3] of a base-update form: r3 is written, so r0 is an Illegal Operation (GNU: "Invalid use of `r0' as base
    /// update address operand").
    /// </summary>
    private static readonly OperandSpec MBase = O.Mem3.WithMinReg(1);

    /// <summary>Integer base-update loads: r1 and r3 must differ (SDM; GNU: "Invalid duplicate use").</summary>
    private static readonly MRegRules MLoadUpdateRules = MRegRules.Distinct(0, 1);

    /// <summary>
    /// Integer loads and stores (M1–M5), semaphores (M16, M17) and getf (M19): majors 4 and 5.
    /// Bits: m = 36, x = 27, x6 = 30–35 (low two bits the access size, high four the type), hint = 28–29.
    /// </summary>
    private static void AddMIntegerMemory(TableBuilder b)
    {
        b.Group("m.sz", Field.Bits(30, 2), ("1", 0), ("2", 1), ("4", 2), ("8", 3));
        // x6{5:2} of integer loads (SDM table 4-29).
        b.Group("m.ldtype", Field.Bits(32, 4), ("", 0), (".s", 1), (".a", 2), (".sa", 3), (".bias", 4),
            (".acq", 5), (".c.clr", 8), (".c.nc", 9), (".c.clr.acq", 10));
        // x6{5:2} of integer stores (SDM table 4-30).
        b.Group("m.sttype", Field.Bits(32, 4), ("", 0xc), (".rel", 0xd));
        // cmpxchg ordering: x6 0x00–0x03 .acq, 0x04–0x07 .rel (SDM table 4-31).
        b.Group("m.cxord", Field.Bits(32, 4), (".acq", 0), (".rel", 1));
        // fetchadd: x6 0x12/0x13 .acq, 0x16/0x17 .rel; size 4 or 8.
        b.Group("m.fasz", Field.Bits(30, 2), ("4", 2), ("8", 3));
        b.Group("m.faord", Field.Bits(32, 4), (".acq", 4), (".rel", 5));
        // cmp8xchg16: x6 0x20 .acq, 0x24 .rel.
        b.Group("m.c16ord", Field.Bits(32, 4), (".acq", 8), (".rel", 9));
        // getf/setf: x6 0x1c–0x1f (SDM tables 4-31, 4-32).
        b.Group("m.fxfer", Field.Bits(30, 6), ("sig", 0x1c), ("exp", 0x1d), ("s", 0x1e), ("d", 0x1f));

        var m1 = Pattern.Major(4).F(36, 1, 0).F(27, 1, 0);  // M1, M4: no base update
        var m2 = Pattern.Major(4).F(36, 1, 1).F(27, 1, 0);  // M2: base += r2
        var m16 = Pattern.Major(4).F(36, 1, 0).F(27, 1, 1); // M16–M19, ld16/st16
        var m3 = Pattern.Major(5);                          // M3, M5: base += imm9
        var csd = O.Fixed("ar.csd");

        // M1 / M2 / M3 — integer loads, all types, in the three addressing forms.
        b.Add("ld{m.sz}{m.ldtype}{m.ldhintx}", Unit.M, "M1", m1, [O.R1, O.Eq, O.Mem3]);
        b.Add("ld8.fill{m.ldhintx}", Unit.M, "M1", m1.F(30, 6, 0x1b), [O.R1, O.Eq, O.Mem3]);
        b.Add("ld{m.sz}{m.ldtype}{m.ldhint}", Unit.M, "M2", m2, [O.R1, O.Eq, MBase, O.R2], codec: MLoadUpdateRules);
        b.Add("ld8.fill{m.ldhint}", Unit.M, "M2", m2.F(30, 6, 0x1b), [O.R1, O.Eq, MBase, O.R2], codec: MLoadUpdateRules);
        b.Add("ld{m.sz}{m.ldtype}{m.ldhint}", Unit.M, "M3", m3, [O.R1, O.Eq, MBase, MImm9b()], codec: MLoadUpdateRules);
        b.Add("ld8.fill{m.ldhint}", Unit.M, "M3", m3.F(30, 6, 0x1b), [O.R1, O.Eq, MBase, MImm9b()], codec: MLoadUpdateRules);

        // ld16 (M1 with x = 1): GNU writes the second destination ar.csd; it also accepts the form without it.
        b.Add("ld16{m.ldhintx}", Unit.M, "M1", m16.F(30, 6, 0x28), [O.R1, csd, O.Eq, O.Mem3]);
        b.Add("ld16.acq{m.ldhintx}", Unit.M, "M1", m16.F(30, 6, 0x2c), [O.R1, csd, O.Eq, O.Mem3]);
        b.Add("ld16{m.ldhintx}", Unit.M, "M1", m16.F(30, 6, 0x28), [O.R1, O.Eq, O.Mem3],
            InsnFlags.Pseudo | InsnFlags.ParseOnly);
        b.Add("ld16.acq{m.ldhintx}", Unit.M, "M1", m16.F(30, 6, 0x2c), [O.R1, O.Eq, O.Mem3],
            InsnFlags.Pseudo | InsnFlags.ParseOnly);

        // M4 / M5 — integer stores (no register post-increment form exists).
        b.Add("st{m.sz}{m.sttype}{m.sthintx}", Unit.M, "M4", m1, [O.Mem3, O.Eq, O.R2]);
        b.Add("st8.spill{m.sthintx}", Unit.M, "M4", m1.F(30, 6, 0x3b), [O.Mem3, O.Eq, O.R2]);
        b.Add("st{m.sz}{m.sttype}{m.sthint}", Unit.M, "M5", m3, [MBase, O.Eq, O.R2, MImm9a()]);
        b.Add("st8.spill{m.sthint}", Unit.M, "M5", m3.F(30, 6, 0x3b), [MBase, O.Eq, O.R2, MImm9a()]);

        // st16 (M4 with x = 1): the source ar.csd is written last; GNU also accepts it left out.
        b.Add("st16{m.sthintx}", Unit.M, "M4", m16.F(30, 6, 0x30), [O.Mem3, O.Eq, O.R2, csd]);
        b.Add("st16.rel{m.sthintx}", Unit.M, "M4", m16.F(30, 6, 0x34), [O.Mem3, O.Eq, O.R2, csd]);
        b.Add("st16{m.sthintx}", Unit.M, "M4", m16.F(30, 6, 0x30), [O.Mem3, O.Eq, O.R2],
            InsnFlags.Pseudo | InsnFlags.ParseOnly);
        b.Add("st16.rel{m.sthintx}", Unit.M, "M4", m16.F(30, 6, 0x34), [O.Mem3, O.Eq, O.R2],
            InsnFlags.Pseudo | InsnFlags.ParseOnly);

        // M16 — compare and exchange, exchange; cmp8xchg16.
        b.Add("cmpxchg{m.sz}{m.cxord}{m.ldhint}", Unit.M, "M16", m16,
            [O.R1, O.Eq, O.Mem3, O.R2, O.Fixed("ar.ccv")]);
        b.Add("xchg{m.sz}{m.ldhint}", Unit.M, "M16", m16.F(32, 4, 2), [O.R1, O.Eq, O.Mem3, O.R2]);
        b.Add("cmp8xchg16{m.c16ord}{m.ldhint}", Unit.M, "M16", m16.F(30, 2, 0),
            [O.R1, O.Eq, O.Mem3, O.R2, csd, O.Fixed("ar.ccv")]);

        // M17 — fetchadd: inc3 is s(15) and i2b(13..14); as a 3-bit index (s:i2b) it selects
        // 16, 8, 4, 1, -16, -8, -4, -1 (SDM: i2b 0..3 = 16, 8, 4, 1; s negates).
        b.Add("fetchadd{m.fasz}{m.faord}{m.ldhint}", Unit.M, "M17", m16,
            [O.R1, O.Eq, O.Mem3, OperandSpec.ImmSet(Field.Bits(13, 3), 16, 8, 4, 1, -16, -8, -4, -1)]);

        // M19 — getf (no hint field).
        b.Add("getf.{m.fxfer}", Unit.M, "M19", m16, [O.R1, O.Eq, O.F2]);
    }
}
