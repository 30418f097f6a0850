using System;
using System.Collections.Generic;

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
        var result = new List<Packed>();
        return new Packer().Pack(run, result, out failedAt) ? result : null;
    }

    public static int MaskOf(Unit u) => 1 << (int)u;

    private static bool FitsAny(int unitMask, SlotKind kind)
    {
        for (int u = 0; u < 6; u++)
            if ((unitMask >> u & 1) != 0 && ((Unit)u).FitsIn(kind)) return true;
        return false;
    }

    private static int Shift(int s, int i) => s < 0 ? -1 : s + i;

    /// <summary>A way to start a packing: one bundle taking the next <see cref="Count"/> instructions.</summary>
    private readonly struct Option
    {
        public readonly Packed Bundle;
        public readonly int Count;

        public Option(Packed bundle, int count)
        {
            Bundle = bundle;
            Count = count;
        }
    }

    /// <summary>
    /// Packs runs; keeps its dynamic-programming tables from run to run, and a small cache of the options of the
    /// instruction windows it meets (there are few distinct ones), in front of the shared table of all options.
    /// </summary>
    internal sealed class Packer
    {
        private const int Inf = int.MaxValue / 2;
        private const int CacheSize = 256;
        private int[] _key = new int[64], _cost = new int[64], _count = new int[64];
        private Packed[] _choice = new Packed[64];
        private readonly int[] _cacheKey = new int[CacheSize];
        private readonly Option[][] _cacheOptions = new Option[CacheSize][];

        public Packer()
        {
            for (int i = 0; i < CacheSize; i++) _cacheKey[i] = -1;
        }

        /// <summary>Packs <paramref name="run"/> into <paramref name="into"/>; on failure false and the index of the instruction no template can hold.</summary>
        public bool Pack(ReadOnlySpan<SourceInstruction> run, List<Packed> into, out int failedAt)
        {
            int n = run.Length;
            if (_key.Length < n + 3)
            {
                int size = Math.Max(n + 3, _key.Length * 2);
                _key = new int[size];
                _cost = new int[size];
                _count = new int[size];
                _choice = new Packed[size];
            }
            for (int i = 0; i < n; i++) _key[i] = Window.KeyOf(run[i]);
            _key[n] = _key[n + 1] = 0; // no instruction
            _cost[n] = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                int best = Inf;
                foreach (var o in OptionsFor(_key[i] << 20 | _key[i + 1] << 10 | _key[i + 2]))
                {
                    int c = 1 + _cost[i + o.Count];
                    if (c < best)
                    {
                        best = c;
                        _choice[i] = new Packed(o.Bundle.Template, Shift(o.Bundle.S0, i), Shift(o.Bundle.S1, i), Shift(o.Bundle.S2, i));
                        _count[i] = o.Count;
                    }
                }
                if (best >= Inf)
                {
                    failedAt = i;
                    return false;
                }
                _cost[i] = best;
            }
            into.Clear();
            for (int i = 0; i < n; i += _count[i]) into.Add(_choice[i]);
            failedAt = -1;
            return true;
        }

        private Option[] OptionsFor(int key)
        {
            int h = (int)((uint)(key * -1640531535) >> 24); // Fibonacci hashing into 256 entries
            if (_cacheKey[h] == key) return _cacheOptions[h];
            if (!s_options.TryGetValue(key, out var options))
            {
                options = Options(key);
                s_options[key] = options;
            }
            _cacheKey[h] = key;
            _cacheOptions[h] = options;
            return options;
        }
    }

    /// <summary>What the bundler needs to know of an instruction: its units, its stop and its placement rule, packed in 10 bits.</summary>
    private readonly struct Window
    {
        private readonly int _key;

        private Window(int key) => _key = key;

        // Bits 8–9: the placement rule, at most one per form: 1 last in bundle, 2 last in group, 3 first in group.
        public static int KeyOf(in SourceInstruction ins) =>
            1 | ins.UnitMask << 1 | (ins.StopAfter ? 128 : 0)
            | (ins.LastInBundle ? 1 << 8 : ins.LastInGroup ? 2 << 8 : ins.FirstInGroup ? 3 << 8 : 0);

        /// <summary>The windows of the three instructions a key of <see cref="Packer"/> describes.</summary>
        public static Window[] Decode(int key)
        {
            var w = new[] { new Window(key >> 20 & 1023), new Window(key >> 10 & 1023), new Window(key & 1023) };
            int present = 0;
            while (present < 3 && w[present].Present) present++;
            return w.AsSpan(0, present).ToArray();
        }

        public bool Present => (_key & 1) != 0;
        public int UnitMask => _key >> 1 & 63;
        public bool StopAfter => (_key & 128) != 0;
        public bool LastInBundle => (_key >> 8 & 3) == 1;
        public bool LastInGroup => (_key >> 8 & 3) == 2;
        public bool FirstInGroup => (_key >> 8 & 3) == 3;
    }

    // The options of every window key met so far, shared by all packers.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Option[]> s_options = new();

    /// <summary>
    /// The feasible (template, slots) choices for a window of up to three instructions. With the same count of
    /// instructions taken, all cost the same, and the packing takes the first that is cheapest: so only the first
    /// option for each count, in template order, can ever be chosen, and only those are kept.
    /// </summary>
    private static Option[] Options(int key)
    {
        var run = Window.Decode(key);
        var slots = new int[3];
        var list = new List<Option>();
        int seenCounts = 0;
        foreach (var t in Template.All)
            for (int mask = 1; mask < 8; mask++)
                if (TryPlace(run, 0, t, mask, slots, out int k) && (seenCounts >> k & 1) == 0)
                {
                    seenCounts |= 1 << k;
                    list.Add(new Option(new Packed(t, slots[0], slots[1], slots[2]), k));
                }
        return list.ToArray();
    }

    /// <summary>
    /// Places instructions from <paramref name="i"/> into the slots selected by <paramref name="mask"/> (bit s: slot s
    /// holds an instruction). For MLX, bit 2 stands for the L+X pair and bit 1 must be clear.
    /// </summary>
    private static bool TryPlace(Window[] run, int i, Template t, int mask, int[] slots, out int placed)
    {
        placed = 0;
        int j = i;
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
        placed = j - i;
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
