using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Loading;

/// <summary>
/// The one kind of sensitive instruction a Xen variant may hold: a line the catalogue keeps on purpose in an
/// operation's Xen lowering (<see cref="ParavirtOp.RetainedPatterns"/>; today only MOV_FROM_ITC's read of ar.itc, which
/// Xen leaves to the guest and corrects by the shared area's itc_offset). The generator exempts it by the statement it
/// came from (IVT015); the loader has only bytes, so it accepts such an instruction only where the code around it
/// decodes to exactly that operation's lowering for the variant: the operands are read off the code (by lowering once
/// with marker registers to learn which instruction carries which operand), the catalogue lowers the operation with
/// them, and every instruction and stop must match — for MOV_FROM_ITC the XSI_ITC_OFFSET address, its load and the add
/// into the target, through the itc_last update; in xen-alta the whole stub, prologue to return.
/// </summary>
internal static class RetainedReads
{
    /// <summary>
    /// Whether the instruction at (<paramref name="b"/>, <paramref name="s"/>) of a <paramref name="variant"/> image is
    /// a catalogue-retained line inside that catalogue lowering; <paramref name="op"/> names the operation when it is.
    /// </summary>
    public static bool IsRetained(ReadOnlySpan<byte> code, BundleFacts?[] facts, int b, int s, string variant, out ParavirtOp? op)
    {
        op = null;
        var walk = new CodeWalker(code, facts);
        if (!walk.TryGet(b, s, out var ins, out _)) return false;
        string text = Formatter.Format(ins, 0);
        foreach (var candidate in ParavirtCatalog.All)
        {
            if (candidate.RetainedPatterns.Count == 0 || !candidate.RetainedPatterns.Any(p => text.IndexOf(p, StringComparison.Ordinal) >= 0)) continue;
            if (Matches(walk, b, s, ins, candidate, variant))
            {
                op = candidate;
                return true;
            }
        }
        return false;
    }

    private static bool Matches(CodeWalker walk, int b, int s, in Instruction ins, ParavirtOp op, string variant)
    {
        var marked = MarkerLowering(op, variant);
        if (marked is null) return false;
        var (lowered, markers) = marked.Value;
        // Each place the marker lowering has this retained instruction's form: align the code there.
        for (int at = 0; at < lowered.Length; at++)
        {
            if (!ReferenceEquals(lowered[at].Ins.Form, ins.Form)) continue;
            int sb = b, ss = s;
            if (!walk.BackOver(ref sb, ref ss, at)) continue;
            var seen = new List<CodeInsn>(lowered.Length);
            if (!walk.Forward(sb, ss, lowered.Length, skipNops: true, seen)) continue;
            if (seen[at].Bundle != b || seen[at].Slot != s) continue;
            if (!Bind(lowered, seen, markers, op, variant, out var operands)) continue;
            var exact = Exact(op, variant, operands);
            if (exact is not null && exact.Length == seen.Count && CodeWalk.Same(exact, seen)) return true;
        }
        return false;
    }

    private const int MaxExact = 1024;
    private static readonly Dictionary<string, CodeInsn[]?> s_exact = new(StringComparer.Ordinal);

    /// <summary>The catalogue's lowering of <paramref name="op"/> with these operands, decoded; null when the operands break its rules.</summary>
    private static CodeInsn[]? Exact(ParavirtOp op, string variant, string[] operands)
    {
        string key = op.Name + "|" + variant + "|" + string.Join(",", operands);
        lock (s_exact)
            if (s_exact.TryGetValue(key, out var known)) return known;
        var exact = op.TryLower(variant, operands, out var lowering, out _) ? CodeWalk.Assemble(Lines(lowering!)) : null;
        lock (s_exact)
        {
            // Operand tuples come from the images verified: keep the cache bounded whatever they hold.
            if (s_exact.Count >= MaxExact) s_exact.Clear();
            s_exact[key] = exact;
        }
        return exact;
    }

    /// <summary>The lines of a lowering that hold the Xen sequence: the stub for xen-alta (when there is one), else the site.</summary>
    private static IEnumerable<string> Lines(ParavirtLowering l) => l.StubName is not null ? l.StubBody : l.Inline;

    /// <summary>
    /// The operands, in the operation's order, that the marker lowering's registers take in <paramref name="seen"/>;
    /// false when an instruction differs in form, a register would stand for two, or an operand is not found. The AltA
    /// guard, which a stub runs as p0, is p0 when no instruction shows it.
    /// </summary>
    private static bool Bind(CodeInsn[] lowered, List<CodeInsn> seen, Marker[] markers, ParavirtOp op, string variant, out string[] operands)
    {
        operands = new string[op.Operands.Count];
        // What each general and predicate register of the marker lowering is in the code (−1: not seen yet).
        Span<int> gr = stackalloc int[128], pr = stackalloc int[64];
        gr.Fill(-1);
        pr.Fill(-1);
        static bool Take(Span<int> map, long marker, long actual)
        {
            if ((ulong)marker >= (ulong)map.Length) return marker == actual;
            if (map[(int)marker] < 0) map[(int)marker] = (int)actual;
            return map[(int)marker] == actual;
        }
        for (int i = 0; i < lowered.Length; i++)
        {
            var m = lowered[i].Ins;
            var a = seen[i].Ins;
            if (!ReferenceEquals(m.Form, a.Form) || !Take(pr, m.Qp, a.Qp)) return false;
            var ops = m.Form.Operands;
            for (int k = 0; k < ops.Length; k++)
            {
                var kind = ops[k].Kind;
                if (kind is OperandKind.Gr or OperandKind.Mem ? !Take(gr, m.Values[k], a.Values[k])
                    : kind == OperandKind.Pr && !Take(pr, m.Values[k], a.Values[k])) return false;
            }
        }
        for (int i = 0; i < operands.Length; i++)
        {
            var mk = markers[i];
            int actual = mk.Predicate ? pr[mk.Number] : gr[mk.Number];
            if (actual >= 0) operands[i] = (mk.Predicate ? "p" : "r") + actual.ToString(CultureInfo.InvariantCulture);
            else if (variant == ParavirtVariants.XenAltA && op.Operands[i].Name == op.AltAGuard) operands[i] = "p0";
            else return false;
        }
        return true;
    }

    /// <summary>The register standing for one operand in the marker lowering.</summary>
    private readonly struct Marker
    {
        public Marker(bool predicate, int number)
        {
            Predicate = predicate;
            Number = number;
        }

        public bool Predicate { get; }
        public int Number { get; }
        public override string ToString() => (Predicate ? "p" : "r") + Number.ToString(CultureInfo.InvariantCulture);
    }

    private static readonly Dictionary<string, (CodeInsn[], Marker[])?> s_marked = new(StringComparer.Ordinal);

    /// <summary>
    /// The operation lowered for <paramref name="variant"/> with marker registers (r100 up, p50 up: none of them a
    /// register the catalogue names itself) and which marker stands for each operand; null for operations with
    /// operands markers cannot stand for (kernel registers) or that do not lower.
    /// </summary>
    private static (CodeInsn[] Lowered, Marker[] Markers)? MarkerLowering(ParavirtOp op, string variant)
    {
        string key = op.Name + "|" + variant;
        lock (s_marked)
            if (s_marked.TryGetValue(key, out var known)) return known;
        (CodeInsn[], Marker[])? result = null;
        var markers = new Marker[op.Operands.Count];
        int gr = 100, pr = 50;
        bool all = true;
        for (int i = 0; i < markers.Length; i++)
        {
            var kind = op.Operands[i].Kind;
            if (kind == PvOperandKind.Gr) markers[i] = new Marker(false, gr++);
            else if (kind == PvOperandKind.Pr) markers[i] = new Marker(true, pr++);
            else all = false;
        }
        if (all && op.TryLower(variant, markers.Select(m => m.ToString()).ToArray(), out var lowering, out _) &&
            CodeWalk.Assemble(Lines(lowering!)) is { } lowered)
            result = (lowered, markers);
        lock (s_marked) s_marked[key] = result;
        return result;
    }
}
