using System;

namespace IvtGen.Isa;

// F-unit forms (SDM vol. 3 §4.6, formats F1–F16), spelled as GNU as 2.40 spells them. The status-field
// completer .s0 is always printed by objdump ("fma.s0"); omitting it is a parse-only alias.
// Pseudo-ops that objdump prints in place of the real form (fnorm, fadd, fmpy, mov, fabs, fpneg, xmpy, …) are
// Pseudo rows with more fixed bits than the real form, so the decoder's "most fixed bits" rule picks them;
// only those whose choice needs an operand equality (mov, fneg, fpneg: f2 == f3) carry PreferDecode.
public static partial class InstructionTable
{
    static partial void AddF(TableBuilder b)
    {
        b.Group("f.sf", Field.Bits(34, 2), (".s0", 0), ("~", 0), (".s1", 1), (".s2", 2), (".s3", 3));

        // F15/F16: op 0, x(33) = 0, x6 at 27–32; imm21 = i(36) : imm20a(6–25), printed in hex.
        var misc = Pattern.Major(0).F(33, 1, 0);
        var imm21 = OperandSpec.Imm(O.Bits((6, 20), (36, 1)), signed: false, hex: true);
        b.Add("break.f", Unit.F, "F15", misc.F(27, 6, 0x00), [imm21]);
        b.Add("nop.f", Unit.F, "F16", misc.F(27, 6, 0x01).F(26, 1, 0), [imm21]);
        b.Add("hint.f", Unit.F, "F16", misc.F(27, 6, 0x01).F(26, 1, 1), [imm21]);

        // F9: fmerge.s / .ns / .se f1=f2,f3 (x6 0x10 / 0x11 / 0x12).
        var fmergeS = misc.F(27, 6, 0x10);
        var fmergeNs = misc.F(27, 6, 0x11);
        b.Add("fmerge.s", Unit.F, "F9", fmergeS, [O.F1, O.Eq, O.F2, O.F3]);
        b.Add("fmerge.ns", Unit.F, "F9", fmergeNs, [O.F1, O.Eq, O.F2, O.F3]);
        b.Add("fmerge.se", Unit.F, "F9", misc.F(27, 6, 0x12), [O.F1, O.Eq, O.F2, O.F3]);

        // Pseudo-ops objdump prints instead of fmerge (SDM: mov f1=f3 = fmerge.s f1=f3,f3; fneg = fmerge.ns
        // f1=f3,f3; fabs = fmerge.s f1=f0,f3; fnegabs = fmerge.ns f1=f0,f3).
        // mov and fneg need f2 == f3: f3 is mirrored into the f2 field, and the decoder must check that.
        // They carry PreferDecode; fabs/fnegabs do not, because for f2 = f3 = f0 objdump prints
        // "mov f1=f0" / "fneg f1=f0"; otherwise fabs/fnegabs still beat fmerge by fixing f2 = 0 (more fixed bits).
        var f3AlsoF2 = O.F3.WithMirror(O.F_r2, ValueMap.None, 0);
        const InsnFlags Prefer = InsnFlags.Pseudo | InsnFlags.PreferDecode;
        b.Add("mov", Unit.F, "F9", fmergeS, [O.F1, O.Eq, f3AlsoF2], Prefer);
        b.Add("fneg", Unit.F, "F9", fmergeNs, [O.F1, O.Eq, f3AlsoF2], Prefer);
        b.Add("fabs", Unit.F, "F9", fmergeS.F(13, 7, 0), [O.F1, O.Eq, O.F3], InsnFlags.Pseudo);
        b.Add("fnegabs", Unit.F, "F9", fmergeNs.F(13, 7, 0), [O.F1, O.Eq, O.F3], InsnFlags.Pseudo);

        AddFArith(b);
        AddFParallel(b);
    }

    /// <summary>Scalar F-unit forms: F1–F14 other than the fmerge family.</summary>
    private static void AddFArith(TableBuilder b)
    {
        const InsnFlags Ps = InsnFlags.Pseudo;
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        var misc = Pattern.Major(0).F(33, 1, 0);

        // F1: (p)fma/fms/fnma f1=f3,f4,f2. Major opcode 8–D with x(36) selects the precision: op even x=0 "",
        // op even x=1 ".s", op odd x=0 ".d", op odd x=1 the parallel form; sf at 34–35.
        foreach (var (name, op) in new[] { ("fma", 8), ("fms", 0xA), ("fnma", 0xC) })
        {
            foreach (var (pc, major, x) in new[] { ("", op, 0), (".s", op, 1), (".d", op + 1, 0) })
            {
                var p = Pattern.Major(major).F(36, 1, (ulong)x);
                string sf = pc + "{f.sf}";
                b.Add(name + sf, Unit.F, "F1", p, [O.F1, O.Eq, O.F3, O.F4, O.F2]);
                // SDM pseudo-ops: fnorm = fma f1=f3,f1,f0 (fcvt.xuf spells the same bits), fadd = fma f1=f3,f1,f2,
                // fmpy = fma f1=f3,f4,f0; fsub = fms f1=f3,f1,f2; fnmpy = fnma f1=f3,f4,f0.
                if (name == "fma")
                {
                    b.Add("fnorm" + sf, Unit.F, "F1", p.F(27, 7, 1).F(13, 7, 0), [O.F1, O.Eq, O.F3], Ps);
                    b.Add("fcvt.xuf" + sf, Unit.F, "F1", p.F(27, 7, 1).F(13, 7, 0), [O.F1, O.Eq, O.F3], Alias);
                    b.Add("fadd" + sf, Unit.F, "F1", p.F(27, 7, 1), [O.F1, O.Eq, O.F3, O.F2], Ps);
                    b.Add("fmpy" + sf, Unit.F, "F1", p.F(13, 7, 0), [O.F1, O.Eq, O.F3, O.F4], Ps);
                }
                else if (name == "fms")
                    b.Add("fsub" + sf, Unit.F, "F1", p.F(27, 7, 1), [O.F1, O.Eq, O.F3, O.F2], Ps);
                else
                    b.Add("fnmpy" + sf, Unit.F, "F1", p.F(13, 7, 0), [O.F1, O.Eq, O.F3, O.F4], Ps);
            }
        }

        // F2: xma.l/.h/.hu f1=f3,f4,f2 (op E, x=1, x2 at 34–35); .lu spells .l. xmpy = xma with f2 = f0.
        b.Group("f.xma", Field.Bits(34, 2), (".l", 0), ("~.lu", 0), (".hu", 2), (".h", 3));
        var xma = Pattern.Major(0xE).F(36, 1, 1);
        b.Add("xma{f.xma}", Unit.F, "F2", xma, [O.F1, O.Eq, O.F3, O.F4, O.F2]);
        b.Add("xmpy{f.xma}", Unit.F, "F2", xma.F(13, 7, 0), [O.F1, O.Eq, O.F3, O.F4], Ps);
        // F3: fselect f1=f3,f4,f2 (op E, x=0).
        b.Add("fselect", Unit.F, "F3", Pattern.Major(0xE).F(36, 1, 0), [O.F1, O.Eq, O.F3, O.F4, O.F2]);

        // F4: fcmp.frel.fctype.sf p1,p2=f2,f3 (op 4). frel lives in ra(33) and rb(36): value = ra | rb << 1.
        b.Group("f.frel", new Field(new BitRange(33, 1), new BitRange(36, 1)),
            (".eq", 0), (".lt", 2), (".le", 1), (".unord", 3));
        b.Group("f.fctype", Field.Bits(12, 1), ("", 0), (".unc", 1));
        var fcmp = Pattern.Major(4);
        b.Add("fcmp{f.frel}{f.fctype}{f.sf}", Unit.F, "F4", fcmp, [O.P1, O.P2, O.Eq, O.F2, O.F3]);
        // The other relations swap the predicate targets and/or the sources of a real one (parse-only; objdump
        // prints the real relation: "fcmp.gt p1,p2=f2,f3" disassembles as "fcmp.lt.s0 p1,p2=f3,f2").
        foreach (var (rel, ra, rb, swapP, swapF) in new[]
        {
            ("gt", 0, 1, false, true), ("ge", 1, 0, false, true), ("neq", 0, 0, true, false),
            ("nlt", 0, 1, true, false), ("nle", 1, 0, true, false), ("ngt", 0, 1, true, true),
            ("nge", 1, 0, true, true), ("ord", 1, 1, true, false),
        })
        {
            OperandSpec[] ops = [swapP ? O.P2 : O.P1, swapP ? O.P1 : O.P2, O.Eq, swapF ? O.F3 : O.F2, swapF ? O.F2 : O.F3];
            b.Add("fcmp." + rel + "{f.fctype}{f.sf}", Unit.F, "F4", fcmp.F(33, 1, (ulong)ra).F(36, 1, (ulong)rb), ops, Alias);
        }

        // F5: fclass.m.fctype p1,p2=f2,fclass9 (op 5); fclass9 = fclass7c(20–26) : fc2(33–34), fc2 being the
        // sign bits (0x01 +, 0x02 -). GNU as rewrites a class mask that names a signed class (zero, unorm, norm,
        // inf: 0x3c) but neither sign into "both signs" (0x12c assembles as 0x12f), hence the codec. objdump
        // prints the value in hex. GNU also accepts the names @nat @qnan @snan @pos @neg @zero @unorm @norm @inf,
        // or-ed with '|'.
        var fclassOps = new OperandSpec[] { O.P1, O.P2, O.Eq, O.F2, OperandSpec.Coded(hex: true) };
        b.Add("fclass.m{f.fctype}", Unit.F, "F5", Pattern.Major(5), fclassOps, codec: FclassCodec.Instance);
        b.Add("fclass.nm{f.fctype}", Unit.F, "F5", Pattern.Major(5), [O.P2, O.P1, O.Eq, O.F2, OperandSpec.Coded(hex: true)],
            Alias, FclassCodec.Instance);

        // F6/F7: frcpa f1,p2=f2,f3 and frsqrta f1,p2=f3 (op 0, x=1, q(36) 0/1).
        b.Add("frcpa{f.sf}", Unit.F, "F6", Pattern.Major(0).F(33, 1, 1).F(36, 1, 0), [O.F1, O.P2, O.Eq, O.F2, O.F3]);
        b.Add("frsqrta{f.sf}", Unit.F, "F7", Pattern.Major(0).F(33, 1, 1).F(36, 1, 1), [O.F1, O.P2, O.Eq, O.F3]);

        // F8: fmin/fmax/famin/famax.sf f1=f2,f3 (x6 0x14–0x17).
        foreach (var (name, x6) in new[] { ("fmin", 0x14), ("fmax", 0x15), ("famin", 0x16), ("famax", 0x17) })
            b.Add(name + "{f.sf}", Unit.F, "F8", misc.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F2, O.F3]);

        // F9: other two-source merges and logicals f1=f2,f3 (no sf).
        foreach (var (name, x6) in new[]
        {
            ("fmix.lr", 0x39), ("fmix.r", 0x3a), ("fmix.l", 0x3b), ("fsxt.r", 0x3c), ("fsxt.l", 0x3d),
            ("fpack", 0x28), ("fswap", 0x34), ("fswap.nl", 0x35), ("fswap.nr", 0x36),
            ("fand", 0x2c), ("fandcm", 0x2d), ("for", 0x2e), ("fxor", 0x2f),
        })
            b.Add(name, Unit.F, "F9", misc.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F2, O.F3]);

        // F10: fcvt.fx[u][.trunc].sf f1=f2 (x6 0x18–0x1b); F11: fcvt.xf f1=f2 (x6 0x1c).
        foreach (var (name, x6) in new[] { ("fcvt.fx", 0x18), ("fcvt.fxu", 0x19), ("fcvt.fx.trunc", 0x1a), ("fcvt.fxu.trunc", 0x1b) })
            b.Add(name + "{f.sf}", Unit.F, "F10", misc.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F2]);
        b.Add("fcvt.xf", Unit.F, "F11", misc.F(27, 6, 0x1c), [O.F1, O.Eq, O.F2]);

        // F12: fsetc.sf amask7,omask7 (x6 0x04; amask7b 13–19, omask7c 20–26; objdump prints hex).
        b.Add("fsetc{f.sf}", Unit.F, "F12", misc.F(27, 6, 0x04),
            [OperandSpec.Imm(Field.Bits(13, 7), signed: false, hex: true), OperandSpec.Imm(Field.Bits(20, 7), signed: false, hex: true)]);
        // F13: fclrf.sf (x6 0x05). F14: fchkf.sf target25 (x6 0x08; imm20a 6–25, s 36): branches to recovery
        // code when the sf flags disagree with the main status field.
        b.Add("fclrf{f.sf}", Unit.F, "F13", misc.F(27, 6, 0x05), []);
        b.Add("fchkf{f.sf}", Unit.F, "F14", misc.F(27, 6, 0x08), [O.Target((6, 20), (36, 1))], InsnFlags.Branch);
    }

    /// <summary>Parallel (paired single) F-unit forms in major opcode 1, beside their scalar twins in opcode 0.</summary>
    private static void AddFParallel(TableBuilder b)
    {
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        var par = Pattern.Major(1).F(33, 1, 0);

        b.Add("fprcpa{f.sf}", Unit.F, "F6", Pattern.Major(1).F(33, 1, 1).F(36, 1, 0), [O.F1, O.P2, O.Eq, O.F2, O.F3]);
        b.Add("fprsqrta{f.sf}", Unit.F, "F7", Pattern.Major(1).F(33, 1, 1).F(36, 1, 1), [O.F1, O.P2, O.Eq, O.F3]);

        foreach (var (name, x6) in new[] { ("fpmin", 0x14), ("fpmax", 0x15), ("fpamin", 0x16), ("fpamax", 0x17) })
            b.Add(name + "{f.sf}", Unit.F, "F8", par.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F2, O.F3]);

        // fpcmp.frel.sf f1=f2,f3 (x6 0x30–0x37); gt/ge/ngt/nge swap the sources of lt/le/nlt/nle (parse-only).
        b.Group("f.fprel", Field.Bits(27, 6), (".eq", 0x30), (".lt", 0x31), (".le", 0x32), (".unord", 0x33),
            (".neq", 0x34), (".nlt", 0x35), (".nle", 0x36), (".ord", 0x37));
        b.Add("fpcmp{f.fprel}{f.sf}", Unit.F, "F8", par, [O.F1, O.Eq, O.F2, O.F3]);
        foreach (var (rel, x6) in new[] { ("gt", 0x31), ("ge", 0x32), ("ngt", 0x35), ("nge", 0x36) })
            b.Add("fpcmp." + rel + "{f.sf}", Unit.F, "F8", par.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F3, O.F2], Alias);

        // F9: fpmerge.s/.ns/.se and their pseudo-ops (as for fmerge; there is no parallel "mov").
        var fpmergeS = par.F(27, 6, 0x10);
        var fpmergeNs = par.F(27, 6, 0x11);
        b.Add("fpmerge.s", Unit.F, "F9", fpmergeS, [O.F1, O.Eq, O.F2, O.F3]);
        b.Add("fpmerge.ns", Unit.F, "F9", fpmergeNs, [O.F1, O.Eq, O.F2, O.F3]);
        b.Add("fpmerge.se", Unit.F, "F9", par.F(27, 6, 0x12), [O.F1, O.Eq, O.F2, O.F3]);
        b.Add("fpneg", Unit.F, "F9", fpmergeNs, [O.F1, O.Eq, O.F3.WithMirror(O.F_r2, ValueMap.None, 0)],
            InsnFlags.Pseudo | InsnFlags.PreferDecode);
        b.Add("fpabs", Unit.F, "F9", fpmergeS.F(13, 7, 0), [O.F1, O.Eq, O.F3], InsnFlags.Pseudo);
        b.Add("fpnegabs", Unit.F, "F9", fpmergeNs.F(13, 7, 0), [O.F1, O.Eq, O.F3], InsnFlags.Pseudo);

        // F10: fpcvt.fx[u][.trunc].sf f1=f2.
        foreach (var (name, x6) in new[] { ("fpcvt.fx", 0x18), ("fpcvt.fxu", 0x19), ("fpcvt.fx.trunc", 0x1a), ("fpcvt.fxu.trunc", 0x1b) })
            b.Add(name + "{f.sf}", Unit.F, "F10", par.F(27, 6, (ulong)x6), [O.F1, O.Eq, O.F2]);

        // F1 parallel forms: fpma/fpms/fpnma f1=f3,f4,f2 (odd major opcode, x = 1); fpmpy/fpnmpy = f2 = f0.
        foreach (var (name, op) in new[] { ("fpma", 9), ("fpms", 0xB), ("fpnma", 0xD) })
        {
            var p = Pattern.Major(op).F(36, 1, 1);
            b.Add(name + "{f.sf}", Unit.F, "F1", p, [O.F1, O.Eq, O.F3, O.F4, O.F2]);
            if (name != "fpms")
                b.Add((name == "fpma" ? "fpmpy" : "fpnmpy") + "{f.sf}", Unit.F, "F1", p.F(13, 7, 0), [O.F1, O.Eq, O.F3, O.F4], InsnFlags.Pseudo);
        }
    }

    /// <summary>
    /// fclass9 of format F5 (always the fourth operand): pieces fc2 (33–34) low, fclass7c (20–26) high. Only the
    /// encodings GNU as can produce decode (a mask naming a signed class but no sign would re-encode differently).
    /// A lookup of the written mask into its own field, so the compiled encoding takes it over (<see cref="IFormCodecRules"/>).
    /// </summary>
    private sealed class FclassCodec : IFormCodec, IFormCodecCoverage, IFormCodecRules
    {
        public static readonly FclassCodec Instance = new();
        private const int Index = 3, Masks = 0x200;
        private static readonly Field s_field = O.Bits((33, 2), (20, 7));

        public ulong CoveredSlot => (0x3UL << 33) | (0x7fUL << 20);
        public ulong CoveredLong => 0;

        public OperandRule[] Rules => Array.Empty<OperandRule>();
        public CodedField[] Fields => [new CodedField(Index, s_field, Masks, Canonical)];

        public string? Encode(long[] values, ref InsnWord word)
        {
            long v = values[Index];
            if (v < 0 || v >= Masks) return "fclass mask must be 0..0x1ff";
            s_field.Insert(ref word, (ulong)Canonical(v));
            return null;
        }

        public bool Decode(in InsnWord word, long[] values)
        {
            long v = (long)s_field.Extract(word);
            values[Index] = v;
            return Canonical(v) == v;
        }

        // As GNU as does: a signed class (zero 0x04, unorm 0x08, norm 0x10, inf 0x20) with neither sign
        // (+ 0x01, - 0x02) means both signs.
        private static long Canonical(long v) => (v & 0x3c) != 0 && (v & 3) == 0 ? v | 3 : v;
    }
}
