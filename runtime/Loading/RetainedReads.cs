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
    public static bool IsRetained(ReadOnlySpan<byte> code, BundleFacts[] facts, int b, int s, string variant, out ParavirtOp? op)
    {
        op = null;
        if (!CodeWalk.TryGet(code, facts, b, s, out var ins, out _)) return false;
        string text = Formatter.Format(ins, 0);
        foreach (var candidate in ParavirtCatalog.All)
        {
            if (candidate.RetainedPatterns.Count == 0 || !candidate.RetainedPatterns.Any(p => text.IndexOf(p, StringComparison.Ordinal) >= 0)) continue;
            if (Matches(code, facts, b, s, ins, candidate, variant))
            {
                op = candidate;
                return true;
            }
        }
        return false;
    }

    private static bool Matches(ReadOnlySpan<byte> code, BundleFacts[] facts, int b, int s, in Instruction ins, ParavirtOp op, string variant)
    {
        var marked = MarkerLowering(op, variant);
        if (marked is null) return false;
        var (lowered, markers) = marked.Value;
        // Each place the marker lowering has this retained instruction's form: align the code there.
        for (int at = 0; at < lowered.Length; at++)
        {
            if (!ReferenceEquals(lowered[at].Ins.Form, ins.Form)) continue;
            int sb = b, ss = s;
            if (!CodeWalk.BackOver(code, facts, ref sb, ref ss, at)) continue;
            var seen = new List<CodeInsn>(lowered.Length);
            if (!CodeWalk.Forward(code, facts, sb, ss, lowered.Length, skipNops: true, seen)) continue;
            if (seen[at].Bundle != b || seen[at].Slot != s) continue;
            if (!Bind(lowered, seen, markers, op, variant, out var operands)) continue;
            if (!op.TryLower(variant, operands, out var lowering, out _)) continue;
            var exact = CodeWalk.Assemble(Lines(lowering!));
            if (exact is not null && exact.Length == seen.Count && CodeWalk.Same(exact, seen)) return true;
        }
        return false;
    }

    /// <summary>The lines of a lowering that hold the Xen sequence: the stub for xen-alta (when there is one), else the site.</summary>
    private static IEnumerable<string> Lines(ParavirtLowering l) => l.StubName is not null ? l.StubBody : l.Inline;

    /// <summary>
    /// The operands, in the operation's order, that the marker lowering's registers take in <paramref name="seen"/>;
    /// false when an instruction differs in form or an operand is not found. The AltA guard, which a stub runs as p0,
    /// is p0 when no instruction shows it.
    /// </summary>
    private static bool Bind(CodeInsn[] lowered, List<CodeInsn> seen, Dictionary<string, string> markers, ParavirtOp op, string variant,
        out string[] operands)
    {
        operands = new string[op.Operands.Count];
        var bound = new Dictionary<string, string>(StringComparer.Ordinal);
        bool Take(string marker, string actual) => !bound.TryGetValue(marker, out var was) ? (bound[marker] = actual) == actual : was == actual;
        for (int i = 0; i < lowered.Length; i++)
        {
            var m = lowered[i].Ins;
            var a = seen[i].Ins;
            if (!ReferenceEquals(m.Form, a.Form)) return false;
            if (!Take("p" + m.Qp.ToString(CultureInfo.InvariantCulture), "p" + a.Qp.ToString(CultureInfo.InvariantCulture))) return false;
            var ops = m.Form.Operands;
            for (int k = 0; k < ops.Length; k++)
            {
                string prefix = ops[k].Kind switch { OperandKind.Gr => "r", OperandKind.Pr => "p", OperandKind.Mem => "r", _ => "" };
                if (prefix.Length == 0) continue;
                if (!Take(prefix + m.Values[k].ToString(CultureInfo.InvariantCulture), prefix + a.Values[k].ToString(CultureInfo.InvariantCulture))) return false;
            }
        }
        for (int i = 0; i < operands.Length; i++)
        {
            var o = op.Operands[i];
            if (bound.TryGetValue(markers[o.Name], out var actual)) operands[i] = actual;
            else if (variant == ParavirtVariants.XenAltA && o.Name == op.AltAGuard) operands[i] = "p0";
            else return false;
        }
        return true;
    }

    private static readonly Dictionary<string, (CodeInsn[], Dictionary<string, string>)?> s_marked = new(StringComparer.Ordinal);

    /// <summary>
    /// The operation lowered for <paramref name="variant"/> with marker registers (r100 up, p50 up: none of them a
    /// register the catalogue names itself) and which marker stands for which operand; null for operations with
    /// operands markers cannot stand for (kernel registers) or that do not lower.
    /// </summary>
    private static (CodeInsn[] Lowered, Dictionary<string, string> Markers)? MarkerLowering(ParavirtOp op, string variant)
    {
        string key = op.Name + "|" + variant;
        lock (s_marked)
            if (s_marked.TryGetValue(key, out var known)) return known;
        (CodeInsn[], Dictionary<string, string>)? result = null;
        var markers = new Dictionary<string, string>(StringComparer.Ordinal);
        int gr = 100, pr = 50;
        foreach (var o in op.Operands)
            markers[o.Name] = o.Kind switch
            {
                PvOperandKind.Gr => "r" + (gr++).ToString(CultureInfo.InvariantCulture),
                PvOperandKind.Pr => "p" + (pr++).ToString(CultureInfo.InvariantCulture),
                _ => "",
            };
        if (markers.Values.All(m => m.Length > 0) &&
            op.TryLower(variant, op.Operands.Select(o => markers[o.Name]).ToArray(), out var lowering, out _) &&
            CodeWalk.Assemble(Lines(lowering!)) is { } lowered)
            result = (lowered, markers);
        lock (s_marked) s_marked[key] = result;
        return result;
    }
}
