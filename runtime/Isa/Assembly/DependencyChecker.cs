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
    /// <summary>How many resources <see cref="Resource"/> numbers.</summary>
    internal const int ResourceCount = 584;

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

    /// <summary>What the checks need to know of a form beyond its operand list, worked out once per form.</summary>
    private sealed class FormFacts
    {
        /// <summary>Its memory operand's base register is also updated (post-increment formats).</summary>
        public bool PostIncrement;
        /// <summary>Per operand: the application register a fixed token names (ar.ccv), or −1.</summary>
        public int[] FixedAr = Array.Empty<int>();
        /// <summary>".and", ".or" or ".or.andcm" for parallel compares and tests; null otherwise.</summary>
        public string? Parallel;
        public bool Unconditional;
        /// <summary>mov pr=… / mov pr.rot=…, which rewrite many predicates.</summary>
        public bool RewritesPredicates;
        public bool WritesPredicate;
    }

    // Formats whose memory operand's base register is also updated (post-increment).
    private static readonly HashSet<string> s_postIncrement = new(StringComparer.Ordinal) { "M2", "M3", "M5", "M7", "M8", "M10", "M12", "M14", "M15" };

    /// <summary>Per form id, made when the form is first checked (two threads may make one at once; either copy does).</summary>
    private static readonly FormFacts?[] s_facts = new FormFacts?[InstructionTable.Forms.Count];

    private static FormFacts FactsOf(Form f) => s_facts[f.Id] ??= BuildFacts(f);

    private static FormFacts BuildFacts(Form f)
    {
        var ops = f.Operands;
        var x = new FormFacts
        {
            PostIncrement = s_postIncrement.Contains(f.Format),
            FixedAr = new int[ops.Length],
            Parallel = ParallelType(f),
            Unconditional = f.Mnemonic.Contains(".unc"),
            RewritesPredicates = f.Mnemonic is "mov" && ops.Length > 0 && ops[0].Kind == OperandKind.Fixed && ops[0].Text!.StartsWith("pr", StringComparison.Ordinal),
        };
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            x.FixedAr[i] = op.Kind == OperandKind.Fixed && op.Text!.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(op.Text.Substring(3), out int ar) ? ar : -1;
            if (op.Kind == OperandKind.Pr && op.IsOutput) x.WritesPredicate = true;
        }
        return x;
    }

    /// <summary>The registers an instruction reads and writes (fixed-token ARs included, r0/p0/f0/f1 left out).</summary>
    public static void Effects(in Instruction ins, List<int> reads, List<int> writes)
    {
        var r = new ResourceSet();
        var w = new ResourceSet();
        Effects(ins.Form, ins.Qp, ins.Values, r, w);
        reads.Clear();
        writes.Clear();
        for (int i = 0; i < r.Count; i++) reads.Add(r[i]);
        for (int i = 0; i < w.Count; i++) writes.Add(w[i]);
    }

    /// <summary>A few resource numbers in the order first added, each once; reused from instruction to instruction.</summary>
    internal sealed class ResourceSet
    {
        private int[] _items = new int[16];

        public int Count { get; private set; }
        public int this[int i] => _items[i];
        public void Clear() => Count = 0;

        public void Add(int r)
        {
            // r0, f0, f1 and p0 are constants: no dependency through them.
            if (r is 0 or 128 or 129 or 256 || r < 0) return;
            for (int i = 0; i < Count; i++) if (_items[i] == r) return;
            if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
            _items[Count++] = r;
        }
    }

    internal static void Effects(Form f, int qp, ReadOnlySpan<long> values, ResourceSet reads, ResourceSet writes)
    {
        reads.Clear();
        writes.Clear();
        var facts = FactsOf(f);
        if (qp != 0) reads.Add(Resource(OperandKind.Pr, qp));
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            long v = values[i];
            switch (op.Kind)
            {
                case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                    (op.IsOutput ? writes : reads).Add(Resource(op.Kind, v));
                    break;
                case OperandKind.Mem:
                    reads.Add(Resource(OperandKind.Gr, v));
                    if (facts.PostIncrement) writes.Add(Resource(OperandKind.Gr, v));
                    break;
                case OperandKind.Indirect:
                    reads.Add(Resource(OperandKind.Gr, v));
                    break;
                case OperandKind.Fixed when facts.FixedAr[i] >= 0:
                    (op.IsOutput ? writes : reads).Add(Resource(OperandKind.Ar, facts.FixedAr[i]));
                    break;
            }
        }
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
        // Bit q of row p: p and q are exclusive (kept symmetric). A bit matrix, as there are only 64 predicates.
        private readonly ulong[] _rows = new ulong[64];
        private int _pairs;

        public bool Exclusive(int qa, int qb) =>
            qa != 0 && qb != 0 && qa != qb && (uint)qa < 64 && (uint)qb < 64 && (_rows[qa] >> qb & 1) != 0;

        public void Clear()
        {
            Array.Clear(_rows, 0, _rows.Length);
            _pairs = 0;
        }

        /// <summary>Updates the relations after <paramref name="ins"/> executes.</summary>
        public void After(in Instruction ins) => After(ins.Form, ins.Qp, ins.Values);

        internal void After(Form f, int qp, ReadOnlySpan<long> values)
        {
            var facts = FactsOf(f);
            if (_pairs == 0 && !facts.WritesPredicate) return;
            if (facts.RewritesPredicates)
            {
                Clear();
                return;
            }
            int targets = 0;
            long first = 0, second = 0;
            var ops = f.Operands;
            for (int i = 0; i < ops.Length; i++)
            {
                if (ops[i].Kind != OperandKind.Pr || !ops[i].IsOutput || values[i] == 0) continue;
                if (targets == 0) first = values[i];
                else if (targets == 1) second = values[i];
                targets++;
                Forget(values[i]);
            }
            if (targets == 2 && facts.Parallel is null && (qp == 0 || facts.Unconditional))
                Relate(first, second);
        }

        private void Forget(long p)
        {
            if ((ulong)p >= 64) return;
            ulong row = _rows[p];
            while (row != 0)
            {
                int q = TrailingZeros(row);
                row &= row - 1;
                _rows[q] &= ~(1UL << (int)p);
                _pairs--;
            }
            _rows[p] = 0;
        }

        private void Relate(long a, long b)
        {
            if ((ulong)a >= 64 || (ulong)b >= 64 || (_rows[a] >> (int)b & 1) != 0) return;
            _rows[a] |= 1UL << (int)b;
            _rows[b] |= 1UL << (int)a;
            _pairs++;
        }

        private static int TrailingZeros(ulong x)
        {
            int n = 0;
            while ((x & 1) == 0) { x >>= 1; n++; }
            return n;
        }
    }

    /// <summary>Finds the violations in one instruction group, given as instructions in execution order.</summary>
    public static List<Violation> Check(IReadOnlyList<Instruction> group, PredicateRelations? relations = null)
    {
        var found = new List<Violation>();
        var check = new GroupCheck();
        foreach (var ins in group) check.Add(ins.Form, ins.Qp, ins.Values, relations, found);
        return found;
    }

    /// <summary>
    /// The check of one group, fed an instruction at a time: each is checked against the last writer of every
    /// register it touches. One instance serves group after group without allocating.
    /// </summary>
    internal sealed class GroupCheck
    {
        private readonly int[] _writer = new int[ResourceCount];
        // _writer[r] belongs to the current group only when _stamp[r] == _group: starting a group costs nothing.
        private readonly int[] _stamp = new int[ResourceCount];
        private int _group = 1;
        private Form[] _forms = new Form[8];
        private int[] _qps = new int[8];
        private readonly ResourceSet _reads = new(), _writes = new();

        public int Count { get; private set; }

        /// <summary>Starts a new group.</summary>
        public void Begin()
        {
            _group++;
            Count = 0;
        }

        /// <summary>Adds the next instruction of the group; its violations go to <paramref name="found"/>.</summary>
        public void Add(Form form, int qp, ReadOnlySpan<long> values, PredicateRelations? relations, List<Violation> found)
        {
            int k = Count++;
            if (k == _forms.Length)
            {
                Array.Resize(ref _forms, k * 2);
                Array.Resize(ref _qps, k * 2);
            }
            _forms[k] = form;
            _qps[k] = qp;
            Effects(form, qp, values, _reads, _writes);
            for (int i = 0; i < _reads.Count; i++)
            {
                int r = _reads[i];
                if (_stamp[r] != _group) continue;
                int w = _writer[r];
                if (!RawAllowed(form, qp, r) && relations?.Exclusive(_qps[w], qp) != true)
                    found.Add(new Violation(w, k, r, true));
            }
            for (int i = 0; i < _writes.Count; i++)
            {
                int r = _writes[i];
                if (_stamp[r] != _group) continue;
                int w = _writer[r];
                if (!WawAllowed(_forms[w], form, r) && relations?.Exclusive(_qps[w], qp) != true)
                    found.Add(new Violation(w, k, r, false));
            }
            for (int i = 0; i < _writes.Count; i++)
            {
                _stamp[_writes[i]] = _group;
                _writer[_writes[i]] = k;
            }
            relations?.After(form, qp, values);
        }
    }

    private static bool IsPredicate(int r) => r is >= 256 and < 320;

    private static bool RawAllowed(Form reader, int readerQp, int r) =>
        // A branch may consume a predicate produced in its own group (SDM vol. 1 §4.4.1... the compare-and-branch idiom).
        IsPredicate(r) && reader.Unit == Unit.B && readerQp == r - 256;

    private static bool WawAllowed(Form a, Form b, int r) =>
        IsPredicate(r) && FactsOf(a).Parallel is { } ta && ta == FactsOf(b).Parallel;

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

    /// <summary>Auto mode (.auto): inserts the stops the run (instructions [start, end) of the source) needs so that no group has a violation.</summary>
    public static void InsertStops(ParsedSource source, int start, int end)
    {
        // A group without violations stays so until an instruction conflicts with one of its writes: checking each
        // new instruction against the group's writers is checking the whole group again.
        var check = new GroupCheck();
        var found = new List<Violation>();
        Span<long> buffer = stackalloc long[ParsedSource.MaxOperands];
        for (int k = start; k < end; k++)
        {
            ref var ins = ref source.Instruction(k);
            var values = source.ValuesOf(k, buffer);
            found.Clear();
            check.Add(ins.Form, ins.Qp, values, null, found);
            if (check.Count > 1 && found.Count > 0)
            {
                source.Instruction(k - 1).StopAfter = true;
                check.Begin();
                check.Add(ins.Form, ins.Qp, values, null, found);
            }
            if (ins.StopAfter) check.Begin();
        }
    }
}
