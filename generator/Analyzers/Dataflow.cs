using System.Collections.Generic;

namespace IvtGen.Generator.Analyzers;

/// <summary>
/// The dataflow facts over a <see cref="TableFlow"/>, each a fixpoint of a monotone system solved with a worklist:
/// <list type="bullet">
/// <item><b>liveness</b> (backward): a register is live after a node when some path from it reads the register before
/// an unpredicated write (a predicated write may not happen, so it does not end a value's life);</item>
/// <item><b>may-define</b> (forward, union): the handler has written the register on some path to the node;</item>
/// <item><b>must-define</b> (forward, intersection): the handler has written it, unpredicated, on every path.</item>
/// </list>
/// </summary>
internal sealed class Dataflow
{
    private readonly TableFlow _flow;
    public RegisterSet[] LiveOut { get; }
    public RegisterSet[] MayDefinedIn { get; }
    public RegisterSet[] MustDefinedIn { get; }

    public Dataflow(TableFlow flow)
    {
        _flow = flow;
        int n = flow.Nodes.Count;
        LiveOut = new RegisterSet[n];
        MayDefinedIn = new RegisterSet[n];
        MustDefinedIn = new RegisterSet[n];
        SolveLiveness();
        SolveDefinitions();
    }

    private void SolveLiveness()
    {
        var nodes = _flow.Nodes;
        var liveIn = new RegisterSet[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            LiveOut[i] = new RegisterSet();
            liveIn[i] = new RegisterSet();
        }
        var work = new Stack<int>();
        var queued = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) { work.Push(i); queued[i] = true; }
        var next = new RegisterSet();
        while (work.Count > 0)
        {
            int i = work.Pop();
            queued[i] = false;
            var node = nodes[i];
            var outSet = LiveOut[i];
            foreach (int s in node.Successors) outSet.UnionWith(liveIn[s]);
            next.CopyFrom(outSet);
            if (node.Kills) foreach (int w in node.Writes) next.Remove(w);
            foreach (int r in node.Reads) next.Add(r);
            if (next.Equals(liveIn[i])) continue;
            liveIn[i].CopyFrom(next);
            foreach (int p in node.Predecessors)
                if (!queued[p]) { work.Push(p); queued[p] = true; }
        }
    }

    private void SolveDefinitions()
    {
        var nodes = _flow.Nodes;
        var mayOut = new RegisterSet[nodes.Count];
        var mustOut = new RegisterSet[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            MayDefinedIn[i] = new RegisterSet();
            mayOut[i] = new RegisterSet();
            // Must-define starts from "everything" except where nothing flows in (entries without predecessors).
            MustDefinedIn[i] = nodes[i].Predecessors.Count == 0 || IsVectorEntry(nodes[i]) ? new RegisterSet() : RegisterSet.Full();
            mustOut[i] = RegisterSet.Full();
        }
        var work = new Queue<int>();
        var queued = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) { work.Enqueue(i); queued[i] = true; }
        var may = new RegisterSet();
        var must = new RegisterSet();
        while (work.Count > 0)
        {
            int i = work.Dequeue();
            queued[i] = false;
            var node = nodes[i];
            if (node.Predecessors.Count > 0)
            {
                MayDefinedIn[i] = new RegisterSet();
                var mustIn = RegisterSet.Full();
                foreach (int p in node.Predecessors)
                {
                    MayDefinedIn[i].UnionWith(mayOut[p]);
                    mustIn.IntersectWith(mustOut[p]);
                }
                // The hardware enters a vector too, with nothing written: only routines inherit what every caller wrote.
                MustDefinedIn[i] = IsVectorEntry(node) ? new RegisterSet() : mustIn;
            }
            may.CopyFrom(MayDefinedIn[i]);
            must.CopyFrom(MustDefinedIn[i]);
            foreach (int w in node.Writes)
            {
                may.Add(w);
                if (node.Kills) must.Add(w);
            }
            if (may.Equals(mayOut[i]) && must.Equals(mustOut[i])) continue;
            mayOut[i].CopyFrom(may);
            mustOut[i].CopyFrom(must);
            foreach (int s in node.Successors)
                if (!queued[s]) { work.Enqueue(s); queued[s] = true; }
        }
    }

    /// <summary>
    /// The nodes that read <paramref name="register"/> after <paramref name="from"/> before anything writes it again:
    /// the uses the value <paramref name="from"/> left there reaches. A predicated write ends a path only together
    /// with a write under the complementary predicate (<c>(p6) mov r16=…</c> then <c>(p7) mov r16=…</c> after a
    /// compare that wrote p6 and p7), or under the same predicate the read is guarded by.
    /// </summary>
    public List<int> ReadsAfter(int from, int register)
    {
        var found = new List<int>();
        var nodes = _flow.Nodes;
        var seen = new HashSet<(int, ulong)>();
        var work = new Stack<(int Node, ulong Mask)>();
        foreach (int s in nodes[from].Successors) work.Push((s, 0UL));
        while (work.Count > 0)
        {
            var (i, mask) = work.Pop();
            if (!seen.Add((i, mask))) continue;
            var node = nodes[i];
            if (Contains(node.Reads, register))
            {
                // A read guarded by a predicate under which the register was already rewritten sees that write.
                bool rewritten = node.Qp != 0 && (mask & (1UL << node.Qp)) != 0;
                if (!rewritten && !found.Contains(i)) found.Add(i);
            }
            if (Contains(node.Writes, register))
            {
                if (node.Kills) continue;
                mask |= 1UL << node.Qp;
                if (Covers(mask)) continue;
            }
            foreach (int s in node.Successors) work.Push((s, mask));
        }
        found.Sort();
        return found;
    }

    private bool IsVectorEntry(FlowNode n) => n.Kind == NodeKind.Entry && _flow.Table.Handlers[n.Handler].Offset >= 0;

    private bool Covers(ulong mask)
    {
        foreach (var (a, b) in _flow.ComplementaryPredicates)
            if ((mask & (1UL << a)) != 0 && (mask & (1UL << b)) != 0) return true;
        return false;
    }

    private static bool Contains(int[] a, int r)
    {
        foreach (int x in a) if (x == r) return true;
        return false;
    }
}
