namespace IvtGen.Isa;

// F-unit forms (SDM vol. 3 §4.6). Only what the M/I/B-centred tools need: nop/break/hint and the fmerge
// family with the pseudo-ops objdump prints for it (mov, fabs, fneg, fnegabs).
public static partial class InstructionTable
{
    static partial void AddF(TableBuilder b)
    {
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
    }
}
