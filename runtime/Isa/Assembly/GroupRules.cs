using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// Checks each instruction group of the laid-out code: dependency violations (in explicit mode; auto mode
/// already inserted the stops) and the placement rules of instructions that must be first or last in a group.
/// </summary>
internal static class GroupRules
{
    public static void Check(List<(AssembledBundle Bundle, InsnItem?[] Items)> bundles, ICollection<long> labels, List<AsmDiagnostic> diags, bool reportDependencies)
    {
        var relations = new DependencyChecker.PredicateRelations();
        var group = new List<Instruction>();
        var items = new List<InsnItem>();
        void Close()
        {
            if (reportDependencies && group.Count == 1) relations.After(group[0]);
            if (reportDependencies && group.Count > 1)
            {
                foreach (var v in DependencyChecker.Check(group, relations))
                {
                    var later = items[v.Later];
                    var earlier = items[v.Earlier];
                    string kind = v.IsRaw ? "RAW" : "WAW";
                    diags.Add(new AsmDiagnostic(AsmSeverity.Warning, later.Line, later.Column,
                        $"{kind} dependency violation on {DependencyChecker.ResourceName(v.Resource)}: '{later.Form.Mnemonic}' {(v.IsRaw ? "reads" : "writes")} it in the instruction group where '{earlier.Form.Mnemonic}' at line {earlier.Line} wrote it (insert ';;')",
                        earlier.Line));
                }
            }
            for (int k = 0; k < items.Count; k++)
            {
                var f = items[k].Form;
                if (f.Has(InsnFlags.FirstInGroup) && k > 0)
                    diags.Add(new AsmDiagnostic(AsmSeverity.Error, items[k].Line, items[k].Column, $"'{f.Mnemonic}' must be the first instruction of an instruction group (insert ';;' before it)", items[k - 1].Line));
                if (f.Has(InsnFlags.LastInGroup) && k < items.Count - 1)
                    diags.Add(new AsmDiagnostic(AsmSeverity.Error, items[k].Line, items[k].Column, $"'{f.Mnemonic}' must be the last instruction of an instruction group (insert ';;' after it)", items[k + 1].Line));
            }
            group.Clear();
            items.Clear();
        }
        foreach (var (bundle, its) in bundles)
        {
            if (labels.Contains(bundle.Address)) relations.Clear();
            for (int s = 0; s < 3; s++)
            {
                if (its[s] is { } item && !bundle.Slots[s].IsDefault)
                {
                    group.Add(bundle.Slots[s]);
                    items.Add(item);
                }
                if (bundle.Template.StopAfter(s)) Close();
            }
        }
        Close();
    }
}
