namespace IvtGen.Isa;

// B-unit forms (SDM vol. 3 §4.5, formats B1–B9), spelled and ordered as GNU as 2.40 spells them.
//
// Conventions used in this file:
// - A form whose Pattern fixes all of bits 0–5 takes no qualifying predicate: GNU as rejects "(p1) cover",
//   "(p1) br.cloop…", "(p1) brp…", "(p1) epc" ("cannot be predicated"; SDM: "This instruction cannot be
//   predicated"). For brp the field at 3–4 is the wh completer, so only bits 0–2 and 5 are fixed as zero, but
//   every expansion still fixes all of 0–5.
// - The short branch spellings (br, br.few, br.many, br.sptk.few, br.cond.sptk, …) are parse-only aliases,
//   except the SDM pseudo-op "br.ph.dh target" (= br.cond.sptk with qp = 0), which objdump prints: it prints
//   "br.few 0x40" for qp=0 br.cond.sptk.few, but "(p01) br.cond.sptk.few" and "br.cond.dptk.few" otherwise.
// - The ph completer is always printed (objdump: "br.wtop.sptk.few"); the spelling without ph is an alias.
public static partial class InstructionTable
{
    static partial void AddB(TableBuilder b)
    {
        const InsnFlags Br = InsnFlags.Branch;
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        // SDM vol. 3, br: "The loop-type branches (br.cloop, br.ctop, br.cexit, br.wtop, and br.wexit) are only
        // allowed in instruction slot 2 within a bundle" (Illegal Operation fault otherwise); GNU: SLOT2.
        const InsnFlags Slot2 = InsnFlags.LastInBundle;

        RegisterBranchHints(b, "b");
        // B5 (indirect call) encodes the whether hint in 3 bits at 32–34: odd values only.
        b.Group("b.bwh3", Field.Bits(32, 3), (".sptk", 1), (".spnt", 3), (".dptk", 5), (".dpnt", 7));
        // B6/B7 (brp) importance hint ih at 35 and whether hint wh at 3–4.
        b.Group("b.ih", Field.Bits(35, 1), ("", 0), (".imp", 1));
        b.Group("b.ipwh", Field.Bits(3, 2), (".sptk", 0), (".loop", 1), (".dptk", 2), (".exit", 3));
        b.Group("b.indwh", Field.Bits(3, 2), (".sptk", 0), (".dptk", 2));

        const string Hints = "{b.bwh}{b.ph}{b.dh}";
        var target25 = O.Target((13, 20), (36, 1));   // imm20b, s: signed bundles from this bundle
        var tag13 = O.Target((6, 7), (33, 2));        // brp tag: timm7a, t2e (the hinted branch's bundle)
        var imm21 = OperandSpec.Imm(O.Bits((6, 20), (36, 1)), signed: false, hex: true);   // objdump prints hex

        // ---- B1: IP-relative conditional / while-loop branches (op 4, btype at 6–8) ----
        var b1 = Pattern.Major(4);
        b.Add("br.cond" + Hints, Unit.B, "B1", b1.F(6, 3, 0), [target25], Br);
        // SDM pseudo-op "br.ph.dh target25": br.cond.sptk with qp = p0. objdump prints it (br.few, br.many.clr).
        b.Add("br{b.ph}{b.dh}", Unit.B, "B1", b1.F(6, 3, 0).F(33, 2, 0).F(0, 6, 0), [target25],
            Br | InsnFlags.Pseudo | InsnFlags.PreferDecode);
        // GNU also accepts a predicate on the pseudo-op ("(p1) br.few x" = (p1) br.cond.sptk.few x).
        b.Add("br{b.ph}{b.dh}", Unit.B, "B1", b1.F(6, 3, 0).F(33, 2, 0), [target25], Br | Alias);
        b.Add("br" + Hints, Unit.B, "B1", b1.F(6, 3, 0), [target25], Br | Alias);
        b.Add("br.wexit" + Hints, Unit.B, "B1", b1.F(6, 3, 2), [target25], Br | Slot2);
        b.Add("br.wtop" + Hints, Unit.B, "B1", b1.F(6, 3, 3), [target25], Br | Slot2);

        // ---- B2: counted-loop branches; not predicable ----
        b.Add("br.cloop" + Hints, Unit.B, "B2", b1.F(6, 3, 5).F(0, 6, 0), [target25], Br | Slot2);
        b.Add("br.cexit" + Hints, Unit.B, "B2", b1.F(6, 3, 6).F(0, 6, 0), [target25], Br | Slot2);
        b.Add("br.ctop" + Hints, Unit.B, "B2", b1.F(6, 3, 7).F(0, 6, 0), [target25], Br | Slot2);

        // ---- B3: IP-relative call (op 5) ----
        b.Add("br.call" + Hints, Unit.B, "B3", Pattern.Major(5), [O.B1, O.Eq, target25], Br);

        // ---- B4: indirect branches (op 0, x6 0x20 cond/ia, 0x21 ret; btype at 6–8) ----
        var b4 = Pattern.Major(0).F(27, 6, 0x20);
        b.Add("br.cond" + Hints, Unit.B, "B4", b4.F(6, 3, 0), [O.B2], Br);
        b.Add("br{b.ph}{b.dh}", Unit.B, "B4", b4.F(6, 3, 0).F(33, 2, 0).F(0, 6, 0), [O.B2],
            Br | InsnFlags.Pseudo | InsnFlags.PreferDecode);
        b.Add("br{b.ph}{b.dh}", Unit.B, "B4", b4.F(6, 3, 0).F(33, 2, 0), [O.B2], Br | Alias);
        b.Add("br" + Hints, Unit.B, "B4", b4.F(6, 3, 0), [O.B2], Br | Alias);
        b.Add("br.ia" + Hints, Unit.B, "B4", b4.F(6, 3, 1), [O.B2], Br);
        b.Add("br.ret" + Hints, Unit.B, "B4", Pattern.Major(0).F(27, 6, 0x21).F(6, 3, 4), [O.B2], Br);

        // ---- B5: indirect call (op 1) ----
        b.Add("br.call{b.bwh3}{b.ph}{b.dh}", Unit.B, "B5", Pattern.Major(1), [O.B1, O.Eq, O.B2], Br);

        // ---- B6: IP-relative branch predict (op 7): brp target25,tag13; not predicable ----
        var noQp = Pattern.Major(7).F(0, 3, 0).F(5, 1, 0);
        b.Add("brp{b.ipwh}{b.ih}", Unit.B, "B6", noQp, [target25, tag13]);

        // ---- B7: indirect branch predict (op 2, x6 0x10 / 0x11): brp b2,tag13; not predicable ----
        var b7 = Pattern.Major(2).F(0, 3, 0).F(5, 1, 0);
        b.Add("brp{b.indwh}{b.ih}", Unit.B, "B7", b7.F(27, 6, 0x10), [O.B2, tag13]);
        b.Add("brp.ret{b.indwh}{b.ih}", Unit.B, "B7", b7.F(27, 6, 0x11), [O.B2, tag13]);

        // ---- B8: miscellaneous (op 0, x6); none is predicable ----
        var b8 = Pattern.Major(0).F(0, 6, 0);
        // "must be the last instruction in an instruction group; otherwise, operation is undefined":
        // SDM vol. 3 cover, clrrrb, rfi, bsw pages (their Operation starts "if (!followed_by_stop())
        // undefined_behavior()"); GNU marks all six LAST and as errors "must be last in instruction group".
        const InsnFlags Last = InsnFlags.LastInGroup;
        // cover: not privileged, but virtualization_fault when PSR.vm = 1 (SDM cover Operation): Sensitive.
        b.Add("cover", Unit.B, "B8", b8.F(27, 6, 0x02), [], Last | InsnFlags.Sensitive);
        b.Add("clrrrb", Unit.B, "B8", b8.F(27, 6, 0x04), [], Last);
        b.Add("clrrrb.pr", Unit.B, "B8", b8.F(27, 6, 0x05), [], Last);
        b.Add("rfi", Unit.B, "B8", b8.F(27, 6, 0x08), [], Last | InsnFlags.Privileged | Br);
        // bsw: "can only be executed at the most privileged level, and when PSR.vm is 0".
        b.Add("bsw.0", Unit.B, "B8", b8.F(27, 6, 0x0c), [], Last | InsnFlags.Privileged);
        b.Add("bsw.1", Unit.B, "B8", b8.F(27, 6, 0x0d), [], Last | InsnFlags.Privileged);
        // epc: promotes privilege from the page's TLB entry; no group-placement rule (later instructions of
        // the same group may run at either level), not privileged.
        b.Add("epc", Unit.B, "B8", b8.F(27, 6, 0x10), []);
        // vmsw: "can only be executed at the most privileged level"; no group-placement rule.
        b.Add("vmsw.0", Unit.B, "B8", b8.F(27, 6, 0x18), [], InsnFlags.Privileged);
        b.Add("vmsw.1", Unit.B, "B8", b8.F(27, 6, 0x19), [], InsnFlags.Privileged);

        // ---- B9: break.b (op 0), nop.b / hint.b (op 2); imm21 = i(36) : imm20a(6–25) ----
        // GNU as refuses hint.b unless given -mhint.b=ok (or =warning).
        b.Add("break.b", Unit.B, "B9", Pattern.Major(0).F(27, 6, 0x00), [imm21]);
        b.Add("nop.b", Unit.B, "B9", Pattern.Major(2).F(27, 6, 0x00), [imm21]);
        b.Add("hint.b", Unit.B, "B9", Pattern.Major(2).F(27, 6, 0x01), [imm21]);
    }

    /// <summary>
    /// The IP-relative/indirect branch hints shared by br and brl, registered as <c>{prefix.bwh}</c>,
    /// <c>{prefix.ph}</c>, <c>{prefix.dh}</c>: whether hint (33–34), sequential prefetch hint (12) and
    /// cache deallocation hint (35). ".few" is printed; omitting ph is accepted as an alias of it.
    /// </summary>
    private static void RegisterBranchHints(TableBuilder b, string prefix)
    {
        b.Group(prefix + ".bwh", Field.Bits(33, 2), (".sptk", 0), (".spnt", 1), (".dptk", 2), (".dpnt", 3));
        b.Group(prefix + ".ph", Field.Bits(12, 1), (".few", 0), ("~", 0), (".many", 1));
        b.Group(prefix + ".dh", Field.Bits(35, 1), ("", 0), (".clr", 1));
    }
}
