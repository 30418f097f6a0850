using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Generator.Model;
using IvtGen.Isa;

namespace IvtGen.Generator.Analyzers;

/// <summary>How control leaves a node.</summary>
internal enum FlowKind : byte
{
    /// <summary>To the next statement only.</summary>
    Next,
    /// <summary>To the target only (an unpredicated IP-relative branch).</summary>
    Jump,
    /// <summary>To the target or the next statement (a predicated branch, a loop branch, chk).</summary>
    Branch,
    /// <summary>To the target, and back to the next statement (br.call).</summary>
    Call,
    /// <summary>Out of the table: rfi, br.ret, an indirect branch, a branch to an external symbol.</summary>
    Leave,
    /// <summary>Out of the table or to the next statement (a predicated rfi or indirect branch).</summary>
    MayLeave,
}

/// <summary>What a node is.</summary>
internal enum NodeKind : byte
{
    /// <summary>The start of a handler or routine (before its first statement).</summary>
    Entry,
    /// <summary>The end of a handler or routine (after its last statement): a routine falls through into the next one.</summary>
    End,
    Instruction,
    /// <summary>A paravirtualized operation (<c>pv_…</c>): its registers are described per variant by the catalogue.</summary>
    Paravirt,
    /// <summary>A label, stop or bundle brace: no effect on registers.</summary>
    Marker,
}

/// <summary>One statement of the table as the dataflow analyses see it.</summary>
internal sealed class FlowNode
{
    public int Index;
    public int Handler;
    /// <summary>Statement index in the handler; −1 for <see cref="NodeKind.Entry"/>, the statement count for <see cref="NodeKind.End"/>.</summary>
    public int Statement;
    public NodeKind Kind;
    public FlowKind Flow;
    /// <summary>The qualifying predicate (0: none, the statement always executes).</summary>
    public int Qp;
    /// <summary>Registers the statement reads and writes (resource numbers), r0/p0/f0/f1 left out.</summary>
    public int[] Reads = Array.Empty<int>();
    public int[] Writes = Array.Empty<int>();
    /// <summary>The branch target symbol (assembly name: <c>Handler.label</c>, a routine, an extern).</summary>
    public string? Target;
    /// <summary>The parsed instruction, for <see cref="NodeKind.Instruction"/>.</summary>
    public Instruction Instruction;
    /// <summary>The label this node defines (assembly name).</summary>
    public string? Label;
    /// <summary>Per variant, what a paravirtualized operation destroys and what its lowering reserves.</summary>
    public Dictionary<string, VariantEffects>? Variants;
    /// <summary>The paravirtualized operation's name (<c>pv_mov_from_ivr</c>).</summary>
    public string? Operation;
    public readonly List<int> Successors = new(2);
    public readonly List<int> Predecessors = new(2);

    /// <summary>A write here always happens: unpredicated (a predicated write may not, so it kills nothing).</summary>
    public bool Kills => Qp == 0;
}

/// <summary>The registers one variant's lowering of a paravirtualized operation destroys and reserves.</summary>
internal sealed record VariantEffects(int[] Clobbers, int[] Reserves)
{
    /// <summary>The lowering at the site starts with a stop / ends with one: it shares no group with the code before / after it.</summary>
    public bool StartsGroup { get; init; }
    public bool EndsGroup { get; init; }
}

/// <summary>
/// The control flow of a whole table: every handler and routine statement is a node; edges follow fall-through,
/// branches to local labels, to routines and to other handlers, predicated branches both ways, calls to their target
/// and back, and a routine's end into the routine laid out after it (routines follow the IVT in source order, as the
/// lowering places them). rfi, returns, indirect branches and branches to external symbols leave the table.
/// </summary>
internal sealed class TableFlow
{
    public TableSpec Table { get; }
    public List<FlowNode> Nodes { get; } = new();
    /// <summary>Per handler, its entry node and, per statement, its node (the end node last).</summary>
    public int[][] NodeOf { get; }
    /// <summary>Pairs of predicates written together by one compare that writes both (complementary afterwards).</summary>
    public HashSet<(int, int)> ComplementaryPredicates { get; } = new();

    private TableFlow(TableSpec table)
    {
        Table = table;
        NodeOf = new int[table.Handlers.Count][];
    }

    public FlowNode Entry(int handler) => Nodes[NodeOf[handler][0]];

    /// <summary>The node of statement <paramref name="statement"/> of <paramref name="handler"/>.</summary>
    public FlowNode At(int handler, int statement) => Nodes[NodeOf[handler][statement + 1]];

    /// <param name="describe">Fills in a paravirtualized statement from the catalogue; false leaves it a marker.</param>
    public static TableFlow Build(TableSpec table, Func<StatementSpec, FlowNode, bool>? describe = null)
    {
        var flow = new TableFlow(table);
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int h = 0; h < table.Handlers.Count; h++)
        {
            var handler = table.Handlers[h];
            var ids = new int[handler.Statements.Count + 2];
            ids[0] = flow.Add(new FlowNode { Handler = h, Statement = -1, Kind = NodeKind.Entry });
            entries[handler.Symbol] = ids[0];
            for (int k = 0; k < handler.Statements.Count; k++)
            {
                var st = handler.Statements[k];
                var node = new FlowNode { Handler = h, Statement = k, Kind = NodeKind.Marker };
                switch (st.Kind)
                {
                    case StatementKind.Label:
                        node.Label = st.Text;
                        break;
                    case StatementKind.Instruction:
                        Describe(st.Text, node, flow.ComplementaryPredicates);
                        break;
                    case StatementKind.Paravirt:
                        describe?.Invoke(st, node);
                        break;
                }
                ids[k + 1] = flow.Add(node);
                if (node.Label is not null) labels[node.Label] = ids[k + 1];
            }
            ids[ids.Length - 1] = flow.Add(new FlowNode { Handler = h, Statement = handler.Statements.Count, Kind = NodeKind.End });
            flow.NodeOf[h] = ids;
        }

        // Routines in layout order: each one's end falls through into the next.
        var routines = Enumerable.Range(0, table.Handlers.Count).Where(h => table.Handlers[h].Offset < 0).ToList();
        for (int h = 0; h < table.Handlers.Count; h++)
        {
            var ids = flow.NodeOf[h];
            for (int i = 0; i < ids.Length - 1; i++)
            {
                var n = flow.Nodes[ids[i]];
                int next = ids[i + 1];
                int? target = n.Target is null ? null : labels.TryGetValue(n.Target, out int l) ? l : entries.TryGetValue(n.Target, out int e) ? e : null;
                switch (n.Flow)
                {
                    case FlowKind.Next: flow.Edge(n.Index, next); break;
                    case FlowKind.Jump: if (target is { } t1) flow.Edge(n.Index, t1); break;
                    case FlowKind.Branch or FlowKind.Call:
                        if (target is { } t2) flow.Edge(n.Index, t2);
                        flow.Edge(n.Index, next);
                        break;
                    case FlowKind.MayLeave: flow.Edge(n.Index, next); break;
                }
            }
            int r = routines.IndexOf(h);
            if (r >= 0 && r + 1 < routines.Count) flow.Edge(ids[ids.Length - 1], flow.NodeOf[routines[r + 1]][0]);
        }
        return flow;
    }

    private int Add(FlowNode n)
    {
        n.Index = Nodes.Count;
        Nodes.Add(n);
        return n.Index;
    }

    private void Edge(int from, int to)
    {
        if (Nodes[from].Successors.Contains(to)) return;
        Nodes[from].Successors.Add(to);
        Nodes[to].Predecessors.Add(from);
    }

    /// <summary>Parses one instruction's GNU as text with the ISA core and records what it reads, writes and where it goes.</summary>
    private static bool Describe(string text, FlowNode node, HashSet<(int, int)> complementary)
    {
        if (!IsaText.TryParse(text, out var ins, out var target)) return false;
        node.Kind = NodeKind.Instruction;
        node.Instruction = ins;
        node.Qp = ins.Qp;
        var reads = new List<int>();
        var writes = new List<int>();
        DependencyChecker.Effects(ins, reads, writes);
        Implicit(ins, reads, writes);
        node.Reads = reads.ToArray();
        node.Writes = writes.ToArray();

        var f = ins.Form;
        node.Target = target;
        node.Flow = FlowOf(f, ins.Qp, node.Target is not null);

        // A compare that writes two predicates unconditionally leaves them complementary.
        var preds = new List<int>(2);
        for (int i = 0; i < f.Operands.Length; i++)
            if (f.Operands[i].Kind == OperandKind.Pr && f.Operands[i].IsOutput && ins.Values[i] != 0) preds.Add((int)ins.Values[i]);
        if (preds.Count == 2 && preds[0] != preds[1] && (ins.Qp == 0 || f.Mnemonic.Contains(".unc")) && !IsParallel(f.Mnemonic))
            complementary.Add(preds[0] < preds[1] ? (preds[0], preds[1]) : (preds[1], preds[0]));
        return true;
    }

    private static bool IsParallel(string m) =>
        m.EndsWith(".and", StringComparison.Ordinal) || m.EndsWith(".or", StringComparison.Ordinal) || m.EndsWith(".andcm", StringComparison.Ordinal)
        || m.EndsWith(".orcm", StringComparison.Ordinal) || m.EndsWith(".or.andcm", StringComparison.Ordinal);

    private static FlowKind FlowOf(Form f, int qp, bool hasTarget)
    {
        string m = f.Mnemonic;
        if (m == "rfi") return qp == 0 ? FlowKind.Leave : FlowKind.MayLeave;
        if (!f.Has(InsnFlags.Branch)) return FlowKind.Next;
        bool call = m.StartsWith("br.call", StringComparison.Ordinal) || m.StartsWith("brl.call", StringComparison.Ordinal);
        if (!hasTarget) return call ? FlowKind.Next : qp == 0 ? FlowKind.Leave : FlowKind.MayLeave; // indirect
        if (call) return FlowKind.Call;
        // Loop branches (br.cloop, br.ctop, br.cexit, br.wtop, br.wexit) and speculation checks may fall through.
        bool plain = (m == "br" || m == "brl" || m.StartsWith("br.", StringComparison.Ordinal) || m.StartsWith("brl.", StringComparison.Ordinal))
            && !m.StartsWith("br.c", StringComparison.Ordinal) && !m.StartsWith("br.w", StringComparison.Ordinal)
            || m.StartsWith("br.cond", StringComparison.Ordinal);
        return plain && qp == 0 ? FlowKind.Jump : FlowKind.Branch; // loop branches, chk and predicated branches may fall through
    }

    /// <summary>Registers an instruction touches that its operands do not name: the predicate file moves and bank switches.</summary>
    private static void Implicit(in Instruction ins, List<int> reads, List<int> writes)
    {
        var f = ins.Form;
        if (f.Mnemonic == "mov" && f.Operands.Length > 0)
        {
            var first = f.Operands[0];
            if (first.Kind == OperandKind.Fixed && first.Text == "pr" && f.Operands.Length == 3)
            {
                // mov pr=r2,mask17: bit i < 16 selects p_i, the sign bit p16–p63.
                long mask = ins.Values[2];
                for (int p = 1; p < 64; p++)
                    if (((mask >> Math.Min(p, 16)) & 1) != 0) AddOnce(writes, 256 + p);
            }
            else if (first.Kind == OperandKind.Fixed && first.Text == "pr.rot")
                for (int p = 16; p < 64; p++) AddOnce(writes, 256 + p);
            else if (f.Operands.Length > 1 && f.Operands[1].Kind == OperandKind.Fixed && f.Operands[1].Text == "pr")
                for (int p = 1; p < 64; p++) AddOnce(reads, 256 + p);
        }
        if (f.Mnemonic is "bsw.0" or "bsw.1")
            for (int r = 16; r < 32; r++) AddOnce(writes, r);
    }

    private static void AddOnce(List<int> list, int r)
    {
        if (!list.Contains(r)) list.Add(r);
    }
}
