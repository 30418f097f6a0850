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
    /// <returns>Whether some write still waits for serialization at the end (code after this would have to be checked against it).</returns>
    public static bool Check(ParsedSource src, ReadOnlySpan<Assembler.LaidBundle> bundles, long[] labels, List<AsmDiagnostic> diags, bool reportDependencies)
    {
        // The parts of a long source are checked side by side, a few per thread: each thread keeps its tables.
        var group = t_group ??= new Group();
        group.Start(src, diags, reportDependencies);
        var stopsOf = s_stops;
        var table = src.Instructions;
        var factsOf = DependencyChecker.Facts;
        var filter = group.Filter;
        // The group being gathered: its members (indices into the source's instruction table), whether one touches a
        // register an earlier one wrote (the filter has been told of the members up to it), the FormFacts.Attention of
        // them all, and how many may change the predicate relations (those are listed for later as they come). Only a
        // group with an overlap or a placement rule is looked at closer; most have neither.
        var members = group.Members;
        int count = 0, attention = 0, changers = 0;
        bool overlap = false;
        int label = 0; // the first label not before the bundle: addresses only grow
        long labelAt = labels.Length > 0 ? labels[0] : long.MaxValue;
        foreach (ref readonly var bundle in bundles)
        {
            if (bundle.Address >= labelAt)
            {
                while (label < labels.Length && labels[label] < bundle.Address) label++;
                // Control may arrive here from elsewhere. The group being gathered is checked only when it closes,
                // so this forgets what its earlier instructions established too (as it always has).
                if (label < labels.Length && labels[label] == bundle.Address) group.ForgetRelations(changers);
                labelAt = label < labels.Length ? labels[label] : long.MaxValue;
            }
            int stops = stopsOf[bundle.TemplateCode], resolved = bundle.Resolved;
            for (int s = 0; s < 3; s++)
            {
                int index = bundle[s];
                if (index >= 0 && (resolved >> s & 1) != 0)
                {
                    if (count == members.Length) members = group.Grow();
                    members[count++] = index;
                    ref readonly var ins = ref table[index];
                    var facts = DependencyChecker.FactsOf(factsOf, ins.FormId);
                    attention |= facts.Attention;
                    if (reportDependencies && facts.TouchesPredicates) group.Defer(index, changers++);
                    if (reportDependencies && !overlap)
                    {
                        if (count == 1) filter.First(facts, ins.Qp, src.StoredOf(in ins));
                        else overlap = filter.Overlaps(facts, ins.Qp, src.StoredOf(in ins));
                    }
                }
                if ((stops >> s & 1) != 0)
                {
                    if (overlap || (attention & Closer) != 0 || group.Serializing) group.Settle(count, overlap, attention, changers, stopped: true);
                    count = attention = changers = 0;
                    overlap = false;
                    filter.Begin();
                }
            }
        }
        if (overlap || (attention & Closer) != 0 || group.Serializing) group.Settle(count, overlap, attention, changers, stopped: false);
        bool pending = group.Serializing;
        group.Start(null, null, false);
        return pending;
    }

    /// <summary>The FormFacts.Attention that makes a group worth a closer look.</summary>
    private const int Closer = DependencyChecker.FormFacts.PlacementRule | DependencyChecker.FormFacts.Serializing;

    [ThreadStatic] private static Group? t_group;

    /// <summary>The stop mask of each template code (0 for the reserved ones, which no bundle has).</summary>
    private static readonly byte[] s_stops = BuildStops();

    private static byte[] BuildStops()
    {
        var stops = new byte[32];
        foreach (var t in Template.All) stops[t.Code] = (byte)t.StopMask;
        return stops;
    }

    /// <summary>What checking the groups needs, reused from group to group; the groups that need a closer look are checked here.</summary>
    private sealed class Group
    {
        private ParsedSource _src = null!;
        private List<AsmDiagnostic> _diags = null!;
        private bool _reportDependencies;
        public readonly DependencyChecker.OverlapFilter Filter = new();
        private readonly DependencyChecker.PredicateRelations _relations = new();
        // The relations the checks need are _relations after the members listed here (indices, in order, from the
        // groups closed since) execute. A compare's effect is worked out only when a group asks for the relations (one
        // whose members overlap), and most never are: a label forgets them first.
        private int[] _deferred = new int[256];
        private int _deferredCount;
        private readonly DependencyChecker.GroupCheck _check = new();
        private readonly List<DependencyChecker.Violation> _found = new();
        private readonly SerializationChecker _serialization = new();
        private readonly List<SerializationChecker.Violation> _serialFound = new();

        /// <summary>Whether a write of an earlier group waits for serialization: every group is looked at until none does.</summary>
        public bool Serializing => _serialization.Active;
        // The group being checked: the first _count members.
        private int _count;

        /// <summary>Where the members of a group are gathered: indices into the source's instruction table.</summary>
        public int[] Members { get; private set; } = new int[16];

        /// <summary>Starts on a source with nothing known (null, null when done: the source is not kept alive).</summary>
        public void Start(ParsedSource? src, List<AsmDiagnostic>? diags, bool reportDependencies)
        {
            _src = src!;
            _diags = diags!;
            _reportDependencies = reportDependencies;
            ForgetRelations(0);
            Filter.Begin();
            _serialization.Clear();
        }

        /// <summary>
        /// Control may arrive from elsewhere: nothing is known of the predicates. The last <paramref name="ofGroup"/>
        /// deferred members are of the group being gathered, which is checked when it closes, after this: they stay.
        /// </summary>
        public void ForgetRelations(int ofGroup)
        {
            _relations.Clear();
            KeepDeferred(ofGroup);
        }

        /// <summary>Drops the deferred members but the last <paramref name="count"/>.</summary>
        private void KeepDeferred(int count)
        {
            Array.Copy(_deferred, _deferredCount - count, _deferred, 0, count);
            _deferredCount = count;
        }

        /// <summary>Makes room for more members, keeping those gathered.</summary>
        public int[] Grow()
        {
            var members = Members;
            Array.Resize(ref members, members.Length * 2);
            return Members = members;
        }

        /// <summary>
        /// Checks the group of the first <paramref name="count"/> <see cref="Members"/>, which needs a closer look: a
        /// member touches a register an earlier one wrote (<paramref name="overlap"/>), or the members' <paramref name="attention"/>
        /// (FormFacts.Attention) asks for the placement rules. The last <paramref name="changers"/> deferred members are the group's.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Settle(int count, bool overlap, int attention, int changers, bool stopped)
        {
            _count = count;
            bool serialize = _reportDependencies && (_serialization.Active || (attention & DependencyChecker.FormFacts.Serializing) != 0);
            // Without an overlap the group has no violation (what it does to the predicates is listed already).
            if (_reportDependencies && (overlap && count > 1 || serialize))
            {
                // The relations as the groups before left them; the full check goes through this group's members itself.
                ApplyDeferred(_deferredCount - changers);
                _deferredCount = 0;
                CheckDependencies(overlap && count > 1, serialize);
            }
            if (serialize && stopped) _serialization.Stop();
            if ((attention & DependencyChecker.FormFacts.PlacementRule) != 0) CheckPlacement();
        }

        /// <summary>
        /// Lists a member that may change the relations, to be applied when they are needed; <paramref name="ofItsGroup"/>
        /// members of its group are listed before it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Defer(int index, int ofItsGroup)
        {
            if (_deferredCount == _deferred.Length) MakeRoom(ofItsGroup);
            _deferred[_deferredCount++] = index;
        }

        /// <summary>Applies the listed members of the groups closed so far; those of the group being gathered stay listed.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void MakeRoom(int ofGroup)
        {
            ApplyDeferred(_deferredCount - ofGroup);
            KeepDeferred(ofGroup);
            if (_deferredCount == _deferred.Length) Array.Resize(ref _deferred, _deferred.Length * 2);
        }

        /// <summary>Applies the first <paramref name="count"/> listed members to the relations, in order.</summary>
        private void ApplyDeferred(int count)
        {
            var src = _src;
            for (int k = 0; k < count; k++)
            {
                int index = _deferred[k];
                ref var ins = ref src.Instruction(index);
                _relations.After(DependencyChecker.FactsOf(ins.FormId), ins.Qp, src.StoredOf(index));
            }
        }

        /// <param name="inGroup">Check the group's members against each other (some member touches what an earlier one wrote).</param>
        /// <param name="serialize">Feed them to the serialization check (a write of an earlier group is pending, or one is made here).</param>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void CheckDependencies(bool inGroup, bool serialize)
        {
            var src = _src;
            var members = Members;
            _found.Clear();
            _serialFound.Clear();
            _check.Begin();
            for (int k = 0; k < _count; k++)
            {
                ref var ins = ref src.Instruction(members[k]);
                var facts = DependencyChecker.FactsOf(ins.FormId);
                var values = src.StoredOf(members[k]);
                // Before the group check, which moves the relations on past this member.
                if (serialize) _serialization.Add(facts, ins.Form, ins.Qp, values, members[k], _relations, _serialFound);
                if (inGroup) _check.Add(facts, ins.Qp, values, _relations, _found, facts.Unat != 0 ? src.UnatBitOf(members[k]) : DependencyChecker.NoUnatBit);
                else if (facts.TouchesPredicates) _relations.After(facts, ins.Qp, values);
            }
            if (_found.Count > 0) ReportViolations();
            if (_serialFound.Count > 0) ReportSerialization();
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReportSerialization()
        {
            var src = _src;
            foreach (var v in _serialFound)
            {
                ref var later = ref src.Instruction(v.Reader);
                ref var earlier = ref src.Instruction(v.Writer);
                string kind = v.IsRaw ? "RAW" : "WAW";
                string needs = v.Semantics switch
                {
                    ImplicitResources.Semantics.Instr => "instruction serialization (a stop, srlz.i and a stop)",
                    ImplicitResources.Semantics.Other => "srlz.d",
                    _ => "data serialization (a stop, then srlz.d)",
                };
                _diags.Add(new AsmDiagnostic(AsmSeverity.Warning, later.Line, src.ColumnOf(v.Reader),
                    $"{kind} dependency violation on {DependencyChecker.ResourceName(v.Resource)}: '{later.Form.Mnemonic}' {(v.IsRaw ? "reads" : "writes")} it after '{earlier.Form.Mnemonic}' at line {earlier.Line} wrote it, with no {needs} between them",
                    earlier.Line));
            }
        }

        // The messages are made apart from the loops above, which run for every group: rarely needed, they would
        // otherwise burden every call with their frame.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void ReportViolations()
        {
            var src = _src;
            var members = Members;
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
            var members = Members;
            for (int k = 0; k < _count; k++)
            {
                ref var ins = ref src.Instruction(members[k]);
                if (ins.FirstInGroup && k > 0)
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(members[k]), $"'{ins.Form.Mnemonic}' must be the first instruction of an instruction group (insert ';;' before it)", src.Instruction(members[k - 1]).Line));
                if (ins.LastInGroup && k < _count - 1)
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, src.ColumnOf(members[k]), $"'{ins.Form.Mnemonic}' must be the last instruction of an instruction group (insert ';;' after it)", src.Instruction(members[k + 1]).Line));
            }
        }
    }
}
