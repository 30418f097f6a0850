using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// Checks each instruction group of the laid-out code: dependency violations (in explicit mode; auto mode
/// already inserted the stops) and the placement rules of instructions that must be first or last in a group.
/// </summary>
internal static class GroupRules
{
    /// <param name="labels">The addresses of the labels, sorted.</param>
    public static void Check(ParsedSource src, ReadOnlySpan<Assembler.LaidBundle> bundles, long[] labels, List<AsmDiagnostic> diags, bool reportDependencies)
    {
        var relations = new DependencyChecker.PredicateRelations();
        var check = new DependencyChecker.GroupCheck();
        var found = new List<DependencyChecker.Violation>();
        // The group so far: indices into the source's instruction table.
        var group = new List<int>();
        int label = 0; // the first label not before the bundle: addresses only grow
        foreach (ref readonly var bundle in bundles)
        {
            while (label < labels.Length && labels[label] < bundle.Address) label++;
            if (label < labels.Length && labels[label] == bundle.Address) relations.Clear();
            var template = bundle.Template;
            for (int s = 0; s < 3; s++)
            {
                if (bundle[s] >= 0 && (bundle.Resolved >> s & 1) != 0) group.Add(bundle[s]);
                if (template.StopAfter(s)) Close(src, group, relations, check, found, diags, reportDependencies);
            }
        }
        Close(src, group, relations, check, found, diags, reportDependencies);
    }

    private static void Close(ParsedSource src, List<int> group, DependencyChecker.PredicateRelations relations, DependencyChecker.GroupCheck check,
        List<DependencyChecker.Violation> found, List<AsmDiagnostic> diags, bool reportDependencies)
    {
        Span<long> values = stackalloc long[ParsedSource.MaxOperands];
        if (reportDependencies && group.Count == 1)
        {
            ref var only = ref src.Instruction(group[0]);
            relations.After(only.Form, only.Qp, src.ValuesOf(group[0], values));
        }
        if (reportDependencies && group.Count > 1)
        {
            found.Clear();
            check.Begin();
            foreach (int index in group)
            {
                ref var ins = ref src.Instruction(index);
                check.Add(ins.Form, ins.Qp, src.ValuesOf(index, values), relations, found);
            }
            foreach (var v in found)
            {
                ref var later = ref src.Instruction(group[v.Later]);
                ref var earlier = ref src.Instruction(group[v.Earlier]);
                string kind = v.IsRaw ? "RAW" : "WAW";
                diags.Add(new AsmDiagnostic(AsmSeverity.Warning, later.Line, src.ColumnOf(group[v.Later]),
                    $"{kind} dependency violation on {DependencyChecker.ResourceName(v.Resource)}: '{later.Form.Mnemonic}' {(v.IsRaw ? "reads" : "writes")} it in the instruction group where '{earlier.Form.Mnemonic}' at line {earlier.Line} wrote it (insert ';;')",
                    earlier.Line));
            }
        }
        for (int k = 0; k < group.Count; k++)
        {
            ref var ins = ref src.Instruction(group[k]);
            var f = ins.Form;
            if (f.Has(InsnFlags.FirstInGroup) && k > 0)
                diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(group[k]), $"'{f.Mnemonic}' must be the first instruction of an instruction group (insert ';;' before it)", src.Instruction(group[k - 1]).Line));
            if (f.Has(InsnFlags.LastInGroup) && k < group.Count - 1)
                diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(group[k]), $"'{f.Mnemonic}' must be the last instruction of an instruction group (insert ';;' after it)", src.Instruction(group[k + 1]).Line));
        }
        group.Clear();
    }
}
