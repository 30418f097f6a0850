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
        int n = run.Length;
        failedAt = -1;
        var cost = new int[n + 1];
        var choice = new Packed[n + 1];
        var count = new int[n + 1];
        const int Inf = int.MaxValue / 2;
        cost[n] = 0;
        var slots = new int[3];
        var window = new Window[3];
        for (int i = n - 1; i >= 0; i--)
        {
            cost[i] = Inf;
            // The feasible (template, slots) choices depend only on the next three instructions' units,
            // stops and slot rules: compute them once per distinct signature.
            int key = 0;
            for (int w = 0; w < 3; w++)
            {
                window[w] = i + w < n ? new Window(run[i + w].Form, run[i + w].StopAfter, run[i + w].UnitMask) : default;
                key = key << 9 | window[w].Key;
            }
            if (!s_choices.TryGetValue(key, out var options))
            {
                options = Options(window, slots);
                s_choices[key] = options;
            }
            foreach (var (p, k) in options)
            {
                int c = 1 + cost[i + k];
                if (c < cost[i])
                {
                    cost[i] = c;
                    choice[i] = new Packed(p.Template, Shift(p.S0, i), Shift(p.S1, i), Shift(p.S2, i));
                    count[i] = k;
                }
            }
            if (cost[i] >= Inf)
            {
                failedAt = i;
                return null;
            }
        }
        var result = new List<Packed>(cost[0]);
        for (int i = 0; i < n; i += count[i]) result.Add(choice[i]);
        return result;
    }

    public static int MaskOf(Unit u) => 1 << (int)u;

    private static bool FitsAny(int unitMask, SlotKind kind)
    {
        for (int u = 0; u < 6; u++)
            if ((unitMask >> u & 1) != 0 && ((Unit)u).FitsIn(kind)) return true;
        return false;
    }

    private static int Shift(int s, int i) => s < 0 ? -1 : s + i;

    /// <summary>What the bundler needs to know of an instruction: its unit, its stop and its slot rule.</summary>
    private readonly struct Window
    {
        public Form Form { get; }
        public bool StopAfter { get; }
        public bool Present => Form is not null;

        public int UnitMask { get; }

        public Window(Form form, bool stop, int unitMask)
        {
            Form = form;
            StopAfter = stop;
            UnitMask = unitMask;
        }

        public int Key => Form is null ? 0 : 1 | UnitMask << 1 | (StopAfter ? 128 : 0) | (Form.Has(InsnFlags.LastInBundle) ? 256 : 0);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (Packed, int)[]> s_choices = new();

    private static (Packed, int)[] Options(Window[] window, int[] slots)
    {
        int present = 0;
        while (present < 3 && window[present].Present) present++;
        var run = new Window[present];
        Array.Copy(window, run, present);
        var list = new List<(Packed, int)>();
        foreach (var t in Template.All)
            for (int mask = 1; mask < 8; mask++)
                if (TryPlace(run, 0, t, mask, slots, out int k))
                    list.Add((new Packed(t, slots[0], slots[1], slots[2]), k));
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
            var f = run[j].Form;
            if (!FitsAny(run[j].UnitMask, kind)) return false;
            if (f.Has(InsnFlags.LastInBundle) && s != 2) return false;
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
