namespace IvtGen.Isa;

public static partial class InstructionTable
{
    /// <summary>
    /// Floating-point loads and stores (M6–M10), load pairs (M11, M12), line prefetch (M13–M15) and setf (M18):
    /// majors 6 and 7. Same bit layout as the integer memory rows: m = 36, x = 27, x6 = 30–35, hint = 28–29.
    /// </summary>
    /// <summary>ldfp: f1 and f2 must be one odd and one even register (SDM; GNU: "Invalid simultaneous use"), in the same bank.</summary>
    private static readonly MRegRules MPairRules = MRegRules.OddEven(0, 1);

    private static void AddMFloatMemory(TableBuilder b)
    {
        // x6{1:0} of FP loads and stores (SDM tables 4-34, 4-35): e = 0, 8 = 1, s = 2, d = 3.
        b.Group("m.fsz", Field.Bits(30, 2), ("e", 0), ("8", 1), ("s", 2), ("d", 3));
        // x6{5:2} of FP loads.
        b.Group("m.fldtype", Field.Bits(32, 4), ("", 0), (".s", 1), (".a", 2), (".sa", 3), (".c.clr", 8), (".c.nc", 9));
        // Load pairs have no extended-precision form.
        b.Group("m.fpsz", Field.Bits(30, 2), ("8", 1), ("s", 2), ("d", 3));
        // lfetch: x6 0x2c–0x2f.
        b.Group("m.lftype", Field.Bits(30, 2), ("", 0), (".excl", 1), (".fault", 2), (".fault.excl", 3));

        var m6 = Pattern.Major(6).F(36, 1, 0).F(27, 1, 0);   // M6, M9, M13: no base update
        var m7 = Pattern.Major(6).F(36, 1, 1).F(27, 1, 0);   // M7, M14: base += r2
        var m11 = Pattern.Major(6).F(36, 1, 0).F(27, 1, 1);  // M11, M18
        var m12 = Pattern.Major(6).F(36, 1, 1).F(27, 1, 1);  // M12: base += 8 or 16
        var m8 = Pattern.Major(7);                           // M8, M10, M15: base += imm9

        // M6 / M7 / M8 — FP loads.
        b.Add("ldf{m.fsz}{m.fldtype}{m.ldhintx}", Unit.M, "M6", m6, [O.F1, O.Eq, O.Mem3]);
        b.Add("ldf.fill{m.ldhintx}", Unit.M, "M6", m6.F(30, 6, 0x1b), [O.F1, O.Eq, O.Mem3]);
        b.Add("ldf{m.fsz}{m.fldtype}{m.ldhint}", Unit.M, "M7", m7, [O.F1, O.Eq, MBase, O.R2]);
        b.Add("ldf.fill{m.ldhint}", Unit.M, "M7", m7.F(30, 6, 0x1b), [O.F1, O.Eq, MBase, O.R2]);
        b.Add("ldf{m.fsz}{m.fldtype}{m.ldhint}", Unit.M, "M8", m8, [O.F1, O.Eq, MBase, MImm9b()]);
        b.Add("ldf.fill{m.ldhint}", Unit.M, "M8", m8.F(30, 6, 0x1b), [O.F1, O.Eq, MBase, MImm9b()]);

        // M9 / M10 — FP stores (x6 0x30–0x33, stf.spill 0x3b); no register post-increment form.
        b.Add("stf{m.fsz}{m.sthintx}", Unit.M, "M9", m6.F(32, 4, 0xc), [O.Mem3, O.Eq, O.F2]);
        b.Add("stf.spill{m.sthintx}", Unit.M, "M9", m6.F(30, 6, 0x3b), [O.Mem3, O.Eq, O.F2]);
        b.Add("stf{m.fsz}{m.sthint}", Unit.M, "M10", m8.F(32, 4, 0xc), [MBase, O.Eq, O.F2, MImm9a()]);
        b.Add("stf.spill{m.sthint}", Unit.M, "M10", m8.F(30, 6, 0x3b), [MBase, O.Eq, O.F2, MImm9a()]);

        // M11 / M12 — FP load pairs. The post-increment is implied by the size (8 for ldfps, 16 otherwise);
        // GNU requires it written, as a literal third source.
        b.Add("ldfp{m.fpsz}{m.fldtype}{m.ldhint}", Unit.M, "M11", m11, [O.F1, O.F2, O.Eq, O.Mem3], codec: MPairRules);
        b.Add("ldfps{m.fldtype}{m.ldhint}", Unit.M, "M12", m12.F(30, 2, 2), [O.F1, O.F2, O.Eq, MBase, O.Fixed("8")], codec: MPairRules);
        b.Add("ldfpd{m.fldtype}{m.ldhint}", Unit.M, "M12", m12.F(30, 2, 3), [O.F1, O.F2, O.Eq, MBase, O.Fixed("16")], codec: MPairRules);
        b.Add("ldfp8{m.fldtype}{m.ldhint}", Unit.M, "M12", m12.F(30, 2, 1), [O.F1, O.F2, O.Eq, MBase, O.Fixed("16")], codec: MPairRules);

        // M13 / M14 / M15 — line prefetch (x6 0x2c–0x2f). No '=': the base register is the only operand.
        b.Add("lfetch{m.lftype}{m.lfhint}", Unit.M, "M13", m6.F(32, 4, 0xb), [O.Mem3]);
        b.Add("lfetch{m.lftype}{m.lfhint}", Unit.M, "M14", m7.F(32, 4, 0xb), [MBase, O.R2]);
        b.Add("lfetch{m.lftype}{m.lfhint}", Unit.M, "M15", m8.F(32, 4, 0xb), [MBase, MImm9b()]);

        // Itanium 9500: lfetch.count [r3],cnt,stride — M13 (x6 0x2c only) with bit 19 set; cnt6 = cnt−1 in
        // bits 6–11 (1..64), stride5 in bits 13–17 in units of 64 bytes (−1024..960). Bit 18 is ignored.
        b.Add("lfetch.count{m.lfhint}", Unit.M, "M13", m6.F(30, 6, 0x2c).F(19, 1, 1),
            [O.Mem3, OperandSpec.ImmBias(Field.Bits(6, 6), 1), OperandSpec.Imm(Field.Bits(13, 5), signed: true, shift: 6)]);

        // M18 — setf (no hint field).
        b.Add("setf.{m.fxfer}", Unit.M, "M18", m11, [O.F1, O.Eq, O.R2]);
    }
}
