using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Lowering;
using IvtGen.Generator.Model;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Generator.Analyzers;

/// <summary>The paravirtualization convention: IVT020 (clobbered values read), IVT021 (reserved registers written), IVT022 (raw privileged instructions).</summary>
internal sealed partial class TableChecks
{
    private TableFlow _flow = null!;
    private Dataflow _facts = null!;

    private void Paravirtualization()
    {
        _flow = TableFlow.Build(_table, ParavirtModel.Describe);
        _facts = new Dataflow(_flow);
        ClobberedReads();
        foreach (var f in ReservedWrites(_flow, _locations, null)) _findings.Add(f);
        RawPrivileged();
    }

    private string Where(FlowNode op, FlowNode at) =>
        op.Handler == at.Handler ? op.Operation! : op.Operation + " (in " + _table.Handlers[op.Handler].Name + ")";

    private static string VariantPhrase(List<string> variants) =>
        "the " + VariantList(variants) + " variant" + (variants.Count > 1 ? "s" : "");

    // ---- IVT020 ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A register a paravirtualized operation clobbers in some variant, live after it (liveness) and holding a value the
    /// handler wrote (may-define): every read that value would have reached is reported, naming operation and variants.
    /// </summary>
    private void ClobberedReads()
    {
        var hits = new Dictionary<(int Read, int Register, int Op), List<string>>();
        var order = new List<(int, int, int)>();
        foreach (var p in _flow.Nodes)
        {
            if (p.Kind != NodeKind.Paravirt || p.Variants is null) continue;
            foreach (var v in Variants)
            {
                if (!p.Variants.TryGetValue(v, out var effects)) continue;
                foreach (int r in effects.Clobbers)
                {
                    if (p.Writes.Contains(r) || !_facts.LiveOut[p.Index].Contains(r) || !_facts.MayDefinedIn[p.Index].Contains(r)) continue;
                    foreach (int read in _facts.ReadsAfter(p.Index, r))
                    {
                        var key = (read, r, p.Index);
                        if (!hits.TryGetValue(key, out var vs)) { hits[key] = vs = new List<string>(); order.Add(key); }
                        if (!vs.Contains(v)) vs.Add(v);
                    }
                }
            }
        }
        foreach (var key in order)
        {
            var (read, reg, op) = key;
            var at = _flow.Nodes[read];
            if (StatementLocation(at.Handler, at.Statement) is not { } loc) continue;
            _findings.Add(new Finding(DiagnosticDescriptors.ClobberedRegisterRead, loc, new[]
            {
                DependencyChecker.ResourceName(reg), Where(_flow.Nodes[op], at), VariantPhrase(hits[key]),
            }));
        }
    }

    // ---- IVT021 ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A register a variant's lowering saves and restores (the catalogue's reserves: r8 around a hyperprivop, ar.unat
    /// around the bank spills) written by handler code in an instruction group the inline sequence shares with it:
    /// the handler's write races the save or the restore. AltA stubs run in groups of their own and share none.
    /// </summary>
    private static List<Finding> ReservedWrites(TableFlow flow, EquatableArray<HandlerLocations> locations, int? onlyNear)
    {
        var hits = new Dictionary<(int Writer, int Register, int Op), List<string>>();
        var order = new List<(int, int, int)>();
        foreach (var p in flow.Nodes)
        {
            if (p.Kind != NodeKind.Paravirt || p.Variants is null) continue;
            if (onlyNear is { } near && p.Index != near) continue;
            foreach (var v in Variants)
            {
                if (!p.Variants.TryGetValue(v, out var e) || e.Reserves.Length == 0) continue;
                var sharing = new List<int>();
                if (!e.StartsGroup) sharing.AddRange(SameGroup(flow, p, -1, v));
                if (!e.EndsGroup) sharing.AddRange(SameGroup(flow, p, +1, v));
                foreach (int w in sharing)
                    foreach (int r in e.Reserves)
                    {
                        if (!flow.Nodes[w].Writes.Contains(r)) continue;
                        var key = (w, r, p.Index);
                        if (!hits.TryGetValue(key, out var vs)) { hits[key] = vs = new List<string>(); order.Add(key); }
                        if (!vs.Contains(v)) vs.Add(v);
                    }
            }
        }
        var findings = new List<Finding>();
        foreach (var key in order)
        {
            var (w, reg, op) = key;
            var at = flow.Nodes[w];
            if (at.Handler >= locations.Count || at.Statement < 0 || at.Statement >= locations[at.Handler].Statements.Count) continue;
            string name = DependencyChecker.ResourceName(reg);
            string message = string.Format(CultureInfo.InvariantCulture,
                "{0} is written here, in an instruction group that {1} shares in {2}, where its sequence saves and restores {0} (the catalogue reserves it): the write races the sequence; put stop() between them",
                name, flow.Nodes[op].Operation, VariantPhrase(hits[key]));
            findings.Add(new Finding(DiagnosticDescriptors.ReservedRegisterWritten, locations[at.Handler].Statements[at.Statement], new[] { message }));
        }
        return findings;
    }

    /// <summary>The statements of <paramref name="p"/>'s handler in its instruction group, before (−1) or after (+1) it.</summary>
    private static IEnumerable<int> SameGroup(TableFlow flow, FlowNode p, int direction, string variant)
    {
        var statements = flow.Table.Handlers[p.Handler].Statements;
        for (int k = p.Statement + direction; k >= 0 && k < statements.Count; k += direction)
        {
            if (statements[k].Kind == StatementKind.Stop) yield break;
            var n = flow.At(p.Handler, k);
            if (n.Kind == NodeKind.Paravirt && n.Variants is not null && n.Variants.TryGetValue(variant, out var e))
            {
                if (direction < 0 ? e.EndsGroup : e.StartsGroup) yield break;
                yield return n.Index;
                if (direction < 0 ? e.StartsGroup : e.EndsGroup) yield break;
                continue;
            }
            if (n.Kind == NodeKind.Instruction) yield return n.Index;
        }
    }

    // ---- IVT022 ------------------------------------------------------------------------------------------------------

    private void RawPrivileged()
    {
        foreach (var n in _flow.Nodes)
        {
            if (n.Kind != NodeKind.Instruction || !n.Instruction.Form.Has(InsnFlags.Privileged | InsnFlags.Sensitive)) continue;
            if (StatementLocation(n.Handler, n.Statement) is not { } loc) continue;
            string kind = n.Instruction.Form.Has(InsnFlags.Privileged) ? "privileged" : "sensitive";
            string text = PsrNames(_table.Handlers[n.Handler].Statements[n.Statement].Text, n.Instruction);
            var rep = ParavirtModel.Replacing(n.Instruction);
            if (rep is null)
            {
                _findings.Add(new Finding(DiagnosticDescriptors.RawPrivilegedInstruction, loc,
                    new[] { text, kind, "; no paravirtualized operation replaces it as written" }));
                continue;
            }
            var fix = PlanReplacement(n, rep, out string? why);
            string use = fix is null ? ": use " + rep.Op.DslName + " (no automatic rewrite: " + why + ")" : ": use " + fix.Value.Call;
            IReadOnlyDictionary<string, string?>? props = null;
            if (fix is { } f && StatementLocation(n.Handler, f.Last) is { } end)
                props = new Dictionary<string, string?>
                {
                    [FixProperties.ReplaceStart] = loc.Start.ToString(CultureInfo.InvariantCulture),
                    [FixProperties.ReplaceLength] = (end.Start + end.Length - loc.Start).ToString(CultureInfo.InvariantCulture),
                    [FixProperties.Replacement] = f.Call,
                };
            _findings.Add(new Finding(DiagnosticDescriptors.RawPrivilegedInstruction, loc, new[] { text, kind, use }, props));
        }
    }

    /// <summary><c>rsm 131072</c> as the DSL wrote it: <c>rsm psr.dt</c>.</summary>
    private static string PsrNames(string text, in Instruction ins)
    {
        if (ins.Form.Mnemonic is not ("rsm" or "ssm" or "sum" or "rum") || ins.Values.Length != 1) return text;
        long mask = ins.Values[0];
        var names = Registers.PsrFields.Where(f => f.Value != 0 && (mask & f.Value) == f.Value && (f.Value & (f.Value - 1)) == 0)
            .OrderBy(f => f.Value).Select(f => f.Key).Distinct().ToList();
        int sp = text.LastIndexOf(' ');
        return names.Count == 0 || sp < 0 ? text : text.Substring(0, sp + 1) + string.Join("|", names);
    }

    // Registers never donated as scratch: gp, sp, tp.
    private static readonly int[] s_neverDonated = { 0, 1, 12, 13 };

    /// <summary>
    /// The call that replaces the raw instruction at <paramref name="n"/> (and the statements the operation also covers
    /// right after it, such as <c>stop(); srlz_i();</c>), with scratch operands chosen dead after the site in every
    /// variant, and checked by lowering the rewritten table: null when no choice keeps the table as correct as it was.
    /// </summary>
    private (string Call, int Last)? PlanReplacement(FlowNode n, ParavirtModel.Replacement rep, out string? why)
    {
        why = null;
        var op = rep.Op;
        var bound = new Dictionary<string, string>(rep.Bound, StringComparer.Ordinal);
        var statements = _table.Handlers[n.Handler].Statements;

        // The instructions the operation also covers, when they follow exactly.
        int last = n.Statement;
        var follow = op.Replaces.Skip(1).ToList();
        if (follow.Count > 0)
        {
            int k = n.Statement + 1;
            bool all = true;
            foreach (var line in follow)
            {
                if (k >= statements.Count) { all = false; break; }
                if (line == ";;") all = statements[k].Kind == StatementKind.Stop;
                else all = statements[k].Kind == StatementKind.Instruction && SameInstruction(_flow.At(n.Handler, k), ParavirtOp.Substitute(line, bound));
                if (!all) break;
                k++;
            }
            if (all) last = k - 1;
        }

        var lastNode = _flow.At(n.Handler, last);
        var liveAfter = _facts.LiveOut[lastNode.Index];
        var used = new HashSet<int>();
        for (int k = n.Statement; k <= last; k++)
        {
            var x = _flow.At(n.Handler, k);
            foreach (int r in x.Reads) used.Add(r);
            foreach (int r in x.Writes) used.Add(r);
        }
        foreach (var v in bound.Values) used.Add(ParavirtModel.Resource(v));
        var defined = _facts.MustDefinedIn[n.Index];
        foreach (var o in op.Operands)
        {
            if (bound.ContainsKey(o.Name)) continue;
            string? pick = null;
            switch (o.Role)
            {
                case PvOperandRole.Predicate:
                    pick = "p0";
                    break;
                case PvOperandRole.Clobber:
                {
                    // Bank-0 scratch r16–r31 first (free at vector entry), then registers the handler already overwrote.
                    var candidates = (o.NotBanked ? Enumerable.Empty<int>() : Enumerable.Range(16, 16))
                        .Concat(Enumerable.Range(2, 126).Where(r => (r < 16 || r > 31) && defined.Contains(r)));
                    foreach (int r in candidates)
                        if (!s_neverDonated.Contains(r) && !liveAfter.Contains(r) && !used.Contains(r) && !(o.NotBanked && r is >= 16 and <= 31))
                        { pick = "r" + r.ToString(CultureInfo.InvariantCulture); break; }
                    break;
                }
                case PvOperandRole.PredicateClobber:
                    for (int p = 1; p < 64 && pick is null; p++)
                        if (defined.Contains(256 + p) && !liveAfter.Contains(256 + p) && !used.Contains(256 + p)) pick = "p" + p.ToString(CultureInfo.InvariantCulture);
                    break;
            }
            if (pick is null)
            {
                why = "no register is free for " + o.Name;
                return null;
            }
            bound[o.Name] = pick;
            used.Add(ParavirtModel.Resource(pick));
        }

        var operands = op.Operands.Select(o => bound[o.Name]).ToArray();
        // No variant may clobber what is live after the site.
        foreach (var v in Variants)
        {
            if (!op.TryLower(v, operands, out var lowering, out var error) || lowering is null)
            {
                why = error;
                return null;
            }
            foreach (var c in lowering.Clobbers)
                if (ParavirtModel.Resource(c) is int r && r >= 0 && liveAfter.Contains(r) && !lowering.Outputs.Contains(c))
                {
                    why = c + ", which it clobbers in " + v + ", is live after it";
                    return null;
                }
        }

        // The rewritten table must lower as cleanly as this one in every variant.
        var list = statements.ToList();
        list.RemoveRange(n.Statement, last - n.Statement + 1);
        list.Insert(n.Statement, new StatementSpec(StatementKind.Paravirt, op.Name) { Operands = operands.ToEquatableArray() });
        var handlers = _table.Handlers.ToList();
        handlers[n.Handler] = handlers[n.Handler] with { Statements = list.ToEquatableArray() };
        var patched = _table with { Handlers = handlers.ToEquatableArray() };
        foreach (var v in Variants)
        {
            var before = Lowered(v).Diagnostics;
            var after = TableLowering.Build(patched, _symbols, new[] { v }).Diagnostics;
            if (Problems(after, v) > Problems(before, v))
            {
                var added = after.Where(d => IsProblem(d, v)).Select(d => d.Id + " " + string.Join(" ", d.Args)).Except(
                    before.Select(d => d.Id + " " + string.Join(" ", d.Args))).FirstOrDefault();
                why = "the " + v + " lowering would add " + (added ?? "a problem");
                return null;
            }
        }
        var patchedFlow = TableFlow.Build(patched, ParavirtModel.Describe);
        if (ReservedWrites(patchedFlow, _locations, patchedFlow.At(n.Handler, n.Statement).Index).Count > 0)
        {
            why = "handler code around it writes a register its Xen sequence reserves";
            return null;
        }

        return (op.DslName + "(" + string.Join(", ", operands) + ")", last);
    }

    /// <summary>What a rewrite must not add: dependency violations, and errors other than the privileged instructions it removes.</summary>
    private int Problems(EquatableArray<DiagnosticInfo> diags, string variant) => diags.Count(d => IsProblem(d, variant));

    /// <summary>
    /// Not IVT015 (what the rewrite removes), nor IVT016 (a tail the table chose to move out of line is information),
    /// nor IVT024: a sequence's memory access after a raw privileged write (rsm psr.dt) in a Xen variant meets a write
    /// that traps there (the hypervisor's return serializes), and the raw write is IVT022's to rewrite.
    /// </summary>
    private bool IsProblem(DiagnosticInfo d, string variant) =>
        d.Id != "IVT015" && d.Id != "IVT016" && d.Id != "IVT024" && (d.Id != "IVT008" || _built.Contains(variant));

    private static bool SameInstruction(FlowNode node, string text)
    {
        if (node.Kind != NodeKind.Instruction) return false;
        if (!IsaText.TryParse(text, out var b, out _)) return false;
        var a = node.Instruction;
        return a.Form.Mnemonic == b.Form.Mnemonic && a.Qp == b.Qp && a.Values.SequenceEqual(b.Values);
    }
}
