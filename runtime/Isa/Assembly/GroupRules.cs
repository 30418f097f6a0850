using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

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
        // The parts of a long source are checked side by side, a few per thread: each thread keeps its tables.
        var group = t_group ??= new Group();
        group.Start(src, diags, reportDependencies);
        int label = 0; // the first label not before the bundle: addresses only grow
        foreach (ref readonly var bundle in bundles)
        {
            while (label < labels.Length && labels[label] < bundle.Address) label++;
            // Control may arrive here from elsewhere. The group being gathered is checked only when it closes, so
            // this forgets what its earlier instructions established too (as it always has).
            if (label < labels.Length && labels[label] == bundle.Address) group.Relations.Clear();
            int stops = Template.FromCode(bundle.TemplateCode)!.StopMask, resolved = bundle.Resolved;
            // Slot by slot, unrolled: the bundle's indexer is a switch, and this runs for every bundle.
            if (bundle.Slot0 >= 0 && (resolved & 1) != 0) group.Add(bundle.Slot0);
            if ((stops & 1) != 0) group.Close();
            if (bundle.Slot1 >= 0 && (resolved & 2) != 0) group.Add(bundle.Slot1);
            if ((stops & 2) != 0) group.Close();
            if (bundle.Slot2 >= 0 && (resolved & 4) != 0) group.Add(bundle.Slot2);
            if ((stops & 4) != 0) group.Close();
        }
        group.Close();
        group.Start(null, null, false);
    }

    [ThreadStatic] private static Group? t_group;

    /// <summary>The instruction group being gathered, and what checking it needs, reused from group to group.</summary>
    private sealed class Group
    {
        private ParsedSource _src = null!;
        private List<AsmDiagnostic> _diags = null!;
        private bool _reportDependencies;
        public readonly DependencyChecker.PredicateRelations Relations = new();
        private readonly DependencyChecker.GroupCheck _check = new();
        private readonly List<DependencyChecker.Violation> _found = new();
        // Indices into the source's instruction table.
        private int[] _members = new int[16];
        private int _count;
        // Some member must be first or last in its group: only then are the placement rules worth a look.
        private bool _placement;

        /// <summary>Starts on a source with nothing known (null, null when done: the source is not kept alive).</summary>
        public void Start(ParsedSource? src, List<AsmDiagnostic>? diags, bool reportDependencies)
        {
            _src = src!;
            _diags = diags!;
            _reportDependencies = reportDependencies;
            Relations.Clear();
            _count = 0;
            _placement = false;
        }

        public void Add(int index)
        {
            if (_count == _members.Length) Array.Resize(ref _members, _count * 2);
            _members[_count++] = index;
            ref var ins = ref _src.Instruction(index);
            if (ins.FirstInGroup || ins.LastInGroup) _placement = true;
        }

        public void Close()
        {
            if (_count == 0) return;
            var src = _src;
            var members = _members;
            if (_reportDependencies && _count == 1)
            {
                ref var only = ref src.Instruction(members[0]);
                Relations.After(DependencyChecker.FactsOf(only.FormId), only.Qp, src.StoredOf(members[0]));
            }
            if (_reportDependencies && _count > 1)
            {
                _found.Clear();
                _check.Begin();
                for (int k = 0; k < _count; k++)
                {
                    ref var ins = ref src.Instruction(members[k]);
                    _check.Add(DependencyChecker.FactsOf(ins.FormId), ins.Qp, src.StoredOf(members[k]), Relations, _found);
                }
                if (_found.Count > 0) ReportViolations();
            }
            if (_placement) CheckPlacement();
            _count = 0;
        }

        // The messages are made apart from the loops above, which run for every group: rarely needed, they would
        // otherwise burden every call with their frame.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReportViolations()
        {
            var src = _src;
            var members = _members;
            foreach (var v in _found)
            {
                ref var later = ref src.Instruction(members[v.Later]);
                ref var earlier = ref src.Instruction(members[v.Earlier]);
                string kind = v.IsRaw ? "RAW" : "WAW";
                _diags.Add(new AsmDiagnostic(AsmSeverity.Warning, later.Line, src.ColumnOf(members[v.Later]),
                    $"{kind} dependency violation on {DependencyChecker.ResourceName(v.Resource)}: '{later.Form.Mnemonic}' {(v.IsRaw ? "reads" : "writes")} it in the instruction group where '{earlier.Form.Mnemonic}' at line {earlier.Line} wrote it (insert ';;')",
                    earlier.Line));
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void CheckPlacement()
        {
            var src = _src;
            var members = _members;
            for (int k = 0; k < _count; k++)
            {
                ref var ins = ref src.Instruction(members[k]);
                if (ins.FirstInGroup && k > 0)
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(members[k]), $"'{ins.Form.Mnemonic}' must be the first instruction of an instruction group (insert ';;' before it)", src.Instruction(members[k - 1]).Line));
                if (ins.LastInGroup && k < _count - 1)
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(members[k]), $"'{ins.Form.Mnemonic}' must be the last instruction of an instruction group (insert ';;' after it)", src.Instruction(members[k + 1]).Line));
            }
            _placement = false;
        }
    }
}
