namespace IvtGen.Isa;

public static partial class InstructionTable
{
    private const InsnFlags MPriv = InsnFlags.Privileged;
    private const InsnFlags MSens = InsnFlags.Sensitive;
    private const InsnFlags MParseAlias = InsnFlags.Pseudo | InsnFlags.ParseOnly;

    /// <summary>
    /// Majors 0 and 1 of the M unit (SDM M20–M48): speculation checks, memory ordering and serialization,
    /// register stack, moves to and from application, control, PSR and indirect registers, the translation
    /// caches and registers, probes, alloc, break/nop/hint.
    /// <para>Group placement (FirstInGroup/LastInGroup) follows the SDM instruction pages and GNU's opcode table
    /// (opcodes/ia64-opc-m.c marks alloc, flushrs and loadrs FIRST and itc.i, itc.d, ptc.g and ptc.ga LAST;
    /// gas/config/tc-ia64.c rejects a LAST instruction that is not followed by a stop: "`itc.d' must be last in
    /// instruction group"). The SDM says the same on those pages: alloc/flushrs/loadrs "must be the first
    /// instruction in an instruction group"; itc and ptc.g/ptc.ga "must be the last instruction in an instruction
    /// group; otherwise, its behavior (including its ordering semantics) is undefined". itr, ptr, ptc.l, ptc.e,
    /// rsm/ssm and mov-to-PSR carry no placement rule (they rely on srlz instead).</para>
    /// <para>Privileged per the SDM (and GNU's PRIV flag): rsm, ssm, mov to/from CR, mov psr.l=, mov =psr, itc,
    /// itr, ptc.*, ptr.*, tpa, tak, mov to any indirect file, mov from rr/dbr/ibr/pkr/pmc/msr. Not privileged:
    /// sum, rum, psr.um moves, probe, fc, thash, ttag, reads of pmd and cpuid.</para>
    /// <para>Sensitive (not privileged, but their result reveals machine state a hypervisor virtualizes; the Linux
    /// paravirt IVT replaces or forbids each of them): thash, ttag (VHPT/region state), fc and fc.i (Xen's FC
    /// hyperprivop), mov =cpuid[] and mov =pmd[] (GET_CPUID, GET_PMD), reads of ar.itc (MOV_FROM_ITC) and
    /// ar.ruc, reads and writes of ar.eflag (GET_EFLAG/SET_EFLAG). Writes of ar.itc are privileged and also marked
    /// sensitive; writes of ar.k0–ar.k7 and ar.ruc are privileged (SET_KR).</para>
    /// </summary>
    private static void AddMSystem(TableBuilder b)
    {
        AddMMajor0(b);
        AddMMajor1(b);
    }

    /// <summary>Major 0: x3 = bits 33–35; with x3 = 0, x4 = bits 27–30 and x2 = bits 31–32.</summary>
    private static void AddMMajor0(TableBuilder b)
    {
        var op0 = Pattern.Major(0);
        Pattern X4X2(int x4, int x2) => op0.F(33, 3, 0).F(27, 4, (ulong)x4).F(31, 2, (ulong)x2);

        // M22 / M23 — chk.a: target25 = imm20b(13..32), s(36), in bundles.
        var tgt22 = O.Target((13, 20), (36, 1));
        b.Add("chk.a.nc", Unit.M, "M22", op0.F(33, 3, 4), [O.R1, tgt22], InsnFlags.Branch);
        b.Add("chk.a.clr", Unit.M, "M22", op0.F(33, 3, 5), [O.R1, tgt22], InsnFlags.Branch);
        b.Add("chk.a.nc", Unit.M, "M23", op0.F(33, 3, 6), [O.F1, tgt22], InsnFlags.Branch);
        b.Add("chk.a.clr", Unit.M, "M23", op0.F(33, 3, 7), [O.F1, tgt22], InsnFlags.Branch);

        // M24 — invalidate, fence, serialize. GNU ignores bits 6–26 and 36 here.
        b.Add("invala", Unit.M, "M24", X4X2(0, 1), []);
        b.Add("fwb", Unit.M, "M24", X4X2(0, 2), []);
        b.Add("mf", Unit.M, "M24", X4X2(2, 2), []);
        b.Add("mf.a", Unit.M, "M24", X4X2(3, 2), []);
        b.Add("srlz.d", Unit.M, "M24", X4X2(0, 3), []);
        b.Add("srlz.i", Unit.M, "M24", X4X2(1, 3), []);
        b.Add("sync.i", Unit.M, "M24", X4X2(3, 3), []);

        // M25 — register stack: SDM "must be the first instruction in an instruction group" (GNU: FIRST).
        // They cannot be predicated (GNU: NO_PRED, "`flushrs' cannot be predicated"): qp is fixed to p0.
        b.Add("flushrs", Unit.M, "M25", X4X2(0xc, 0).F(0, 6, 0), [], InsnFlags.FirstInGroup);
        b.Add("loadrs", Unit.M, "M25", X4X2(0xa, 0).F(0, 6, 0), [], InsnFlags.FirstInGroup);

        // M26 / M27 — invala.e.
        b.Add("invala.e", Unit.M, "M26", X4X2(2, 1), [O.R1]);
        b.Add("invala.e", Unit.M, "M27", X4X2(3, 1), [O.F1]);

        // M30 — mov.m ar3=imm8: imm7b(13..19), s(36). Kernel registers and ar.itc/ar.ruc first: the decoder
        // prefers these rows (more fixed bits) and so reports their flags.
        var imm8 = O.SImm((13, 7), (36, 1));
        var m30 = X4X2(8, 2);
        AddMArWrites(b, "M30", m30, imm8);
        b.Add("mov.m", Unit.M, "M30", m30, [O.Ar3M, O.Eq, imm8]);
        b.Add("mov", Unit.M, "M30", m30, [O.Ar3M, O.Eq, imm8], MParseAlias);

        // M37 — break.m imm21 = imm20a(6..25), i(36). GNU ignores bit 26 for break.m.
        var imm21 = OperandSpec.Imm(O.Bits((6, 20), (36, 1)), signed: false, hex: true);
        b.Add("break.m", Unit.M, "M37", X4X2(0, 0), [imm21]);

        // M48 — nop.m (y = bit 26 = 0) and hint.m (y = 1). GNU 2.40's hint.m immediate is 19 bits:
        // bits 6–9, 12–25 and 36; bits 10–11 must be zero (bit 10 selects mov dahr below).
        b.Add("nop.m", Unit.M, "M48", X4X2(1, 0).F(26, 1, 0), [imm21]);
        var hintImm = OperandSpec.Imm(O.Bits((6, 4), (12, 14), (36, 1)), signed: false);
        var hintPat = X4X2(1, 0).F(26, 1, 1).F(10, 2, 0);
        b.Add("hint.m", Unit.M, "M48", hintPat, [hintImm]);
        // GNU also accepts the names of the defined hints: @pause = 0, @priority = 1.
        b.Add("hint.m", Unit.M, "M48", hintPat.F(12, 14, 0).F(36, 1, 0).F(8, 2, 0),
            [OperandSpec.Symbolic(Field.Bits(6, 2), "@pause", "@priority", "", "")], MParseAlias);

        // GNU also accepts the unit-less spellings nop, break and hint and picks the unit from the slot.
        b.Add("break", Unit.M, "M37", X4X2(0, 0), [imm21], MParseAlias);
        b.Add("nop", Unit.M, "M48", X4X2(1, 0).F(26, 1, 0), [imm21], MParseAlias);
        b.Add("hint", Unit.M, "M48", hintPat, [hintImm], MParseAlias);
        b.Add("hint", Unit.M, "M48", hintPat.F(12, 14, 0).F(36, 1, 0).F(8, 2, 0),
            [OperandSpec.Symbolic(Field.Bits(6, 2), "@pause", "@priority", "", "")], MParseAlias);

        // Itanium 9500: mov dahrN=imm16 — M48 space with y = 1 and bit 10 set; N in bits 23–25,
        // imm16 = bits 6–9, 12–22 and 36.
        b.Add("mov", Unit.M, "M48", X4X2(1, 0).F(26, 1, 1).F(10, 2, 1),
            [OperandSpec.Symbolic(Field.Bits(23, 3), "dahr0", "dahr1", "dahr2", "dahr3", "dahr4", "dahr5", "dahr6", "dahr7"),
             O.Eq, OperandSpec.Imm(O.Bits((6, 4), (12, 11), (36, 1)), signed: false)]);

        // M44 — system/user mask: imm24 = imm21a(6..26), i2d(31..32), i(36).
        var imm24 = OperandSpec.Imm(O.Bits((6, 21), (31, 2), (36, 1)), signed: false, hex: true);
        Pattern X4(int x4) => op0.F(33, 3, 0).F(27, 4, (ulong)x4);
        b.Add("sum", Unit.M, "M44", X4(4), [imm24]);
        b.Add("rum", Unit.M, "M44", X4(5), [imm24]);
        b.Add("ssm", Unit.M, "M44", X4(6), [imm24], MPriv);
        b.Add("rsm", Unit.M, "M44", X4(7), [imm24], MPriv);
    }

    /// <summary>Major 1: x3 = bits 33–35; with x3 = 0, x6 = bits 27–32. GNU ignores bit 36 except for fc/fc.i.</summary>
    private static void AddMMajor1(TableBuilder b)
    {
        var op1 = Pattern.Major(1);
        Pattern X6(int x6) => op1.F(33, 3, 0).F(27, 6, (ulong)x6);

        // M20 / M21 — chk.s: target25 = imm7a(6..12), imm13c(20..32), s(36). objdump names the GR form chk.s.m;
        // GNU accepts plain chk.s for it in an M slot.
        var tgt20 = O.Target((6, 7), (20, 13), (36, 1));
        b.Add("chk.s.m", Unit.M, "M20", op1.F(33, 3, 1), [O.R2, tgt20], InsnFlags.Branch);
        b.Add("chk.s", Unit.M, "M20", op1.F(33, 3, 1), [O.R2, tgt20], InsnFlags.Branch | MParseAlias);
        b.Add("chk.s", Unit.M, "M21", op1.F(33, 3, 3), [O.F2, tgt20], InsnFlags.Branch);

        // M29 / M31 — moves to and from application registers.
        AddMArWrites(b, "M29", X6(0x2a), O.R2);
        b.Add("mov.m", Unit.M, "M29", X6(0x2a), [O.Ar3M, O.Eq, O.R2]);
        b.Add("mov", Unit.M, "M29", X6(0x2a), [O.Ar3M, O.Eq, O.R2], MParseAlias);
        AddMArReads(b, X6(0x22));
        b.Add("mov.m", Unit.M, "M31", X6(0x22), [O.R1, O.Eq, O.Ar3M]);
        b.Add("mov", Unit.M, "M31", X6(0x22), [O.R1, O.Eq, O.Ar3M], MParseAlias);

        // M32 / M33 — control registers (privileged).
        b.Add("mov", Unit.M, "M32", X6(0x2c), [O.Cr3, O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M33", X6(0x24), [O.R1, O.Eq, O.Cr3], MPriv);

        // M34 — alloc r1=ar.pfs,i,l,o,r: sof(13..19) = i+l+o, sol(20..26) = i+l, sor(27..30) = r/8.
        // SDM: "must be the first instruction in an instruction group" (GNU: FIRST). GNU ignores bits 31, 32, 36.
        // GNU also accepts the form without ar.pfs. alloc cannot be predicated (GNU: NO_PRED): qp is fixed to p0.
        var alloc = op1.F(33, 3, 6).F(0, 6, 0);
        b.Add("alloc", Unit.M, "M34", alloc,
            [O.R1, O.Eq, O.Fixed("ar.pfs"), OperandSpec.Coded(), OperandSpec.Coded(), OperandSpec.Coded(), OperandSpec.Coded()],
            InsnFlags.FirstInGroup, new MAllocCodec(2));
        b.Add("alloc", Unit.M, "M34", alloc,
            [O.R1, O.Eq, OperandSpec.Coded(), OperandSpec.Coded(), OperandSpec.Coded(), OperandSpec.Coded()],
            InsnFlags.FirstInGroup | MParseAlias, new MAllocCodec(1));

        // M35 / M36 — PSR.
        b.Add("mov", Unit.M, "M35", X6(0x2d), [O.Fixed("psr.l"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M35", X6(0x29), [O.Fixed("psr.um"), O.Eq, O.R2]);
        b.Add("mov", Unit.M, "M36", X6(0x25), [O.R1, O.Eq, O.Fixed("psr")], MPriv);
        b.Add("mov", Unit.M, "M36", X6(0x21), [O.R1, O.Eq, O.Fixed("psr.um")]);

        // M38 / M39 / M40 — probe: imm2 in bits 13–14.
        var imm2 = O.UImm((13, 2));
        b.Add("probe.r", Unit.M, "M38", X6(0x38), [O.R1, O.Eq, O.R3, O.R2]);
        b.Add("probe.w", Unit.M, "M38", X6(0x39), [O.R1, O.Eq, O.R3, O.R2]);
        b.Add("probe.r", Unit.M, "M39", X6(0x18), [O.R1, O.Eq, O.R3, imm2]);
        b.Add("probe.w", Unit.M, "M39", X6(0x19), [O.R1, O.Eq, O.R3, imm2]);
        b.Add("probe.rw.fault", Unit.M, "M40", X6(0x31), [O.R3, imm2]);
        b.Add("probe.r.fault", Unit.M, "M40", X6(0x32), [O.R3, imm2]);
        b.Add("probe.w.fault", Unit.M, "M40", X6(0x33), [O.R3, imm2]);

        // M41 — itc: SDM "must be the last instruction in an instruction group" (GNU: LAST).
        b.Add("itc.d", Unit.M, "M41", X6(0x2e), [O.R2], MPriv | InsnFlags.LastInGroup);
        b.Add("itc.i", Unit.M, "M41", X6(0x2f), [O.R2], MPriv | InsnFlags.LastInGroup);

        // M42 — moves to indirect register files, and itr (GNU writes itr.d dtr[r3]=r2, itr.i itr[r3]=r2).
        b.Add("mov", Unit.M, "M42", X6(0x00), [O.Ind("rr"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x01), [O.Ind("dbr"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x02), [O.Ind("ibr"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x03), [O.Ind("pkr"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x04), [O.Ind("pmc"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x05), [O.Ind("pmd"), O.Eq, O.R2], MPriv);
        b.Add("mov", Unit.M, "M42", X6(0x06), [O.Ind("msr"), O.Eq, O.R2], MPriv);
        b.Add("itr.d", Unit.M, "M42", X6(0x0e), [O.Ind("dtr"), O.Eq, O.R2], MPriv);
        b.Add("itr.i", Unit.M, "M42", X6(0x0f), [O.Ind("itr"), O.Eq, O.R2], MPriv);

        // M43 — moves from indirect register files. pmd and cpuid reads are not privileged (pmd reads are
        // governed by PSR.sp) but a hypervisor virtualizes both.
        b.Add("mov", Unit.M, "M43", X6(0x10), [O.R1, O.Eq, O.Ind("rr")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x11), [O.R1, O.Eq, O.Ind("dbr")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x12), [O.R1, O.Eq, O.Ind("ibr")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x13), [O.R1, O.Eq, O.Ind("pkr")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x14), [O.R1, O.Eq, O.Ind("pmc")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x15), [O.R1, O.Eq, O.Ind("pmd")], MSens);
        b.Add("mov", Unit.M, "M43", X6(0x16), [O.R1, O.Eq, O.Ind("msr")], MPriv);
        b.Add("mov", Unit.M, "M43", X6(0x17), [O.R1, O.Eq, O.Ind("cpuid")], MSens);
        // Itanium 9500: mov r1=dahr[r3].
        b.Add("mov", Unit.M, "M43", X6(0x20), [O.R1, O.Eq, O.Ind("dahr")]);

        // M45 — purges. ptc.g/ptc.ga: SDM "must be the last instruction in an instruction group" (GNU: LAST).
        b.Add("ptc.l", Unit.M, "M45", X6(0x09), [O.R3, O.R2], MPriv);
        b.Add("ptc.g", Unit.M, "M45", X6(0x0a), [O.R3, O.R2], MPriv | InsnFlags.LastInGroup);
        b.Add("ptc.ga", Unit.M, "M45", X6(0x0b), [O.R3, O.R2], MPriv | InsnFlags.LastInGroup);
        b.Add("ptr.d", Unit.M, "M45", X6(0x0c), [O.R3, O.R2], MPriv);
        b.Add("ptr.i", Unit.M, "M45", X6(0x0d), [O.R3, O.R2], MPriv);

        // M46 — translation hash/tag/physical address/access key.
        b.Add("thash", Unit.M, "M46", X6(0x1a), [O.R1, O.Eq, O.R3], MSens);
        b.Add("ttag", Unit.M, "M46", X6(0x1b), [O.R1, O.Eq, O.R3], MSens);
        b.Add("tpa", Unit.M, "M46", X6(0x1e), [O.R1, O.Eq, O.R3], MPriv);
        b.Add("tak", Unit.M, "M46", X6(0x1f), [O.R1, O.Eq, O.R3], MPriv);

        // M28 — fc (x = bit 36 = 0) and fc.i (x = 1); M47 — ptc.e.
        b.Add("fc", Unit.M, "M28", X6(0x30).F(36, 1, 0), [O.R3], MSens);
        b.Add("fc.i", Unit.M, "M28", X6(0x30).F(36, 1, 1), [O.R3], MSens);
        b.Add("ptc.e", Unit.M, "M47", X6(0x34), [O.R3], MPriv);
    }

    /// <summary>
    /// mov.m to the application registers whose writes are privileged or virtualized (SDM vol. 1 §3.1.8 and vol. 2 §3.3):
    /// the kernel registers ar.k0–ar.k7 (privileged; Xen SET_KR), ar.itc (privileged write, virtualized time),
    /// ar.ruc (privileged write) and ar.eflag (IA-32 EFLAGS, Xen SET_EFLAG).
    /// </summary>
    private static void AddMArWrites(TableBuilder b, string format, Pattern p, OperandSpec src)
    {
        b.Add("mov.m", Unit.M, format, p.F(23, 4, 0),
            [OperandSpec.Symbolic(Field.Bits(20, 3), "ar.k0", "ar.k1", "ar.k2", "ar.k3", "ar.k4", "ar.k5", "ar.k6", "ar.k7"),
             O.Eq, src], MPriv);
        b.Add("mov.m", Unit.M, format, p.F(20, 7, 44), [O.Fixed("ar.itc"), O.Eq, src], MPriv | MSens);
        b.Add("mov.m", Unit.M, format, p.F(20, 7, 45), [O.Fixed("ar.ruc"), O.Eq, src], MPriv);
        b.Add("mov.m", Unit.M, format, p.F(20, 7, 24), [O.Fixed("ar.eflag"), O.Eq, src], MSens);
    }

    /// <summary>mov.m from the application registers whose reads a hypervisor virtualizes: ar.itc, ar.ruc, ar.eflag.</summary>
    private static void AddMArReads(TableBuilder b, Pattern p)
    {
        b.Add("mov.m", Unit.M, "M31", p.F(20, 7, 44), [O.R1, O.Eq, O.Fixed("ar.itc")], MSens);
        b.Add("mov.m", Unit.M, "M31", p.F(20, 7, 45), [O.R1, O.Eq, O.Fixed("ar.ruc")], MSens);
        b.Add("mov.m", Unit.M, "M31", p.F(20, 7, 24), [O.R1, O.Eq, O.Fixed("ar.eflag")], MSens);
    }

    /// <summary>
    /// alloc's i,l,o,r (inputs, locals, outputs, rotating) as sof = i+l+o, sol = i+l, sor = r/8. Encoding checks what
    /// GNU as checks (sof ≤ 96, r a multiple of 8) and also r ≤ sof (GNU only warns; the CPU raises an Illegal
    /// Operation fault). Decoding cannot recover i: it yields i = 0, l = sol, o = sof − sol, r = 8·sor
    /// (objdump prints the raw sof,sol,8·sor instead).
    /// </summary>
    private sealed class MAllocCodec : IFormCodec, IFormCodecCoverage
    {
        private static readonly Field s_sof = Field.Bits(13, 7), s_sol = Field.Bits(20, 7), s_sor = Field.Bits(27, 4);
        private readonly int _first;

        /// <param name="first">Index in the operand values of i (then l, o, r).</param>
        public MAllocCodec(int first) => _first = first;

        public ulong CoveredSlot => (0x7fUL << 13) | (0x7fUL << 20) | (0xfUL << 27);
        public ulong CoveredLong => 0;

        public string? Encode(long[] values, ref InsnWord word)
        {
            long i = values[_first], l = values[_first + 1], o = values[_first + 2], r = values[_first + 3];
            if (i < 0 || l < 0 || o < 0 || r < 0) return "alloc: register counts cannot be negative";
            long sof = i + l + o;
            if (sof > 96) return "alloc: frame size i+l+o exceeds 96 registers";
            if (r % 8 != 0) return "alloc: rotating register count must be a multiple of 8";
            if (r > sof) return "alloc: rotating register count exceeds the frame size";
            s_sof.Insert(ref word, (ulong)sof);
            s_sol.Insert(ref word, (ulong)(i + l));
            s_sor.Insert(ref word, (ulong)(r / 8));
            return null;
        }

        public bool Decode(in InsnWord word, long[] values)
        {
            long sof = (long)s_sof.Extract(word), sol = (long)s_sol.Extract(word), sor = (long)s_sor.Extract(word);
            if (sof > 96 || sol > sof || sor * 8 > sof) return false;
            values[_first] = 0;
            values[_first + 1] = sol;
            values[_first + 2] = sof - sol;
            values[_first + 3] = sor * 8;
            return true;
        }
    }
}
