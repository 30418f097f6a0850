namespace IvtGen.Isa;

// A-unit forms (integer ALU, SDM vol. 3 §4.2.1, formats A1–A10). A-unit instructions execute in an I or an M slot.
// Bits checked against GNU as 2.40 (binutils-ia64-linux-gnu); spellings as GNU as spells them.
// None of these forms is privileged, sensitive or restricted in its instruction-group placement.
public static partial class InstructionTable
{
    static partial void AddA(TableBuilder b)
    {
        AddAIntegerAlu(b);
        AddACompare(b);
        AddAMultimedia(b);
    }

    /// <summary>A1–A5: add, sub, logical, shladd, adds/addl and the mov pseudo-ops built on them.</summary>
    private static void AddAIntegerAlu(TableBuilder b)
    {
        // A1: op 8, x2a(34..35)=0, ve(33)=0, x4(29..32), x2b(27..28).
        static Pattern A1(int x4, int x2b) =>
            Pattern.Major(8).F(34, 2, 0).F(33, 1, 0).F(29, 4, (ulong)x4).F(27, 2, (ulong)x2b);

        var one = O.Fixed("1");
        b.Add("add", Unit.A, "A1", A1(0, 0), [O.R1, O.Eq, O.R2, O.R3]);
        b.Add("add", Unit.A, "A1", A1(0, 1), [O.R1, O.Eq, O.R2, O.R3, one]);
        b.Add("sub", Unit.A, "A1", A1(1, 1), [O.R1, O.Eq, O.R2, O.R3]);
        b.Add("sub", Unit.A, "A1", A1(1, 0), [O.R1, O.Eq, O.R2, O.R3, one]);
        b.Add("addp4", Unit.A, "A1", A1(2, 0), [O.R1, O.Eq, O.R2, O.R3]);
        string[] logical = ["and", "andcm", "or", "xor"];
        for (int i = 0; i < logical.Length; i++)
            b.Add(logical[i], Unit.A, "A1", A1(3, i), [O.R1, O.Eq, O.R2, O.R3]);

        // A2: shift left and add; count2 (27..28) stores count−1, count 1–4.
        var count2 = OperandSpec.ImmBias(Field.Bits(27, 2), 1);
        b.Add("shladd", Unit.A, "A2", ShlAdd(4), [O.R1, O.Eq, O.R2, count2, O.R3]);
        b.Add("shladdp4", Unit.A, "A2", ShlAdd(6), [O.R1, O.Eq, O.R2, count2, O.R3]);

        // A3: imm8 = imm7b(13..19) | s(36), sign-extended.
        var imm8 = O.SImm((13, 7), (36, 1));
        var imm8Minus1 = OperandSpec.ImmBias(imm8.Field!, 1, signed: true);
        b.Add("sub", Unit.A, "A3", A1(9, 1), [O.R1, O.Eq, imm8, O.R3]);
        for (int i = 0; i < logical.Length; i++)
            b.Add(logical[i], Unit.A, "A3", A1(0xb, i), [O.R1, O.Eq, imm8, O.R3]);

        // A4: imm14 = imm7b(13..19) | imm6d(27..32) | s(36).
        var imm14 = O.SImm((13, 7), (27, 6), (36, 1));
        var a4Adds = Pattern.Major(8).F(34, 2, 2).F(33, 1, 0);
        b.Add("adds", Unit.A, "A4", a4Adds, [O.R1, O.Eq, imm14, O.R3]);
        b.Add("addp4", Unit.A, "A4", Pattern.Major(8).F(34, 2, 3).F(33, 1, 0), [O.R1, O.Eq, imm14, O.R3]);
        // objdump prints adds r1=0,r3 as mov r1=r3.
        b.Add("mov", Unit.A, "A4", a4Adds.F(13, 7, 0).F(27, 6, 0).F(36, 1, 0), [O.R1, O.Eq, O.R3],
            InsnFlags.Pseudo | InsnFlags.PreferDecode);

        // A5: imm22 = imm7b(13..19) | imm9d(27..35) | imm5c(22..26) | s(36); r3 only r0–r3 (20..21).
        var imm22 = O.SImm((13, 7), (27, 9), (22, 5), (36, 1));
        b.Add("addl", Unit.A, "A5", Pattern.Major(9), [O.R1, O.Eq, imm22, O.R3_2]);
        // objdump prints addl r1=imm22,r0 as mov r1=imm22.
        b.Add("mov", Unit.A, "A5", Pattern.Major(9).F(20, 2, 0), [O.R1, O.Eq, imm22],
            InsnFlags.Pseudo | InsnFlags.PreferDecode);

        // GNU's dynamic "add r1=imm,r3": addl when r3 is r0–r3, else adds (keep the addl row first).
        b.Add("add", Unit.A, "A5", Pattern.Major(9), [O.R1, O.Eq, imm22, O.R3_2],
            InsnFlags.Pseudo | InsnFlags.ParseOnly);
        b.Add("add", Unit.A, "A4", a4Adds, [O.R1, O.Eq, imm14, O.R3.WithMinReg(4)], InsnFlags.Pseudo | InsnFlags.ParseOnly);

        static Pattern ShlAdd(int x4) => Pattern.Major(8).F(34, 2, 0).F(33, 1, 0).F(29, 4, (ulong)x4);
    }

    /// <summary>
    /// A6–A8: cmp and cmp4. Major opcode 0xc (lt / .and), 0xd (ltu / .or), 0xe (eq / .or.andcm);
    /// x2(34..35): 0 cmp reg, 1 cmp4 reg, 2 cmp imm8, 3 cmp4 imm8; tb(36)=1 selects A7 (r0 first source);
    /// ta(33) and c(12) select relation and type.
    /// </summary>
    private static void AddACompare(TableBuilder b)
    {
        const InsnFlags Alias = InsnFlags.Pseudo | InsnFlags.ParseOnly;
        var imm8 = O.SImm((13, 7), (36, 1));
        var imm8Minus1 = OperandSpec.ImmBias(imm8.Field!, 1, signed: true);
        var r0 = O.Fixed("r0");
        // Each major opcode: (op, its A6/A8 relation, its parallel type, the complemented spelling of that type).
        (int op, string rel, string ctype, string cmType)[] majors =
        [
            (0xc, "lt", ".and", ".andcm"),
            (0xd, "ltu", ".or", ".orcm"),
            (0xe, "eq", ".or.andcm", ".and.orcm"),
        ];
        foreach (string size in new[] { "cmp", "cmp4" })
        {
            int sz = size == "cmp" ? 0 : 1;
            foreach (var (op, rel, ctype, cmType) in majors)
            {
                bool orAndcm = op == 0xe; // the .or.andcm aliases swap p1 and p2; the others keep them
                Pattern A6(int ta, int c) => Pattern.Major(op).F(34, 2, (ulong)sz).F(36, 1, 0).F(33, 1, (ulong)ta).F(12, 1, (ulong)c);
                Pattern A7(int ta, int c) => Pattern.Major(op).F(34, 2, (ulong)sz).F(36, 1, 1).F(33, 1, (ulong)ta).F(12, 1, (ulong)c).F(13, 7, 0);
                Pattern A8(int ta, int c) => Pattern.Major(op).F(34, 2, (ulong)(2 + sz)).F(33, 1, (ulong)ta).F(12, 1, (ulong)c);

                // ---- A6: register–register.
                foreach (var (unc, c) in new[] { ("", 0), (".unc", 1) })
                {
                    var p = A6(0, c);
                    b.Add($"{size}.{rel}{unc}", Unit.A, "A6", p, [O.P1, O.P2, O.Eq, O.R2, O.R3]);
                    if (op == 0xe)
                    {
                        b.Add($"{size}.ne{unc}", Unit.A, "A6", p, [O.P2, O.P1, O.Eq, O.R2, O.R3], Alias);
                    }
                    else
                    {
                        string u = op == 0xd ? "u" : "";
                        b.Add($"{size}.le{u}{unc}", Unit.A, "A6", p, [O.P2, O.P1, O.Eq, O.R3, O.R2], Alias);
                        b.Add($"{size}.gt{u}{unc}", Unit.A, "A6", p, [O.P1, O.P2, O.Eq, O.R3, O.R2], Alias);
                        b.Add($"{size}.ge{u}{unc}", Unit.A, "A6", p, [O.P2, O.P1, O.Eq, O.R2, O.R3], Alias);
                    }
                }
                // Parallel eq/ne (ta=1): eq.T is ne.Tcm, ne.T is eq.Tcm.
                b.Add($"{size}.eq{ctype}", Unit.A, "A6", A6(1, 0), [O.P1, O.P2, O.Eq, O.R2, O.R3]);
                b.Add($"{size}.ne{cmType}", Unit.A, "A6", A6(1, 0), Swap(orAndcm, [O.R2, O.R3]), Alias);
                b.Add($"{size}.ne{ctype}", Unit.A, "A6", A6(1, 1), [O.P1, O.P2, O.Eq, O.R2, O.R3]);
                b.Add($"{size}.eq{cmType}", Unit.A, "A6", A6(1, 1), Swap(orAndcm, [O.R2, O.R3]), Alias);

                // ---- A7: parallel compares of r0 with r3 (signed relations only).
                (string rel, string cmRel, int ta, int c)[] a7 =
                [
                    ("gt", "le", 0, 0), ("le", "gt", 0, 1), ("ge", "lt", 1, 0), ("lt", "ge", 1, 1),
                ];
                foreach (var (r, cmRel, ta, c) in a7)
                {
                    b.Add($"{size}.{r}{ctype}", Unit.A, "A7", A7(ta, c), [O.P1, O.P2, O.Eq, r0, O.R3]);
                    // GNU also takes the sources the other way round, r3 first and r0 second, with the relation
                    // mirrored (cmp.lt.and p1,p2=r3,r0 is cmp.gt.and p1,p2=r0,r3). When both sources are r0, GNU
                    // picks the r0-first row for the real types and .and.orcm, the r3-first row for .andcm/.orcm;
                    // the losing row refuses r0 as r3 so that our first-match parse agrees with GNU.
                    var r3Not0 = O.R3.WithMinReg(1);
                    b.Add($"{size}.{Mirror(r)}{ctype}", Unit.A, "A7", A7(ta, c), [O.P1, O.P2, O.Eq, r3Not0, r0], Alias);
                    b.Add($"{size}.{cmRel}{cmType}", Unit.A, "A7", A7(ta, c), Swap(orAndcm, [r0, orAndcm ? O.R3 : r3Not0]), Alias);
                    b.Add($"{size}.{Mirror(cmRel)}{cmType}", Unit.A, "A7", A7(ta, c), Swap(orAndcm, [orAndcm ? r3Not0 : O.R3, r0]), Alias);
                }

                // ---- A8: imm8 first source. cmp4's unsigned relations take the immediate as 32 bits too, as GNU as
                // does (0xffffffff is −1).
                var imm = size == "cmp4" && op == 0xd ? imm8.AsUnsigned32() : imm8;
                foreach (var (unc, c) in new[] { ("", 0), (".unc", 1) })
                {
                    var p = A8(0, c);
                    b.Add($"{size}.{rel}{unc}", Unit.A, "A8", p, [O.P1, O.P2, O.Eq, imm, O.R3]);
                    if (op == 0xe)
                        b.Add($"{size}.ne{unc}", Unit.A, "A8", p, [O.P2, O.P1, O.Eq, imm, O.R3], Alias);
                    else
                        b.Add($"{size}.ge{(op == 0xd ? "u" : "")}{unc}", Unit.A, "A8", p, [O.P2, O.P1, O.Eq, imm, O.R3], Alias);
                    // GNU's cmp{4}.le/gt with an immediate: cmp.lt with imm−1 (imm ≤ r3 ⇔ imm−1 < r3), p1/p2 swapped
                    // for gt, so the immediate ranges over −127…128; leu/gtu likewise on ltu, refusing 0 (imm−1 would
                    // wrap around), and for cmp4 reading imm−1 as 32 bits (0x100000000 is −1).
                    if (op == 0xc)
                    {
                        b.Add($"{size}.le{unc}", Unit.A, "A8", p, [O.P1, O.P2, O.Eq, imm8Minus1, O.R3], Alias);
                        b.Add($"{size}.gt{unc}", Unit.A, "A8", p, [O.P2, O.P1, O.Eq, imm8Minus1, O.R3], Alias);
                    }
                    if (op == 0xd)
                    {
                        var unsignedMinus1 = size == "cmp4" ? imm8Minus1.AsUnsigned32().Excluding(0) : imm8Minus1.Excluding(0);
                        b.Add($"{size}.leu{unc}", Unit.A, "A8", p, [O.P1, O.P2, O.Eq, unsignedMinus1, O.R3], Alias);
                        b.Add($"{size}.gtu{unc}", Unit.A, "A8", p, [O.P2, O.P1, O.Eq, unsignedMinus1, O.R3], Alias);
                    }
                }
                b.Add($"{size}.eq{ctype}", Unit.A, "A8", A8(1, 0), [O.P1, O.P2, O.Eq, imm8, O.R3]);
                b.Add($"{size}.ne{cmType}", Unit.A, "A8", A8(1, 0), Swap(orAndcm, [imm8, O.R3]), Alias);
                b.Add($"{size}.ne{ctype}", Unit.A, "A8", A8(1, 1), [O.P1, O.P2, O.Eq, imm8, O.R3]);
                b.Add($"{size}.eq{cmType}", Unit.A, "A8", A8(1, 1), Swap(orAndcm, [imm8, O.R3]), Alias);
            }
        }

        static string Mirror(string rel) => rel switch { "gt" => "lt", "lt" => "gt", "le" => "ge", _ => "le" };

        // Predicate targets then '=' then the two sources; swapped targets when the alias complements both.
        static OperandSpec[] Swap(bool swap, OperandSpec[] sources) => swap
            ? [O.P2, O.P1, O.Eq, sources[0], sources[1]]
            : [O.P1, O.P2, O.Eq, sources[0], sources[1]];
    }

    /// <summary>A9–A10: parallel add/subtract/average/compare and pshladd2/pshradd2.</summary>
    private static void AddAMultimedia(TableBuilder b)
    {
        // A9: op 8, za(36), x2a(34..35)=1, zb(33), x4(29..32), x2b(27..28). Element size: 1 → za0 zb0, 2 → za0 zb1, 4 → za1 zb0.
        static Pattern A9(int size, int x4, int x2b) =>
            Pattern.Major(8).F(36, 1, size == 4 ? 1UL : 0).F(34, 2, 1).F(33, 1, size == 2 ? 1UL : 0)
                .F(29, 4, (ulong)x4).F(27, 2, (ulong)x2b);

        OperandSpec[] rrr = [O.R1, O.Eq, O.R2, O.R3];
        foreach (int sz in new[] { 1, 2, 4 })
        {
            b.Add($"padd{sz}", Unit.A, "A9", A9(sz, 0, 0), rrr);
            b.Add($"psub{sz}", Unit.A, "A9", A9(sz, 1, 0), rrr);
            b.Add($"pcmp{sz}.eq", Unit.A, "A9", A9(sz, 9, 0), rrr);
            b.Add($"pcmp{sz}.gt", Unit.A, "A9", A9(sz, 9, 1), rrr);
        }
        foreach (int sz in new[] { 1, 2 })
        {
            foreach (var (sat, x2b) in new[] { (".sss", 1), (".uuu", 2), (".uus", 3) })
            {
                b.Add($"padd{sz}{sat}", Unit.A, "A9", A9(sz, 0, x2b), rrr);
                b.Add($"psub{sz}{sat}", Unit.A, "A9", A9(sz, 1, x2b), rrr);
            }
            b.Add($"pavg{sz}", Unit.A, "A9", A9(sz, 2, 2), rrr);
            b.Add($"pavg{sz}.raz", Unit.A, "A9", A9(sz, 2, 3), rrr);
            b.Add($"pavgsub{sz}", Unit.A, "A9", A9(sz, 3, 2), rrr);
        }

        // A10: za=0, x2a=1, zb=1, x4 4 (pshladd2) / 6 (pshradd2); count2 (27..28) stores count−1, count 1–3 only.
        var count2 = OperandSpec.ImmSet(Field.Bits(27, 2), 1, 2, 3);
        b.Add("pshladd2", Unit.A, "A10", Pattern.Major(8).F(36, 1, 0).F(34, 2, 1).F(33, 1, 1).F(29, 4, 4),
            [O.R1, O.Eq, O.R2, count2, O.R3]);
        b.Add("pshradd2", Unit.A, "A10", Pattern.Major(8).F(36, 1, 0).F(34, 2, 1).F(33, 1, 1).F(29, 4, 6),
            [O.R1, O.Eq, O.R2, count2, O.R3]);
    }
}
