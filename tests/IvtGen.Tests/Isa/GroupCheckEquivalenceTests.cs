using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// The group checks (DependencyChecker, GroupRules) against <see cref="Reference"/>, a plain copy of how they
/// were first written: operand by operand, a switch over every operand of every instruction. The runtime's
/// checks are tuned for speed (per-form effect tables, stored values read in place), and any divergence in
/// what an instruction reads or writes, in predicate exclusivity or in the diagnostics' order and wording
/// shows up here.
/// </summary>
public sealed class GroupCheckEquivalenceTests
{
    private readonly ITestOutputHelper _out;
    public GroupCheckEquivalenceTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void Effects_match_the_reference_for_every_form()
    {
        var rng = new Random(7);
        var reads = new List<int>();
        var writes = new List<int>();
        int checkedCount = 0;
        foreach (var form in InstructionTable.Forms)
        {
            for (int n = 0; n < 6; n++)
            {
                if (FormSamples.Make(form, rng, n < 2 ? n : 2) is not { } ins) continue;
                // Any qualifying predicate (p0 included), as a form without a qp field still reports one read when given one.
                var withQp = new Instruction(ins.Form, n == 5 ? rng.Next(64) : ins.Qp, ins.Values);
                DependencyChecker.Effects(withQp, reads, writes);
                var (rr, rw) = Reference.Effects(withQp);
                Assert.True(rr.SequenceEqual(reads), $"{withQp} reads: expected [{string.Join(",", rr)}], got [{string.Join(",", reads)}]");
                Assert.True(rw.SequenceEqual(writes), $"{withQp} writes: expected [{string.Join(",", rw)}], got [{string.Join(",", writes)}]");
                checkedCount++;
            }
        }
        _out.WriteLine($"{checkedCount} instructions of {InstructionTable.Forms.Count} forms");
        Assert.True(checkedCount > InstructionTable.Forms.Count * 3);
    }

    [Fact]
    public void Group_checks_and_predicate_relations_match_the_reference_on_random_groups()
    {
        // Instructions of every form with their registers squeezed into small pools, so that groups collide often.
        var rng = new Random(11);
        var forms = InstructionTable.Forms.ToList();
        var relations = new DependencyChecker.PredicateRelations();
        var reference = new Reference.Relations();
        int violations = 0;
        for (int g = 0; g < 3000; g++)
        {
            var group = new List<Instruction>();
            int size = 1 + rng.Next(6);
            while (group.Count < size)
            {
                if (FormSamples.Make(forms[rng.Next(forms.Count)], rng, 2) is not { } ins) continue;
                group.Add(Squeeze(ins, rng));
            }
            if (rng.Next(10) == 0)
            {
                relations.Clear();
                reference.Clear();
            }
            var expected = Reference.Check(group, reference);
            var actual = DependencyChecker.Check(group, relations);
            Assert.True(expected.SequenceEqual(actual.Select(v => (v.Earlier, v.Later, v.Resource, v.IsRaw))),
                $"group {string.Join(" | ", group)}: expected {string.Join(" ", expected)}, got {string.Join(" ", actual)}");
            for (int a = 0; a < 64; a++)
                for (int b = 0; b < 64; b++)
                    if (reference.Exclusive(a, b) != relations.Exclusive(a, b))
                        Assert.Fail($"after {string.Join(" | ", group)}: p{a}/p{b} exclusive: expected {reference.Exclusive(a, b)}");
            violations += expected.Count;
        }
        _out.WriteLine($"{violations} violations");
        Assert.True(violations > 1000);
    }

    [Fact]
    public void Overlap_filter_passes_only_groups_the_reference_finds_clean()
    {
        // Half the groups with registers from small pools (most collide), half as sampled (most do not).
        var rng = new Random(13);
        var forms = InstructionTable.Forms.ToList();
        var filter = new DependencyChecker.OverlapFilter();
        int passed = 0, faulted = 0, overlapping = 0, spurious = 0;
        for (int g = 0; g < 6000; g++)
        {
            var group = new List<Instruction>();
            int size = 1 + rng.Next(6);
            while (group.Count < size)
            {
                if (FormSamples.Make(forms[rng.Next(forms.Count)], rng, 2) is not { } ins) continue;
                group.Add(g % 2 == 0 ? Squeeze(ins, rng) : ins);
            }
            filter.Begin();
            bool overlap = false;
            for (int k = 0; k < group.Count && !overlap; k++)
            {
                var ins = group[k];
                var values = ins.Values.Select(v => (int)v).ToArray();
                if (k == 0) filter.First(DependencyChecker.FactsOf(ins.Form), ins.Qp, values);
                else overlap = filter.Overlaps(DependencyChecker.FactsOf(ins.Form), ins.Qp, values);
            }
            // What the filter stands for: some member reads or writes what an earlier one wrote (on the same path: a taken
            // branch starts a new one), or reads an implicit resource (a PSR field…) after one that may write some.
            var effects = group.Select(Reference.Checked).ToList();
            var start = new int[group.Count];
            for (int k = 1; k < group.Count; k++) start[k] = Reference.EndsPath(group[k - 1]) ? k : start[k - 1];
            bool touches = Enumerable.Range(1, group.Count - 1).Any(k => Enumerable.Range(start[k], k - start[k])
                .Any(j => effects[j].Writes.Any(r => effects[k].Reads.Contains(r) || effects[k].Writes.Contains(r))
                    || (DependencyChecker.FactsOf(group[j].Form).MarksImplicit && DependencyChecker.FactsOf(group[k].Form).ChecksImplicit)));
            bool violations = Reference.Check(group, null).Count > 0;
            if (!overlap)
            {
                Assert.False(touches, $"passed a group whose members overlap: {string.Join(" | ", group)}");
                Assert.False(violations, $"passed a group with violations: {string.Join(" | ", group)}");
                passed++;
            }
            // Stopped all the same (the filter is conservative: a register written twice, a mov pr= or mov r=pr, which
            // it does not look into).
            else if (!touches) spurious++;
            if (touches) overlapping++;
            if (violations) faulted++;
        }
        _out.WriteLine($"{passed} groups passed, {overlapping} overlapping ({faulted} with violations), {spurious} stopped for a register written twice");
        Assert.True(passed > 1500 && faulted > 1000 && spurious > 0);
    }

    private static Instruction Squeeze(Instruction ins, Random rng)
    {
        var values = (long[])ins.Values.Clone();
        var ops = ins.Form.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            switch (ops[i].Kind)
            {
                case OperandKind.Gr or OperandKind.Mem or OperandKind.Indirect when ops[i].Field!.Width == 7: values[i] = rng.Next(5); break;
                case OperandKind.Fr when ops[i].Field!.Width == 7: values[i] = rng.Next(5); break;
                case OperandKind.Pr when ops[i].Field!.Width == 6: values[i] = rng.Next(5); break;
                case OperandKind.Br when ops[i].Field!.Width == 3: values[i] = rng.Next(3); break;
                case OperandKind.Ar: values[i] = rng.Next(2) == 0 ? 32 : 65; break; // ar.ccv, ar.lc
            }
        }
        int qp = rng.Next(3) == 0 ? rng.Next(5) : 0;
        return new Instruction(ins.Form, qp, values);
    }

    [Theory]
    [InlineData(1, 0, 6)]
    [InlineData(2, 0, 6)]
    [InlineData(3, 0, 6)]
    [InlineData(4, 8192, 6)]
    [InlineData(5, 8192, 6)]
    // Registers from wide pools: most groups touch nothing an earlier member wrote, and are passed by the overlap
    // filter without the full check, while the predicate relations they leave still decide later groups.
    [InlineData(6, 0, 40)]
    [InlineData(7, 8192, 40)]
    public void Assembler_diagnostics_match_the_reference_on_random_listings(int seed, int chunkChars, int pool)
    {
        // A part is laid out alone only from a label that starts a group.
        var (source, lines) = RandomListing(new Random(seed), 3000, stopBeforeLabels: chunkChars != 0, pool: pool);
        // Whole, or in parts laid out and checked alone, side by side (Assembler.Segments), then linked.
        int parts = 0;
        var result = chunkChars == 0 ? Assembler.Assemble(source) : Assembler.Assemble(source, chunkChars, out parts);
        Assert.Equal(chunkChars != 0, parts > 1);
        var expected = Reference.Diagnostics(result, lines);
        var actual = result.Diagnostics.Select(d => (d.Severity, d.Line, d.Column, d.Message, d.RelatedLine)).ToList();
        _out.WriteLine($"{actual.Count} diagnostics, {actual.Count(d => d.Message.StartsWith("RAW", StringComparison.Ordinal))} RAW, {actual.Count(d => d.Message.StartsWith("WAW", StringComparison.Ordinal))} WAW");
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            Assert.True(expected[i] == actual[i], $"diagnostic {i}: expected {expected[i]}\n got {actual[i]}\n(line: {lines[expected[i].Line - 1]})");
        Assert.Equal(expected.Count, actual.Count);
        int least = pool <= 6 ? 300 : 30;
        Assert.True(actual.Count(d => d.Message.StartsWith("RAW", StringComparison.Ordinal)) > least);
        Assert.True(actual.Count(d => d.Message.StartsWith("WAW", StringComparison.Ordinal)) > least);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predicate_relations_last_through_long_runs_of_clean_groups(bool rewrittenBetween)
    {
        // p1 and p2 made exclusive, then a thousand groups of two compares and nothing for the full check to do (the
        // checks work out what those compares did to the relations only when a group needs them, and make room for
        // more as they go), then two writes of r5 guarded by p1 and p2: allowed, unless p1 was written again in between.
        var lines = new List<string> { "\t.text", "\t.explicit", "\tcmp.eq p1,p2=r1,r2 ;;" };
        for (int k = 0; k < 1000; k++)
        {
            lines.Add($"\tcmp.eq p{10 + k % 20},p{30 + k % 20}=r3,r4");
            lines.Add(rewrittenBetween && k == 700 ? "\tcmp.eq p1,p3=r3,r4 ;;" : $"\tcmp.eq p{50 + k % 10},p{60 + k % 3}=r3,r4 ;;");
        }
        lines.Add("\t(p1) mov r5=r6");
        lines.Add("\t(p2) mov r5=r7 ;;");
        var result = Assembler.Assemble(string.Join("\n", lines) + "\n");
        var expected = Reference.Diagnostics(result, lines.ToArray());
        var actual = result.Diagnostics.Select(d => (d.Severity, d.Line, d.Column, d.Message, d.RelatedLine)).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(rewrittenBetween ? 1 : 0, actual.Count(d => d.Message.StartsWith("WAW dependency violation on r5", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_label_inside_a_group_forgets_the_relations_before_the_group_closes()
    {
        // The compare's group runs on past the label, and is checked when it closes: the label forgets what was known
        // before it, but not what the compare (checked after it) establishes, so the two writes of r5 are allowed.
        string[] lines = { "\t.text", "\t.explicit", "\tcmp.eq p1,p2=r1,r2", "L1:", "\tadd r3=r4,r9 ;;", "\t(p1) mov r5=r6", "\t(p2) mov r5=r7 ;;" };
        var result = Assembler.Assemble(string.Join("\n", lines) + "\n");
        var expected = Reference.Diagnostics(result, lines);
        Assert.Equal(expected, result.Diagnostics.Select(d => (d.Severity, d.Line, d.Column, d.Message, d.RelatedLine)).ToList());
        Assert.Empty(expected);
    }

    [Fact]
    public void Auto_mode_leaves_no_violation_the_reference_finds()
    {
        var (source, lines) = RandomListing(new Random(5), 2000, auto: true);
        var result = Assembler.Assemble(source);
        // Auto mode reports no dependencies, and the stops it inserted leave none.
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("dependency"));
        // Stops are inserted per run of instructions between labels, so a group that runs on past a label may still
        // hold a violation across it (see the report on this branch); within a run there must be none.
        bool LabelBetween(int from, int to) => lines.Skip(from).Take(to - from - 1).Any(l => l.EndsWith(":", StringComparison.Ordinal));
        var left = Reference.Diagnostics(result, lines, relations: false)
            .Where(d => d.Message.Contains("dependency") && !LabelBetween(d.RelatedLine, d.Line)).ToList();
        foreach (var d in left.Take(5))
            _out.WriteLine($"{d}\n{string.Join("\n", lines.Skip(d.RelatedLine - 3).Take(d.Line - d.RelatedLine + 3))}");
        Assert.Empty(left);
    }

    /// <summary>
    /// A listing dense in dependencies: registers from small pools, predicated instructions, parallel compares,
    /// post-increments, mov pr=, branches on predicates of their own group, labels, placement-rule instructions.
    /// </summary>
    /// <param name="pool">How many GRs and FRs the instructions use: few make most groups collide.</param>
    private static (string Source, string[] Lines) RandomListing(Random rng, int count, bool auto = false, bool stopBeforeLabels = false, int pool = 6)
    {
        var inv = CultureInfo.InvariantCulture;
        string R() => "r" + rng.Next(pool).ToString(inv);
        string W() => "r" + (1 + rng.Next(pool - 1)).ToString(inv); // a written GR: never r0
        string F() => "f" + rng.Next(pool).ToString(inv);
        string FW() => "f" + (2 + rng.Next(pool - 2)).ToString(inv);
        string B() => "b" + rng.Next(3).ToString(inv);
        int labels = count / 40;
        string L() => "L" + rng.Next(labels).ToString(inv);
        (string, string) Two()
        {
            int a = 1 + rng.Next(6), b = 1 + rng.Next(6);
            if (b == a) b = a % 6 + 1;
            return ("p" + a.ToString(inv), "p" + b.ToString(inv));
        }
        string Cmp(string completer)
        {
            var (a, b) = Two();
            return rng.Next(2) == 0 ? $"cmp.eq{completer} {a},{b}={R()},{R()}" : $"tbit.z{completer} {a},{b}={R()},{rng.Next(64)}";
        }
        string FCmp()
        {
            var (a, b) = Two();
            return $"fcmp.eq {a},{b}={F()},{F()}";
        }
        var lines = new List<string> { "\t.text", auto ? "\t.auto" : "\t.explicit" };
        int defined = 0;
        for (int k = 0; k < count; k++)
        {
            if (defined < labels && (k % 40 == 0))
            {
                if ((stopBeforeLabels || rng.Next(2) == 0) && k > 0 && !lines[lines.Count - 1].EndsWith(":", StringComparison.Ordinal)) lines[lines.Count - 1] += " ;;";
                lines.Add("L" + (defined++).ToString(inv) + ":");
            }
            string insn = rng.Next(34) switch
            {
                0 or 1 or 2 => $"add {W()}={R()},{R()}",
                3 => $"adds {W()}={rng.Next(-100, 100)},{R()}",
                4 or 5 => $"ld8 r1=[{W().Replace("r1", "r2")}],8",
                6 => $"ld8 {W().Replace("r5", "r4")}=[r5],{R()}",
                7 => $"ld8 {W()}=[{R()}]",
                8 => $"st8 [{W()}]={R()},16",
                9 => $"st8 [{R()}]={R()}",
                10 or 11 => Cmp(""),
                12 => Cmp(".unc"),
                13 => Cmp(".and"),
                14 => Cmp(".or"),
                15 => Cmp(".or.andcm"),
                16 => rng.Next(2) == 0 ? $"mov pr={R()},-2" : "mov pr.rot=0x10000",
                17 => $"mov {B()}={R()}",
                18 => $"mov {W()}={B()}",
                19 or 20 => $"br.cond.sptk.few {L()}",
                21 => $"br.call.sptk.many {B()}={L()}",
                22 => $"fma.d {FW()}={F()},{F()},{F()}",
                23 => $"ldf8 {FW()}=[{W()}],8",
                24 => $"mov ar.ccv={R()}",
                25 => $"cmpxchg8.acq {W()}=[{R()}],{R()},ar.ccv",
                26 => $"mov {W()}=ar.lc",
                27 => $"mov ar.lc={R()}",
                28 => rng.Next(3) == 0 ? "flushrs" : $"alloc {W()}=ar.pfs,2,2,0,0",
                29 => FCmp(),
                30 => $"mov {W()}=pr",
                31 => $"shladd {W()}={R()},2,{R()}",
                32 => $"getf.sig {W()}={F()}",
                _ => $"setf.sig {FW()}={R()}",
            };
            // Half the instructions predicated, on the predicates the compares write.
            if (rng.Next(2) == 0 && !insn.StartsWith("alloc", StringComparison.Ordinal) && !insn.StartsWith("flushrs", StringComparison.Ordinal))
                insn = $"(p{rng.Next(7)}) " + insn;
            if (rng.Next(4) == 0) insn += " ;;";
            lines.Add((rng.Next(3) == 0 ? "  " : "\t") + insn);
        }
        while (defined < labels) lines.Add("L" + (defined++).ToString(inv) + ":");
        lines.Add("\tnop.m 0 ;;");
        return (string.Join("\n", lines) + "\n", lines.ToArray());
    }

    /// <summary>The checks as first written (DependencyChecker and GroupRules before their per-form tables).</summary>
    private static class Reference
    {
        private static readonly HashSet<string> s_postIncrement = new(StringComparer.Ordinal) { "M2", "M3", "M5", "M7", "M8", "M10", "M12", "M14", "M15" };

        public static (List<int> Reads, List<int> Writes) Effects(Instruction ins) => Effects(ins, distinct: true);

        /// <summary>What the group checks count: a branch's (or rfi's) writes are left out, as GNU as leaves them.</summary>
        /// <summary>
        /// What the group checks count, as GNU as's tables see it (the per-form lists DependencyChecker keeps, read plainly):
        /// the qualifying predicate unless GNU reads none, every predicate for mov r=pr, and the predicates of mov pr='s mask.
        /// </summary>
        public static (List<int> Reads, List<int> Writes) Checked(Instruction ins)
        {
            var facts = DependencyChecker.FactsOf(ins.Form);
            var values = ins.Values.Select(v => (int)v).ToArray();
            var reads = new List<int>();
            var writes = new List<int>();
            void Add(List<int> set, int r)
            {
                if (!(r is 0 or 128 or 129 or 256 || r < 0) && !set.Contains(r)) set.Add(r);
            }
            if (ins.Qp != 0 && !facts.QpNotRead) Add(reads, 256 + ins.Qp);
            foreach (int e in facts.Reads) Add(reads, (e >> 4) + ((e & 15) == 15 ? 0 : values[e & 15]));
            if (facts.ReadsAllPredicates) for (int p = 1; p < 64; p++) if (p != ins.Qp) Add(reads, 256 + p);
            if (facts.ReadsAllAppRegs) for (int ar = 0; ar < 128; ar++) Add(reads, 328 + ar);
            foreach (int e in facts.Writes) Add(writes, (e >> 4) + ((e & 15) == 15 ? 0 : values[e & 15]));
            if (facts.PredicateWrites == DependencyChecker.FormFacts.PrRotating) for (int p = 16; p < 64; p++) Add(writes, 256 + p);
            if (facts.PredicateWrites == DependencyChecker.FormFacts.PrMask)
            {
                int mask = values[facts.PredicateMaskOperand];
                for (int p = 1; p < 64; p++) if ((p < 16 ? mask >> p : mask >> 16) % 2 != 0) Add(writes, 256 + p);
            }
            return (reads, writes);
        }

        /// <summary>GNU as's side of member <paramref name="ins"/>'s write of predicate <paramref name="p"/> (see FormFacts.PrSide0).</summary>
        private static (int Side, int Type) Side(Instruction ins, int p)
        {
            var facts = DependencyChecker.FactsOf(ins.Form);
            var t = facts.PredicateTargets;
            if (t.Length > 0 && ins.Values[t[0]] == p) return (facts.PrSide0, facts.PrType0);
            if (t.Length > 1 && ins.Values[t[1]] == p) return (facts.PrSide1, facts.PrType1);
            return (3, 0);
        }

        /// <summary>Whether <paramref name="r"/> is a register check load <paramref name="ins"/> writes that GNU as never counts as read (its target; all its GRs if an integer one).</summary>
        private static bool CheckTarget(Instruction ins, int r)
        {
            var facts = DependencyChecker.FactsOf(ins.Form);
            if (!facts.WritesNotRead) return false;
            return facts.CheckTargetIsFr ? r == 128 + ins.Values[facts.CheckTarget] : r < 128;
        }

        /// <param name="distinct">Each register once (as the checks count them), or once per operand that names it.</param>
        public static (List<int> Reads, List<int> Writes) Effects(Instruction ins, bool distinct, bool asChecked = false)
        {
            var reads = new List<int>();
            var writes = new List<int>();
            void Add(List<int> set, int r)
            {
                if (r is 0 or 128 or 129 or 256 || r < 0) return;
                if (!distinct || !set.Contains(r)) set.Add(r);
            }
            var f = ins.Form;
            if (ins.Qp != 0) Add(reads, DependencyChecker.Resource(OperandKind.Pr, ins.Qp));
            var ops = f.Operands;
            // A branch (or rfi) writes only when taken, and the path leaves the group then: GNU as records none of its writes.
            bool writesNothing = asChecked && (ConditionalBranch(f.Mnemonic) || f.Mnemonic == "rfi");
            for (int i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                long v = ins.Values[i];
                switch (op.Kind)
                {
                    case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                        if (!(op.IsOutput && writesNothing)) Add(op.IsOutput ? writes : reads, DependencyChecker.Resource(op.Kind, v));
                        break;
                    case OperandKind.Mem:
                        Add(reads, DependencyChecker.Resource(OperandKind.Gr, v));
                        if (s_postIncrement.Contains(f.Format) && !writesNothing) Add(writes, DependencyChecker.Resource(OperandKind.Gr, v));
                        break;
                    case OperandKind.Indirect:
                        Add(reads, DependencyChecker.Resource(OperandKind.Gr, v));
                        break;
                    case OperandKind.Fixed when op.Text!.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(op.Text.Substring(3), out int ar):
                        if (!(op.IsOutput && writesNothing)) Add(op.IsOutput ? writes : reads, DependencyChecker.Resource(OperandKind.Ar, ar));
                        break;
                }
            }
            return (reads, writes);
        }

        private const int UnatNone = 0, UnatRead = 1, UnatWrite = 2;

        /// <summary>
        /// How an instruction uses ar.unat's bits, as GNU as sees it: spills write and fills (and br.ia) read a bit not
        /// known; moves to and from ar.unat (Move) write and read none in particular; a plain mov naming ar48–63 or
        /// ar112–127 reads (to it) or writes (from it) a bit not known.
        /// </summary>
        public static (int Use, bool Move) Unat(Instruction ins)
        {
            string m = ins.Form.Mnemonic;
            if (m.StartsWith("st8.spill", StringComparison.Ordinal)) return (UnatWrite, false);
            if (m.StartsWith("ld8.fill", StringComparison.Ordinal) || m.StartsWith("br.ia", StringComparison.Ordinal)) return (UnatRead, false);
            var ops = ins.Form.Operands;
            int i = Array.FindIndex(ops, o => o.Kind == OperandKind.Ar);
            if (i < 0) return (UnatNone, false);
            long ar = ins.Values[i];
            bool to = ops[i].IsOutput;
            if (ar == 36 && (m == "mov" || (to ? ins.Form.Format is "M29" or "M30" : ins.Form.Format == "M31"))) return (to ? UnatWrite : UnatRead, true);
            if (m == "mov" && (ar is >= 48 and <= 63 || ar >= 112)) return (to ? UnatRead : UnatWrite, false);
            return (UnatNone, false);
        }

        /// <summary>GNU as's is_conditional_branch, spelled out.</summary>
        public static bool ConditionalBranch(string m) =>
            m == "br" || m.StartsWith("brl", StringComparison.Ordinal) || m.StartsWith("br.call", StringComparison.Ordinal)
            || m.StartsWith("br.cond", StringComparison.Ordinal) || m.StartsWith("br.clr", StringComparison.Ordinal)
            || (m.StartsWith("br.", StringComparison.Ordinal) && m.Length > 3 && m[3] is not ('i' or 'c' or 'w'));

        /// <summary>After it nothing its group wrote before is seen: an unpredicated branch of those, br.ia, rfi.</summary>
        public static bool EndsPath(Instruction ins) =>
            ins.Form.Mnemonic == "rfi" || ins.Form.Mnemonic.StartsWith("br.ia", StringComparison.Ordinal) || (ins.Qp == 0 && ConditionalBranch(ins.Form.Mnemonic));

        /// <summary>The implicit resources (rows of ImplicitResources, numbered after the registers) an instruction writes, and reads or writes again.</summary>
        public static (List<int> Writes, List<int> Reads) Implicit(Instruction ins)
        {
            var values = ins.Values.Select(v => (int)v).ToArray();
            var (w, r) = ImplicitResources.UsesOf(ins.Form);
            var writes = ConditionalBranch(ins.Form.Mnemonic) || ins.Form.Mnemonic == "rfi" ? new List<int>()
                : w.Where(u => u.Holds(values)).Select(u => DependencyChecker.ResourceCount + u.Row).Distinct().ToList();
            var reads = r.Where(u => u.Holds(values, ins.Qp)).Select(u => DependencyChecker.ResourceCount + u.Row).Distinct().ToList();
            return (writes, reads);
        }

        public static string? ParallelType(Form f)
        {
            string m = f.Mnemonic;
            if (!(m.StartsWith("cmp", StringComparison.Ordinal) || m.StartsWith("tbit", StringComparison.Ordinal) ||
                  m.StartsWith("tnat", StringComparison.Ordinal) || m.StartsWith("fcmp", StringComparison.Ordinal) ||
                  m.StartsWith("fclass", StringComparison.Ordinal))) return null;
            if (m.EndsWith(".or.andcm", StringComparison.Ordinal) || m.EndsWith(".orcm", StringComparison.Ordinal)) return ".or.andcm";
            if (m.EndsWith(".and", StringComparison.Ordinal) || m.EndsWith(".andcm", StringComparison.Ordinal)) return ".and";
            if (m.EndsWith(".or", StringComparison.Ordinal)) return ".or";
            return null;
        }

        /// <summary>Exclusive predicate pairs, as a set of pairs rather than a bit matrix.</summary>
        public sealed class Relations
        {
            private readonly HashSet<(long, long)> _pairs = new();

            public bool Exclusive(int qa, int qb) => qa != 0 && qb != 0 && qa != qb && qa < 64 && qb < 64 && _pairs.Contains((qa, qb));

            public void Clear() => _pairs.Clear();

            public void After(Instruction ins)
            {
                var f = ins.Form;
                var ops = f.Operands;
                if (f.Mnemonic is "mov" && ops.Length > 0 && ops[0].Kind == OperandKind.Fixed && ops[0].Text!.StartsWith("pr", StringComparison.Ordinal))
                {
                    Clear();
                    return;
                }
                // Loop branches and clrrrb rotate p16–p63.
                if (new[] { "br.ctop", "br.cexit", "br.wtop", "br.wexit", "clrrrb" }.Any(n => f.Mnemonic.StartsWith(n, StringComparison.Ordinal)))
                    _pairs.RemoveWhere(x => x.Item1 >= 16 || x.Item2 >= 16);
                var targets = new List<long>();
                for (int i = 0; i < ops.Length; i++)
                {
                    if (ops[i].Kind != OperandKind.Pr || !ops[i].IsOutput || ins.Values[i] == 0) continue;
                    targets.Add(ins.Values[i]);
                    long p = ins.Values[i];
                    _pairs.RemoveWhere(x => x.Item1 == p || x.Item2 == p);
                }
                if (targets.Count == 2 && ParallelType(f) is null && (ins.Qp == 0 || f.Mnemonic.Contains(".unc"))
                    && (ulong)targets[0] < 64 && (ulong)targets[1] < 64)
                {
                    _pairs.Add((targets[0], targets[1]));
                    _pairs.Add((targets[1], targets[0]));
                }
            }
        }

        /// <summary>(earlier, later, resource, RAW) for each violation in the group, in the order found.</summary>
        public static List<(int, int, int, bool)> Check(IReadOnlyList<Instruction> group, Relations? relations)
        {
            var found = new List<(int, int, int, bool)>();
            // Every writer of each resource, in order, as GNU as keeps them; a predicated branch may take some away.
            var writers = new Dictionary<int, List<int>>();
            var gone = new Dictionary<int, bool>(); // member → only what a stop clears (true) or all (false)
            bool IsGone(int j, int r) => gone.TryGetValue(j, out bool onlyImplied) &&
                (!onlyImplied || r < DependencyChecker.ResourceCount
                 || ImplicitResources.Rows[r - DependencyChecker.ResourceCount].Semantics is ImplicitResources.Semantics.Implied or ImplicitResources.Semantics.ImpliedF);
            // The latest earlier writer of r, still standing, that the member conflicts with (GNU as checks every one).
            bool Writer(int r, Func<int, bool> conflicts, out int w)
            {
                w = -1;
                if (!writers.TryGetValue(r, out var list)) return false;
                for (int i = list.Count - 1; i >= 0; i--) if (!IsGone(list[i], r) && conflicts(list[i])) { w = list[i]; return true; }
                return false;
            }
            var lastPredicateWrite = new Dictionary<int, int>();
            // ar.unat's bits: the spills of the group (no .mem.offset notes here, so each writes a bit not known) and
            // the moves to ar.unat, in order.
            var unat = new List<(int Writer, bool Move)>();
            for (int k = 0; k < group.Count; k++)
            {
                var ins = group[k];
                var (reads, writes) = Checked(ins);
                var (implicitWrites, implicitReads) = Implicit(ins);
                var (unatUse, unatMove) = Unat(ins);
                bool NotExclusive(int w) => relations?.Exclusive(group[w].Qp, ins.Qp) != true;
                var facts = DependencyChecker.FactsOf(ins.Form);
                foreach (int r in reads)
                {
                    // A branch on a predicate an integer compare wrote; a move to a BR read by an indirect branch; a check
                    // load's target: no RAW for GNU as.
                    bool branchOnIt = r is >= 256 and < 320 && facts.BranchReadsQp && ins.Qp == r - 256;
                    bool Counts(int w) => NotExclusive(w) && !CheckTarget(group[w], r)
                        && !(branchOnIt && DependencyChecker.FactsOf(group[w].Form).IntegerPredicateWriter)
                        && !(r is >= 320 and < 328 && facts.IndirectBranch && DependencyChecker.FactsOf(group[w].Form).MovToBr);
                    if (Writer(r, Counts, out int w)) found.Add((w, k, r, true));
                }
                foreach (int r in writes)
                {
                    // Writes of one predicate conflict when one is on GNU's "and" side and the other on its "or" side.
                    var mine = r is >= 256 and < 320 ? Side(ins, r - 256) : (3, 0);
                    bool Conflict(int w)
                    {
                        if (!(r is >= 256 and < 320)) return true;
                        var (es, et) = Side(group[w], r - 256);
                        return ((es & 1) != 0 && (mine.Item1 & 2) != 0 || (es & 2) != 0 && (mine.Item1 & 1) != 0) && !(et != 0 && et == mine.Item2);
                    }
                    bool ModSchedAndUnc(int w) => r == 256 + 63 && (facts.ModSched && DependencyChecker.FactsOf(group[w].Form).Unconditional
                        || facts.Unconditional && DependencyChecker.FactsOf(group[w].Form).ModSched);
                    if (Writer(r, w => Conflict(w) && !ModSchedAndUnc(w) && NotExclusive(w), out int w)) found.Add((w, k, r, false));
                }
                // A call's BR write, which is never recorded, is checked against the writes before it.
                foreach (int e in facts.WawOnlyWrites)
                {
                    int r = (e >> 4) + ((e & 15) == 15 ? 0 : (int)ins.Values[e & 15]);
                    if (r is 0 or 128 or 129 or 256) continue;
                    if (Writer(r, NotExclusive, out int w)) found.Add((w, k, r, false));
                }
                foreach (int r in implicitReads)
                {
                    if (Writer(r, NotExclusive, out int w))
                        found.Add((w, k, r, ImplicitResources.Rows[r - DependencyChecker.ResourceCount].IsRaw));
                }
                if (unatUse != UnatNone)
                {
                    // An unknown bit conflicts with every spill and move; a move with spills only.
                    int ar = DependencyChecker.Resource(OperandKind.Ar, 36);
                    for (int i = unat.Count - 1; i >= 0; i--)
                    {
                        var (w, move) = unat[i];
                        if ((unatMove && move) || IsGone(w, ar) || !NotExclusive(w)) continue;
                        found.Add((w, k, ar, unatUse == UnatRead));
                        break;
                    }
                    if (unatUse == UnatWrite) unat.Add((k, unatMove));
                }
                foreach (int r in writes.Concat(implicitWrites))
                {
                    if (!writers.TryGetValue(r, out var list)) writers[r] = list = new List<int>();
                    list.Add(k);
                }
                relations?.After(ins);
                var ops = ins.Form.Operands;
                for (int i = 0; i < ops.Length; i++)
                    if (ops[i].Kind == OperandKind.Pr && ops[i].IsOutput) lastPredicateWrite[(int)ins.Values[i]] = k;
                if (ops.Length > 0 && ops[0].Kind == OperandKind.Fixed && ins.Form.Mnemonic == "mov" && ops[0].Text!.StartsWith("pr", StringComparison.Ordinal))
                    for (int p = 0; p < 64; p++) lastPredicateWrite[p] = k;
                if (EndsPath(ins))
                {
                    writers.Clear();
                    unat.Clear();
                }
                else if (ins.Qp != 0 && ConditionalBranch(ins.Form.Mnemonic))
                {
                    bool call = ins.Form.Mnemonic.Contains(".call");
                    int from = call ? 0 : lastPredicateWrite.TryGetValue(ins.Qp, out int at) ? at + 1 : 0;
                    for (int j = from; j < k; j++)
                        if (group[j].Qp == ins.Qp && !(gone.TryGetValue(j, out bool only) && !only)) gone[j] = call;
                }
            }
            return found;
        }

        /// <summary>What GroupRules reports for the assembled <paramref name="result"/>, sorted as the assembler sorts its messages.</summary>
        public static List<(AsmSeverity Severity, int Line, int Column, string Message, int RelatedLine)> Diagnostics(AssemblyResult result, string[] lines, bool relations = true)
        {
            var diags = new List<(AsmSeverity Severity, int Line, int Column, string Message, int RelatedLine)>();
            var labels = result.Labels.Values.Distinct().OrderBy(a => a).ToArray();
            var rel = new Relations();
            var group = new List<(Instruction Ins, int Line)>();
            int Column(int line) => lines[line - 1].Length - lines[line - 1].TrimStart().Length + 1;
            void Close()
            {
                if (group.Count > 1)
                {
                    foreach (var (earlier, later, r, raw) in Check(group.Select(g => g.Ins).ToList(), relations ? rel : null))
                    {
                        var l = group[later];
                        var e = group[earlier];
                        string kind = raw ? "RAW" : "WAW";
                        diags.Add((AsmSeverity.Warning, l.Line, Column(l.Line),
                            $"{kind} dependency violation on {DependencyChecker.ResourceName(r)}: '{l.Ins.Form.Mnemonic}' {(raw ? "reads" : "writes")} it in the instruction group where '{e.Ins.Form.Mnemonic}' at line {e.Line} wrote it (insert ';;')",
                            e.Line));
                    }
                }
                else if (group.Count == 1 && relations) rel.After(group[0].Ins);
                for (int k = 0; k < group.Count; k++)
                {
                    var (ins, line) = group[k];
                    if (ins.Form.Has(InsnFlags.FirstInGroup) && k > 0)
                        diags.Add((AsmSeverity.Error, line, Column(line), $"'{ins.Form.Mnemonic}' must be the first instruction of an instruction group (insert ';;' before it)", group[k - 1].Line));
                    if (ins.Form.Has(InsnFlags.LastInGroup) && k < group.Count - 1)
                        diags.Add((AsmSeverity.Error, line, Column(line), $"'{ins.Form.Mnemonic}' must be the last instruction of an instruction group (insert ';;' after it)", group[k + 1].Line));
                }
                group.Clear();
            }
            int label = 0;
            foreach (var bundle in result.Bundles)
            {
                while (label < labels.Length && labels[label] < bundle.Address) label++;
                if (label < labels.Length && labels[label] == bundle.Address) rel.Clear();
                for (int s = 0; s < 3; s++)
                {
                    if (bundle.Lines[s] != 0 && !bundle.Slots[s].IsDefault) group.Add((bundle.Slots[s], bundle.Lines[s]));
                    if (bundle.Template.StopAfter(s)) Close();
                }
            }
            Close();
            return diags.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        }
    }
}
