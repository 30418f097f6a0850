using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Dsl;
using IvtGen.Generator.Model;
using IvtGen.Isa;

namespace IvtGen.Generator.Lowering;

// SlotOverflow.MoveTailOutOfLine: a handler that outgrows its slot in some variant keeps what fits, ends with a branch,
// and continues after the table's routines — what Linux did by hand when Xen's sequences made its external-interrupt
// handler "too big to fit this area". The split is per variant: the native image of the same handler stays whole.
internal static partial class TableLowering
{
    /// <summary>
    /// For every handler that opted in and overflows in this variant, finds the latest instruction-group boundary at
    /// which the head (plus the branch) fits its slot, and re-lowers the table with those tails moved out of line.
    /// Returns the splits that were made (handler → first statement that moved) and reports each as IVT016; a handler
    /// that cannot fit however it is split keeps its full size, and IVT008 reports it.
    /// </summary>
    private static IReadOnlyDictionary<int, int> MoveTailsOutOfLine(TableSpec table, string variant,
        IReadOnlyDictionary<string, long>? symbols, ref Lowered lowered, List<DiagnosticInfo> diags)
    {
        var original = lowered;
        if (original.Result.HasErrors) return NoSplits; // the errors are the story; sizes are not final
        var candidates = new Dictionary<int, Queue<int>>();
        var splits = new Dictionary<int, int>();
        for (int h = 0; h < table.Handlers.Count; h++)
        {
            var handler = table.Handlers[h];
            if (!handler.MoveTailOutOfLine || handler.Offset < 0) continue;
            int capacity = Capacity(handler);
            if (Bundles(original.Result, handler.Symbol, EndLabel(handler)) <= capacity) continue;
            // Start from where the first assembly says the head would still fit (its bundles plus one for the branch);
            // re-assembly confirms it, since the bundler may pack the shorter head differently.
            var ends = StatementEnds(table, original, h);
            var queue = new Queue<int>(SplitPoints(handler.Statements).Where(k => HeadBundles(ends, k) + 1 <= capacity));
            candidates[h] = queue;
            if (queue.Count > 0) splits[h] = queue.Dequeue();
        }
        if (splits.Count == 0) return splits;

        while (splits.Count > 0)
        {
            var trial = Lower(table, variant, symbols, splits);
            bool retry = false;
            foreach (int h in splits.Keys.ToList())
            {
                var handler = table.Handlers[h];
                bool fits = Bundles(trial.Result, handler.Symbol, EndLabel(handler)) <= Capacity(handler)
                    && !trial.Result.Diagnostics.Any(d => d.Severity == AsmSeverity.Error && trial.Origin(d.Line).Handler == h);
                if (fits) continue;
                retry = true;
                if (candidates[h].Count > 0) splits[h] = candidates[h].Dequeue();
                else splits.Remove(h); // no boundary makes it fit: IVT008 reports the whole handler
            }
            if (retry) continue;
            lowered = trial;
            foreach (var kv in splits.OrderBy(x => x.Key))
            {
                var handler = table.Handlers[kv.Key];
                int index = IvtLayout.IndexOf(handler.Offset);
                diags.Add(DiagnosticInfo.AtStatement("IVT016", kv.Key, kv.Value,
                    handler.Name, IvtLayout.Name(index), handler.Offset.ToString("x4", CultureInfo.InvariantCulture),
                    Bundles(original.Result, handler.Symbol, EndLabel(handler)).ToString(CultureInfo.InvariantCulture), variant,
                    Capacity(handler).ToString(CultureInfo.InvariantCulture),
                    Bundles(trial.Result, handler.Symbol, EndLabel(handler)).ToString(CultureInfo.InvariantCulture),
                    Bundles(trial.Result, TailLabel(handler), TailEndLabel(handler)).ToString(CultureInfo.InvariantCulture),
                    TailLabel(handler)));
            }
            return splits;
        }
        return splits; // empty: nothing could be moved, the original lowering stands
    }

    private static int Capacity(HandlerSpec handler) => IvtLayout.Capacity(IvtLayout.IndexOf(handler.Offset));

    /// <summary>
    /// Where a tail may start, latest first: after a stop (so every instruction group stays whole and the branch starts
    /// its own), outside explicit bundles, with at least one instruction left to move. Statement 0 is a boundary too: the
    /// slot then holds only the branch.
    /// </summary>
    private static IEnumerable<int> SplitPoints(EquatableArray<StatementSpec> statements)
    {
        var points = new List<int>();
        int depth = 0;
        bool instructionAfter = false;
        var boundary = new bool[statements.Count];
        for (int k = 0; k < statements.Count; k++)
        {
            boundary[k] = depth == 0 && (k == 0 || statements[k - 1].Kind == StatementKind.Stop);
            if (statements[k].Kind == StatementKind.BundleStart) depth++;
            else if (statements[k].Kind == StatementKind.BundleEnd) depth--;
        }
        for (int k = statements.Count - 1; k >= 0; k--)
        {
            instructionAfter |= statements[k].Kind is StatementKind.Instruction or StatementKind.Paravirt;
            if (boundary[k] && instructionAfter) points.Add(k);
        }
        return points;
    }

    /// <summary>Per statement of handler <paramref name="h"/>: bundles from the handler's start to the end of its last slot (0 when it has none).</summary>
    private static int[] StatementEnds(TableSpec table, Lowered lowered, int h)
    {
        var handler = table.Handlers[h];
        var ends = new int[handler.Statements.Count];
        if (!lowered.Result.Labels.TryGetValue(handler.Symbol, out long start)) return ends;
        foreach (var b in lowered.Result.Bundles)
            for (int s = 0; s < 3; s++)
            {
                var (owner, st) = lowered.Origin(b.Lines[s]);
                // AltA's stubs carry their site's statement too, but sit out of line: only the slot's bundles count.
                if (owner != h || st < 0 || st >= ends.Length || b.Address >= IvtLayout.TableSize) continue;
                ends[st] = Math.Max(ends[st], (int)((b.Address + Bundle.Size - start) / Bundle.Size));
            }
        return ends;
    }

    /// <summary>Bundles the statements before <paramref name="split"/> occupy.</summary>
    private static int HeadBundles(int[] ends, int split)
    {
        int bundles = 0;
        for (int k = 0; k < split; k++) bundles = Math.Max(bundles, ends[k]);
        return bundles;
    }
}
