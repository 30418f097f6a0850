using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>
/// Packs a run of instructions (no labels inside) into as few bundles as possible, in order, honouring the
/// programmer's stops exactly: every stop lands on a template stop right after its instruction, and no
/// template stop appears where the programmer wrote none. Dynamic programming over the run: the best
/// packing from instruction i is one bundle holding i.. plus the best packing after it, so the result is
/// optimal for in-order placement (GNU as fills greedily and is never denser).
/// </summary>
public static class Bundler
{
    /// <summary>A packed bundle: template and, per slot, the index into the run (−1 = nop).</summary>
    public readonly struct Packed
    {
        public readonly Template Template;
        public readonly int S0, S1, S2;

        public Packed(Template t, int s0, int s1, int s2)
        {
            Template = t;
            S0 = s0;
            S1 = s1;
            S2 = s2;
        }

        public int this[int slot] => slot switch { 0 => S0, 1 => S1, _ => S2 };
    }

    /// <summary>Packs <paramref name="run"/>; on failure returns null and the index of the instruction no template can hold.</summary>
    public static List<Packed>? Pack(ReadOnlySpan<SourceInstruction> run, out int failedAt)
    {
        var packer = new Packer();
        if (!packer.Pack(run, out failedAt)) return null;
        var result = new List<Packed>();
        var choices = packer.Choices;
        for (int next = 0; next < choices.Length;)
        {
            int choice = choices[next];
            Choice.Slots(choice, ref next, out int s0, out int s1, out int s2);
            result.Add(new Packed(Template.FromCode(Choice.TemplateCode(choice))!, s0, s1, s2));
        }
        return result;
    }

    public static int MaskOf(Unit u) => 1 << (int)u;

    private static bool FitsAny(int unitMask, SlotKind kind)
    {
        for (int u = 0; u < 6; u++)
            if ((unitMask >> u & 1) != 0 && ((Unit)u).FitsIn(kind)) return true;
        return false;
    }

    /// <summary>
    /// A bundle the packer may take, in 9 bits of an int: the template's code (bits 0–4), the slots that hold the
    /// next instructions, in order (bits 5–7, bit 5 + s for slot s; MLX's L+X pair is slot 2), and whether one of
    /// those instructions may run on several units (bit 8), so that its form is chosen for its slot. No reference
    /// inside: the packer's tables are ints, which the GC never looks into.
    /// </summary>
    internal static class Choice
    {
        public const int Bits = 9, Mask = (1 << Bits) - 1;

        public static int Make(int templateCode, int slotMask, bool severalUnits) => templateCode | slotMask << 5 | (severalUnits ? 1 << 8 : 0);

        public static int TemplateCode(int choice) => choice & 31;

        /// <summary>How many instructions the bundle takes: the count of its filled slots, looked up two bits per slot mask in a constant.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Count(int choice) => 0b11_10_10_01_10_01_01_00 >> (choice >> 4 & 14) & 3;

        /// <summary>Some instruction it takes may run on several units (a unit-less nop, a match on another unit): its form is to be chosen for its slot.</summary>
        public static bool ChoosesForms(int choice) => (choice & 1 << 8) != 0;

        /// <summary>The instruction of each slot (−1 for a nop), taking them in order from <paramref name="next"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Slots(int choice, ref int next, out int s0, out int s1, out int s2)
        {
            s0 = (choice & 1 << 5) != 0 ? next++ : -1;
            s1 = (choice & 1 << 6) != 0 ? next++ : -1;
            s2 = (choice & 1 << 7) != 0 ? next++ : -1;
        }
    }

    /// <summary>
    /// Packs runs. The dynamic programming goes from the run's end to its start; the bundle that starts the best
    /// packing from instruction i depends on two things only: the window of i and the next two instructions (which
    /// bundles can take them: its options), and how the fewest bundles after one, two and three instructions compare
    /// (which option is cheapest). Call the second the pattern: the differences <c>d1 = after1 − after3 + 1</c> and
    /// <c>d2 = after2 − after3 + 1</c>. It is small: an instruction that can start a bundle can always be packed alone
    /// (the same template without the stops it does not ask for), so after1 ≤ after2 + 1 ≤ after3 + 2; and dropping
    /// the first instruction of a packing costs at most one more bundle, so after3 ≤ after2 + 1 and after3 ≤ after1.
    /// Hence d1 is 1–3 and d2 0–2, and the pattern at i − 1 follows from the pattern at i and the bundle chosen. So
    /// the packer needs no costs at all: a decision maps (window, pattern) to (bundle, next pattern), the same all
    /// along a listing, and is made once per thread and then looked up.
    /// </summary>
    internal sealed class Packer
    {
        /// <summary>The pattern after the run's end, where nothing is left to pack (d1 = d2 = 1).</summary>
        private const int EndPattern = 1 << 2 | 1;
        private const int PatternBits = 4;
        // By instruction of the run, the bundle that starts the best packing from it.
        private int[] _choice = new int[64];
        private int _count;

        // The decisions made on this thread (the parts of a long source are laid out side by side, each by a packer of its own).
        [ThreadStatic] private static Decisions? t_decisions;

        /// <summary>
        /// The last packing: by instruction of the run, the bundle (see <see cref="Choice"/>) that starts the best packing
        /// from it. The packing of the run is the bundle at 0, then the one at the instruction after those it takes, and so on.
        /// </summary>
        public ReadOnlySpan<int> Choices => _choice.AsSpan(0, _count);

        /// <summary>Packs <paramref name="run"/> (see <see cref="Choices"/>); on failure false and the index of the instruction no template can hold.</summary>
        public bool Pack(ReadOnlySpan<SourceInstruction> run, out int failedAt)
        {
            int n = run.Length;
            if (_choice.Length < n) _choice = new int[Math.Max(n, _choice.Length * 2)];
            var choice = _choice;
            var decisions = t_decisions ??= new Decisions();
            var entries = decisions.Entries;
            _count = 0;
            int window = 0; // the keys of instructions i, i+1, i+2 (0 past the run's end)
            int pattern = EndPattern;
            for (int i = n - 1; i >= 0; i--)
            {
                window = window >> Window.Bits | Window.KeyOf(run[i]) << 2 * Window.Bits;
                int key = window << PatternBits | pattern;
                long entry = entries[Decisions.Home(key)];
                int decision = entry >> Decisions.ValueBits == key ? (int)entry & Decisions.ValueMask : decisions.Find(key);
                int chosen = decision & Choice.Mask;
                if (chosen == 0)
                {
                    failedAt = i;
                    return false;
                }
                choice[i] = chosen;
                pattern = decision >> Choice.Bits;
            }
            _count = n;
            failedAt = -1;
            return true;
        }

        /// <summary>
        /// The decision for a window (the high bits of <paramref name="key"/>) and a pattern (its low 4 bits, d1 &lt;&lt; 2 | d2):
        /// the first option with the fewest bundles after it (the options are in template order, so ties go to the
        /// lower template code), and above it the pattern the instruction before will see; 0 when no option fits.
        /// </summary>
        private static int Decide(int key)
        {
            int options = OptionsFor(key >> PatternBits), d1 = key >> 2 & 3, d2 = key & 3;
            // The bundles after one, two and three instructions as the pattern gives them: less those after three, plus one.
            int best = int.MaxValue, chosen = 0;
            for (; options != 0; options >>= Choice.Bits)
            {
                int count = Choice.Count(options);
                int after = count == 1 ? d1 : count == 2 ? d2 : 1;
                if (after < best)
                {
                    best = after;
                    chosen = options & Choice.Mask;
                }
            }
            if (chosen == 0) return 0;
            // With this bundle, the fewest from here are after3 + best: the instruction before sees that after one,
            // what was after one after two, and what was after two after three.
            int next1 = best - d2 + 2, next2 = d1 - d2 + 1;
            if ((uint)next1 >= 4 || (uint)next2 >= 4) throw new InvalidOperationException($"bundler: pattern ({d1},{d2}) and option {chosen:x} lead out of range (see Packer)");
            return chosen | (next1 << 2 | next2) << Choice.Bits;
        }

        /// <summary>
        /// Decisions by key (see <see cref="Pack"/>): an open-addressing table of entries holding the key above bit
        /// <see cref="ValueBits"/> and the decision below, or −1, which no key is. A listing has a few hundred keys,
        /// most of them met at their home entry; should a source have many more, the table starts again when half full.
        /// </summary>
        private sealed class Decisions
        {
            public const int ValueBits = Choice.Bits + PatternBits, ValueMask = (1 << ValueBits) - 1;
            private const int Bits = 13;
            public readonly long[] Entries = new long[1 << Bits];
            private int _count;

            public Decisions() => Clear();

            /// <summary>Where the key's entry is looked for first (Fibonacci hashing).</summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static int Home(int key) => (int)((uint)(key * -1640531535) >> (32 - Bits));

            /// <summary>The decision for a key not at its home entry: further on, or made now and kept.</summary>
            [MethodImpl(MethodImplOptions.NoInlining)]
            public int Find(int key)
            {
                var entries = Entries;
                int mask = entries.Length - 1, h = Home(key);
                for (; entries[h] != -1; h = h + 1 & mask)
                    if (entries[h] >> ValueBits == key) return (int)entries[h] & ValueMask;
                int decision = Decide(key);
                if (++_count > entries.Length / 2)
                {
                    Clear();
                    _count = 1;
                    h = Home(key);
                }
                entries[h] = (long)key << ValueBits | (uint)decision;
                return decision;
            }

            private void Clear()
            {
                for (int i = 0; i < Entries.Length; i++) Entries[i] = -1;
            }
        }

        /// <summary>The options of a window: up to three <see cref="Choice"/>s, <see cref="Choice.Bits"/> apart, the first lowest; 0 when none fits.</summary>
        private static int OptionsFor(int window) => s_options.GetOrAdd(window, s_makeOptions);
    }

    /// <summary>What the bundler needs to know of an instruction: its units, its stop and its placement rule, packed in 9 bits (0: no instruction).</summary>
    private readonly struct Window
    {
        public const int Bits = 9;
        private readonly int _key;

        private Window(int key) => _key = key;

        // Bits 0–5: the units (never none); bit 6: the stop; bits 7–8: the placement rule, at most one per form:
        // 1 last in bundle, 2 last in group, 3 first in group.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int KeyOf(in SourceInstruction ins) =>
            ins.UnitMask | (ins.StopAfter ? 1 << 6 : 0)
            | (ins.LastInBundle ? 1 << 7 : ins.LastInGroup ? 2 << 7 : ins.FirstInGroup ? 3 << 7 : 0);

        /// <summary>The instructions of a window of the <see cref="Packer"/> (the keys of three, the first highest).</summary>
        public static Window[] Decode(int window)
        {
            var w = new[] { new Window(window >> 2 * Bits & 511), new Window(window >> Bits & 511), new Window(window & 511) };
            int present = 0;
            while (present < 3 && w[present].Present) present++;
            return w.AsSpan(0, present).ToArray();
        }

        public bool Present => UnitMask != 0;
        public int UnitMask => _key & 63;
        public bool StopAfter => (_key & 1 << 6) != 0;
        public bool LastInBundle => (_key >> 7 & 3) == 1;
        public bool LastInGroup => (_key >> 7 & 3) == 2;
        public bool FirstInGroup => (_key >> 7 & 3) == 3;
        public bool SeveralUnits => (UnitMask & UnitMask - 1) != 0;
    }

    // The options of every window met so far, shared by all packers.
    private static readonly ConcurrentDictionary<int, int> s_options = new();
    private static readonly Func<int, int> s_makeOptions = Options;

    /// <summary>
    /// The feasible (template, slots) choices for a window of up to three instructions. With the same count of
    /// instructions taken, all cost the same, and the packing takes the first that is cheapest: so only the first
    /// option for each count, in template order, can ever be chosen, and only those are kept (at most three).
    /// </summary>
    private static int Options(int window)
    {
        var run = Window.Decode(window);
        var slots = new int[3];
        int options = 0, shift = 0, seenCounts = 0;
        foreach (var t in Template.All)
            for (int mask = 1; mask < 8; mask++)
            {
                int k = Choice.Count(mask << 5); // what the mask places, should it fit
                if ((seenCounts >> k & 1) == 0 && TryPlace(run, t, mask, slots))
                {
                    seenCounts |= 1 << k;
                    bool several = false;
                    for (int j = 0; j < k; j++) several |= run[j].SeveralUnits;
                    options |= Choice.Make(t.Code, mask, several) << shift;
                    shift += Choice.Bits;
                }
            }
        return options;
    }

    /// <summary>
    /// Places the window's instructions, in order, into the slots selected by <paramref name="mask"/> (bit s: slot s
    /// holds an instruction). For MLX, bit 2 stands for the L+X pair and bit 1 must be clear.
    /// </summary>
    private static bool TryPlace(Window[] run, Template t, int mask, int[] slots)
    {
        int j = 0;
        for (int s = 0; s < 3; s++)
        {
            slots[s] = -1;
            if ((mask >> s & 1) == 0) continue;
            if (j >= run.Length) return false;
            var kind = t.Slots[s];
            if (kind == SlotKind.L) return false;
            if (!FitsAny(run[j].UnitMask, kind)) return false;
            if (run[j].LastInBundle && s != 2) return false;
            // Group placement counts the nops too (GNU as does): a must-be-last instruction needs the stop right
            // after its slot, a must-be-first one the stop right before it.
            if (run[j].LastInGroup && !t.StopAfter(s)) return false;
            if (run[j].FirstInGroup && s > 0 && !t.StopAfter(s - 1)) return false;
            slots[s] = j++;
        }
        // Stops: each template stop must follow an instruction whose programmer stop it realizes,
        // with only nops between; each programmer stop must be realized before the next instruction.
        int last = -1; // slot of the last instruction seen
        bool pending = false; // that instruction wants a stop not yet realized
        for (int s = 0; s < 3; s++)
        {
            if (slots[s] >= 0)
            {
                if (pending) return false; // next instruction before the wanted stop
                last = s;
                pending = run[slots[s]].StopAfter;
            }
            if (t.StopAfter(s))
            {
                if (last < 0 || !pending) return false; // a stop nobody asked for
                pending = false;
            }
        }
        return !pending;
    }
}
