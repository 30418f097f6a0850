using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// The bundler against <see cref="Reference"/>, a plain copy of its dynamic programming as first written (options as
/// lists of template-and-slots structs, a packing as a list of bundles). The runtime's packer keeps its options as ints
/// and its choices in one table; any change in which template and slots it picks, in its tie-breaking or in where
/// it gives up shows up here.
/// </summary>
public sealed class PackerEquivalenceTests
{
    private readonly ITestOutputHelper _out;
    public PackerEquivalenceTests(ITestOutputHelper output) => _out = output;

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, false, false)]
    [InlineData(3, true, false)]
    [InlineData(4, true, false)]
    [InlineData(5, false, true)]
    [InlineData(6, true, true)]
    public void Packer_chooses_as_the_reference_on_random_runs(int seed, bool groupsOfThree, bool anyUnits)
    {
        var rng = new Random(seed);
        // Every kind the packer tells apart: each unit, unit-less spellings (several units), must be last in the
        // bundle (MLX's X and a few B forms), must end or start a group.
        var forms = InstructionTable.Forms.Where(f => !f.Has(InsnFlags.ParseOnly)).ToList();
        var placed = forms.Where(f => f.Has(InsnFlags.LastInBundle) || f.Has(InsnFlags.LastInGroup) || f.Has(InsnFlags.FirstInGroup)).ToList();
        var byUnit = Enum.GetValues(typeof(Unit)).Cast<Unit>().ToDictionary(u => u, u => forms.Where(f => f.Unit == u).ToList());
        var packer = new Bundler.Packer(); // one packer for all runs, as a layout keeps one
        int packed = 0, failed = 0, bundles = 0, mlx = 0;
        var templates = new HashSet<int>();
        for (int r = 0; r < 4000; r++)
        {
            var run = new SourceInstruction[1 + rng.Next(groupsOfThree ? 40 : 12)];
            for (int i = 0; i < run.Length; i++)
            {
                int pick = rng.Next(100);
                Form form = pick < 8 ? placed[rng.Next(placed.Count)]
                    : pick < 16 ? byUnit[Unit.X][rng.Next(byUnit[Unit.X].Count)]
                    : pick < 26 ? byUnit[Unit.B][rng.Next(byUnit[Unit.B].Count)]
                    : pick < 34 ? byUnit[Unit.F][rng.Next(byUnit[Unit.F].Count)]
                    : pick < 54 ? byUnit[Unit.M][rng.Next(byUnit[Unit.M].Count)]
                    : pick < 72 ? byUnit[Unit.I][rng.Next(byUnit[Unit.I].Count)]
                    : byUnit[Unit.A][rng.Next(byUnit[Unit.A].Count)];
                int units = Bundler.MaskOf(form.Unit);
                // A unit-less spelling (nop, break, mov ar=) may go on several units.
                if (rng.Next(8) == 0) units |= Bundler.MaskOf((Unit)rng.Next(5)) | Bundler.MaskOf((Unit)rng.Next(5));
                // Units no form has with its placement rule (a must-be-first I, a must-be-last M…): windows no source
                // makes, for the corners of the options.
                if (anyUnits) units = 1 + rng.Next(63);
                run[i] = new SourceInstruction(form, 0, units, i + 1, 1, 0, false)
                {
                    StopAfter = groupsOfThree ? i % 3 == 2 || rng.Next(10) == 0 : rng.Next(3) == 0,
                };
            }
            var expected = Reference.Pack(run, out int expectedFailedAt);
            bool ok = packer.Pack(run, out int failedAt);
            var actual = Bundler.Pack(run, out int failedAtAgain);
            Assert.Equal(expectedFailedAt, failedAt);
            Assert.Equal(expectedFailedAt, failedAtAgain);
            Assert.Equal(expected is not null, ok);
            Assert.Equal(expected is not null, actual is not null);
            if (expected is null)
            {
                failed++;
                continue;
            }
            var chosen = new List<(int, int, int, int)>();
            for (int next = 0; next < run.Length;)
            {
                int c = packer.Choices[next];
                Bundler.Choice.Slots(c, ref next, out int s0, out int s1, out int s2);
                chosen.Add((Bundler.Choice.TemplateCode(c), s0, s1, s2));
                // The layout chooses forms only in the bundles that say so: those holding an instruction of several units.
                bool several = new[] { s0, s1, s2 }.Any(s => s >= 0 && (run[s].UnitMask & run[s].UnitMask - 1) != 0);
                Assert.Equal(several, Bundler.Choice.ChoosesForms(c));
            }
            string Show(IEnumerable<(int, int, int, int)> b) => string.Join(" ", b.Select(x => $"{Template.FromCode(x.Item1)}[{x.Item2},{x.Item3},{x.Item4}]"));
            Assert.True(expected.SequenceEqual(chosen), $"run {r}: expected {Show(expected)}\n got {Show(chosen)}");
            Assert.True(expected.SequenceEqual(actual!.Select(p => (p.Template.Code, p.S0, p.S1, p.S2))), $"run {r}: Bundler.Pack differs");
            packed++;
            bundles += chosen.Count;
            mlx += chosen.Count(b => Template.FromCode(b.Item1)!.IsLong);
            foreach (var b in chosen) templates.Add(b.Item1);
        }
        _out.WriteLine($"{packed} runs packed into {bundles} bundles ({mlx} MLX, {templates.Count} templates), {failed} unpackable");
        // Both outcomes, and most templates, are met.
        Assert.True(packed > 500 && failed > 100);
        Assert.True(mlx > 100 && templates.Count >= 20);
    }

    /// <summary>The packer as first written: options as lists of structs holding the template, the packing a list of them.</summary>
    private static class Reference
    {
        private static readonly Dictionary<int, List<(int Count, Template T, int S0, int S1, int S2)>> s_options = new();

        private static int KeyOf(in SourceInstruction ins) =>
            1 | ins.UnitMask << 1 | (ins.StopAfter ? 128 : 0)
            | (ins.LastInBundle ? 1 << 8 : ins.LastInGroup ? 2 << 8 : ins.FirstInGroup ? 3 << 8 : 0);

        public static List<(int, int, int, int)>? Pack(ReadOnlySpan<SourceInstruction> run, out int failedAt)
        {
            int n = run.Length;
            var key = new int[n + 3];
            var cost = new int[n + 3];
            var count = new int[n + 3];
            var choice = new (int, int, int, int)[n + 3];
            for (int i = 0; i < n; i++) key[i] = KeyOf(run[i]);
            const int inf = int.MaxValue / 2;
            for (int i = n - 1; i >= 0; i--)
            {
                int best = inf;
                foreach (var o in OptionsFor(key[i] << 20 | key[i + 1] << 10 | key[i + 2]))
                {
                    int c = 1 + cost[i + o.Count];
                    if (c < best)
                    {
                        best = c;
                        choice[i] = (o.T.Code, Shift(o.S0, i), Shift(o.S1, i), Shift(o.S2, i));
                        count[i] = o.Count;
                    }
                }
                if (best >= inf)
                {
                    failedAt = i;
                    return null;
                }
                cost[i] = best;
            }
            var result = new List<(int, int, int, int)>();
            for (int i = 0; i < n; i += count[i]) result.Add(choice[i]);
            failedAt = -1;
            return result;
        }

        private static int Shift(int s, int i) => s < 0 ? -1 : s + i;

        private static List<(int Count, Template T, int S0, int S1, int S2)> OptionsFor(int key)
        {
            if (s_options.TryGetValue(key, out var list)) return list;
            var run = new List<int>();
            for (int shift = 20; shift >= 0 && (key >> shift & 1) != 0; shift -= 10) run.Add(key >> shift & 1023);
            list = new();
            var slots = new int[3];
            int seenCounts = 0;
            foreach (var t in Template.All)
                for (int mask = 1; mask < 8; mask++)
                    if (TryPlace(run, t, mask, slots, out int k) && (seenCounts >> k & 1) == 0)
                    {
                        seenCounts |= 1 << k;
                        list.Add((k, t, slots[0], slots[1], slots[2]));
                    }
            lock (s_options) s_options[key] = list;
            return list;
        }

        private static bool TryPlace(List<int> run, Template t, int mask, int[] slots, out int placed)
        {
            placed = 0;
            int j = 0;
            for (int s = 0; s < 3; s++)
            {
                slots[s] = -1;
                if ((mask >> s & 1) == 0) continue;
                if (j >= run.Count) return false;
                var kind = t.Slots[s];
                if (kind == SlotKind.L) return false;
                int units = run[j] >> 1 & 63, rule = run[j] >> 8 & 3;
                bool fits = false;
                for (int u = 0; u < 6; u++)
                    if ((units >> u & 1) != 0 && ((Unit)u).FitsIn(kind)) fits = true;
                if (!fits) return false;
                if (rule == 1 && s != 2) return false;
                if (rule == 2 && !t.StopAfter(s)) return false;
                if (rule == 3 && s > 0 && !t.StopAfter(s - 1)) return false;
                slots[s] = j++;
            }
            placed = j;
            int last = -1;
            bool pending = false;
            for (int s = 0; s < 3; s++)
            {
                if (slots[s] >= 0)
                {
                    if (pending) return false;
                    last = s;
                    pending = (run[slots[s]] & 128) != 0;
                }
                if (t.StopAfter(s))
                {
                    if (last < 0 || !pending) return false;
                    pending = false;
                }
            }
            return !pending;
        }
    }
}
