using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Tests.Paravirt;

/// <summary>Operand samples and assembly harness shared by the paravirt tests.</summary>
public static class PvSupport
{
    /// <summary>The label the harness puts after the site: where an AltA stub must return to.</summary>
    public const string After = "__pv_after";

    /// <summary>
    /// Operand tuples for an operation: one with distinct ordinary registers, then every valid tuple that puts r8 or r9
    /// in one or two of its general-register operands (each of Linux's r8 cases, MOV_TO_KR's r8/r9 swaps), p0 as the
    /// qualifying predicate, and SSM_PSR_I's (p15, p15) as ivt.S writes it.
    /// </summary>
    public static IEnumerable<string[]> Samples(ParavirtOp op)
    {
        var pool = new Queue<string>(new[] { "r17", "r18", "r19", "r20", "r21" });
        var banked = new Queue<string>(new[] { "r2", "r3", "r14" });
        var baseTuple = op.Operands.Select(o => o.Kind switch
        {
            PvOperandKind.Pr => o.Role == PvOperandRole.PredicateClobber ? "p15" : o.Name == "pred_d" ? "p7" : "p6",
            PvOperandKind.Kr => "ar.k5",
            _ => o.NotBanked ? banked.Dequeue() : pool.Dequeue(),
        }).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string[]> Candidates()
        {
            yield return baseTuple;
            yield return baseTuple.Select((t, i) => op.Operands[i].Role == PvOperandRole.Predicate ? "p0" : t).ToArray();
            var grs = Enumerable.Range(0, op.Operands.Count).Where(i => op.Operands[i].Kind == PvOperandKind.Gr).ToList();
            foreach (int i in grs)
                foreach (var r in new[] { "r8", "r9" })
                {
                    var t = (string[])baseTuple.Clone();
                    t[i] = r;
                    yield return t;
                }
            foreach (int i in grs)
                foreach (int j in grs)
                {
                    if (i == j) continue;
                    var t = (string[])baseTuple.Clone();
                    t[i] = "r8";
                    t[j] = "r9";
                    yield return t;
                }
            if (op.Name == "ssm_psr_i") yield return new[] { "p15", "p15", "r16" };
            if (op.Name == "thash") yield return new[] { "p0", "r17", "r17", "r18" };
        }
        foreach (var t in Candidates())
            if (op.Bind(t, out _, out _) && seen.Add(string.Join(",", t)))
                yield return t;
    }

    /// <summary>Every (operation, operands) sample.</summary>
    public static IEnumerable<(ParavirtOp Op, string[] Operands)> AllSamples() =>
        ParavirtCatalog.All.SelectMany(op => Samples(op).Select(t => (op, t)));

    /// <summary>
    /// GNU as source for a lowering: the site, the return label with a sentinel bundle, then the stub, so that both
    /// assemblers see exactly what a table holds. <paramref name="lines"/> replaces the site (Linux's expansion).
    /// </summary>
    public static string Source(ParavirtLowering l, IReadOnlyList<string>? lines = null)
    {
        var sb = new StringBuilder("\t.text\n\t.explicit\n");
        var site = lines ?? l.Inline;
        foreach (var line in site) sb.Append(Indent(line)).Append('\n');
        if (site.Count > 0 && site[site.Count - 1] is not (";;" or "}")) sb.Append("\t;;\n");
        sb.Append(After).Append(":\n{ .mii\n\tnop.m 0x1234\n\tnop.i 0\n\tnop.i 0\n\t;;\n}\n");
        if (l.StubName is not null && lines is null)
        {
            sb.Append(l.StubName).Append(":\n");
            foreach (var line in l.StubBody) sb.Append(Indent(line)).Append('\n');
        }
        return sb.ToString();
    }

    private static string Indent(string line) => line.EndsWith(":", StringComparison.Ordinal) || line.StartsWith("{", StringComparison.Ordinal) || line == "}" ? line : "\t" + line;

    /// <summary>Assembles with our assembler; throws with the diagnostics on any error or warning.</summary>
    public static AssemblyResult Assemble(string source)
    {
        var r = Assembler.Assemble(source);
        if (r.Diagnostics.Count > 0)
            throw new InvalidOperationException("our assembler: " + string.Join("; ", r.Diagnostics) + "\n" + source);
        return r;
    }

    public static List<DecodedBundle> Decode(byte[] code)
    {
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(code, 0, errors);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
        return bundles;
    }

    /// <summary>Runs an assembled lowering from its first bundle to the return label.</summary>
    public static PvMachine Run(AssemblyResult r)
    {
        var m = new PvMachine();
        m.Run(Decode(r.Code), 0, r.Labels[After]);
        return m;
    }

    /// <summary>The instructions of the code before the return label (the site) and after it (the stub), decoded.</summary>
    public static List<(Instruction Ins, long Address)> Instructions(byte[] code, long from = 0, long to = long.MaxValue) =>
        Decode(code).Where(b => b.Address >= from && b.Address < to)
            .SelectMany(b => b.Slots.Where(s => !s.IsDefault).Select(s => (s, b.Address))).ToList();

    /// <summary>The instructions without nops, as the formatter prints them: for comparing two assemblers' output.</summary>
    public static List<string> Meaningful(byte[] code) =>
        Instructions(code).Where(x => !x.Ins.Form.Mnemonic.StartsWith("nop", StringComparison.Ordinal))
            .Select(x => Formatter.Format(x.Ins, x.Address, (_, _) => "target"))
            // A unit-less break goes to whichever slot the bundler has free: break.m and break.i are the same hyperprivop.
            .Select(t => System.Text.RegularExpressions.Regex.Replace(t, @"\bbreak\.[mibf] ", "break ")).ToList();
}
