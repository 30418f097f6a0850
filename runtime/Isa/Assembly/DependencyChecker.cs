using System;
using System.Collections.Generic;
using System.Globalization;

namespace IvtGen.Isa;

/// <summary>
/// Register dependencies inside an instruction group (SDM vol. 2 §3.4, as GNU as checks them with -x):
/// a read after a write (RAW) or two writes (WAW) of the same GR, FR, PR, BR, AR or CR in one group.
/// Allowed, as the architecture allows: a branch predicated on a predicate a compare wrote in the same
/// group, and parallel compares of one type (.and/.or/.or.andcm) writing the same predicate.
/// </summary>
public static class DependencyChecker
{
    /// <summary>Resource numbering: GR 0–127, FR 128–255, PR 256–319, BR 320–327, AR 328–455, CR 456–583.</summary>
    public static int Resource(OperandKind kind, long n) => kind switch
    {
        OperandKind.Gr => (int)n,
        OperandKind.Fr => 128 + (int)n,
        OperandKind.Pr => 256 + (int)n,
        OperandKind.Br => 320 + (int)n,
        OperandKind.Ar => 328 + (int)n,
        OperandKind.Cr => 456 + (int)n,
        _ => -1,
    };

    public static string ResourceName(int r) => r switch
    {
        < 128 => "r" + r.ToString(CultureInfo.InvariantCulture),
        < 256 => "f" + (r - 128).ToString(CultureInfo.InvariantCulture),
        < 320 => "p" + (r - 256).ToString(CultureInfo.InvariantCulture),
        < 328 => "b" + (r - 320).ToString(CultureInfo.InvariantCulture),
        < 456 => Registers.ArName(r - 328),
        _ => Registers.CrName(r - 456),
    };

    // Formats whose memory operand's base register is also updated (post-increment).
    private static readonly HashSet<string> s_postIncrement = new(StringComparer.Ordinal) { "M2", "M3", "M5", "M7", "M8", "M10", "M12", "M14", "M15" };

    /// <summary>The registers an instruction reads and writes (fixed-token ARs included, r0/p0/f0/f1 left out).</summary>
    public static void Effects(in Instruction ins, List<int> reads, List<int> writes)
    {
        reads.Clear();
        writes.Clear();
        var f = ins.Form;
        if (ins.Qp != 0) reads.Add(Resource(OperandKind.Pr, ins.Qp));
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            long v = ins.Values[i];
            switch (op.Kind)
            {
                case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                    Add(op.IsOutput ? writes : reads, Resource(op.Kind, v));
                    break;
                case OperandKind.Mem:
                    Add(reads, Resource(OperandKind.Gr, v));
                    if (s_postIncrement.Contains(f.Format)) Add(writes, Resource(OperandKind.Gr, v));
                    break;
                case OperandKind.Indirect:
                    Add(reads, Resource(OperandKind.Gr, v));
                    break;
                case OperandKind.Fixed when op.Text!.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(op.Text.Substring(3), out int ar):
                    Add(op.IsOutput ? writes : reads, Resource(OperandKind.Ar, ar));
                    break;
            }
        }
    }

    private static void Add(List<int> list, int r)
    {
        // r0, f0, f1 and p0 are constants: no dependency through them.
        if (r is 0 or 128 or 129 or 256 || r < 0) return;
        if (!list.Contains(r)) list.Add(r);
    }

    /// <summary>A violation: instruction <paramref name="Later"/> reads or writes what <paramref name="Earlier"/> wrote.</summary>
    public readonly record struct Violation(int Earlier, int Later, int Resource, bool IsRaw);

    /// <summary>
    /// Pairs of predicates known to be complementary, as GNU as tracks them: a compare that writes both targets
    /// unconditionally (unpredicated, or .unc) makes them mutually exclusive, and two instructions guarded by
    /// exclusive predicates never both execute, so they cannot conflict. Any other write of a predicate, or a
    /// label (control may arrive from elsewhere), forgets what was known about it.
    /// </summary>
    public sealed class PredicateRelations
    {
        private readonly HashSet<(int, int)> _mutex = new();

        public bool Exclusive(int qa, int qb) => qa != 0 && qb != 0 && qa != qb && _mutex.Contains(Key(qa, qb));

        public void Clear() => _mutex.Clear();

        private static (int, int) Key(int a, int b) => a < b ? (a, b) : (b, a);

        /// <summary>Updates the relations after <paramref name="ins"/> executes.</summary>
        public void After(in Instruction ins)
        {
            if (_mutex.Count == 0 && !WritesPredicate(ins.Form)) return;
            var targets = new List<int>(2);
            var ops = ins.Form.Operands;
            for (int i = 0; i < ops.Length; i++)
                if (ops[i].Kind == OperandKind.Pr && ops[i].IsOutput && ins.Values[i] != 0) targets.Add((int)ins.Values[i]);
            if (ins.Form.Mnemonic is "mov" && ops.Length > 0 && ops[0].Kind == OperandKind.Fixed && ops[0].Text!.StartsWith("pr", StringComparison.Ordinal))
            {
                _mutex.Clear(); // mov pr=… / mov pr.rot=… rewrite many predicates
                return;
            }
            foreach (int p in targets) _mutex.RemoveWhere(k => k.Item1 == p || k.Item2 == p);
            if (targets.Count == 2 && ParallelType(ins.Form) is null &&
                (ins.Qp == 0 || ins.Form.Mnemonic.Contains(".unc")))
                _mutex.Add(Key(targets[0], targets[1]));
        }

        private static bool WritesPredicate(Form f)
        {
            foreach (var op in f.Operands) if (op.Kind == OperandKind.Pr && op.IsOutput) return true;
            return false;
        }
    }

    /// <summary>Finds the violations in one instruction group, given as instructions in execution order.</summary>
    public static List<Violation> Check(IReadOnlyList<Instruction> group, PredicateRelations? relations = null)
    {
        var found = new List<Violation>();
        var writer = new Dictionary<int, int>();
        var reads = new List<int>();
        var writes = new List<int>();
        for (int k = 0; k < group.Count; k++)
        {
            var ins = group[k];
            Effects(ins, reads, writes);
            foreach (int r in reads)
                if (writer.TryGetValue(r, out int w) && !RawAllowed(group[w], ins, r) && relations?.Exclusive(group[w].Qp, ins.Qp) != true)
                    found.Add(new Violation(w, k, r, true));
            foreach (int r in writes)
                if (writer.TryGetValue(r, out int w) && !WawAllowed(group[w], ins, r) && relations?.Exclusive(group[w].Qp, ins.Qp) != true)
                    found.Add(new Violation(w, k, r, false));
            foreach (int r in writes) writer[r] = k;
            relations?.After(ins);
        }
        return found;
    }

    private static bool IsPredicate(int r) => r is >= 256 and < 320;

    private static bool RawAllowed(in Instruction writer, in Instruction reader, int r) =>
        // A branch may consume a predicate produced in its own group (SDM vol. 1 §4.4.1... the compare-and-branch idiom).
        IsPredicate(r) && reader.Form.Unit == Unit.B && reader.Qp == r - 256;

    private static bool WawAllowed(in Instruction a, in Instruction b, int r) =>
        IsPredicate(r) && ParallelType(a.Form) is { } ta && ta == ParallelType(b.Form);

    /// <summary>".and", ".or" or ".or.andcm" for parallel compares and tests; null otherwise.</summary>
    private static string? ParallelType(Form f)
    {
        string m = f.Mnemonic;
        if (!(m.StartsWith("cmp", StringComparison.Ordinal) || m.StartsWith("tbit", StringComparison.Ordinal) ||
              m.StartsWith("tnat", StringComparison.Ordinal) || m.StartsWith("fcmp", StringComparison.Ordinal) ||
              m.StartsWith("fclass", StringComparison.Ordinal))) return null;
        if (m.EndsWith(".or.andcm", StringComparison.Ordinal) || m.EndsWith(".orcm", StringComparison.Ordinal)) return ".or.andcm";
        if (m.EndsWith(".and", StringComparison.Ordinal) || m.EndsWith(".andcm", StringComparison.Ordinal)) return ".and";
        if (m.EndsWith(".or", StringComparison.Ordinal)) return ".or";
        return null;
    }

    /// <summary>Auto mode (.auto): inserts the stops the run needs so that no group has a violation.</summary>
    public static void InsertStops(List<InsnItem> run)
    {
        var group = new List<Instruction>();
        for (int k = 0; k < run.Count; k++)
        {
            var m = run[k].Match;
            group.Add(new Instruction(m.Form, m.Qp, m.Values));
            if (group.Count > 1 && Check(group).Count > 0)
            {
                run[k - 1].StopAfter = true;
                group.Clear();
                group.Add(new Instruction(m.Form, m.Qp, m.Values));
            }
            if (run[k].StopAfter) group.Clear();
        }
    }
}
