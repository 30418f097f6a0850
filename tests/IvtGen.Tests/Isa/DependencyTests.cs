using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// Dependency-violation warnings against GNU as -x: random pairs of instructions in one instruction group,
/// drawn from the integer, compare, load/store and branch-register forms, with registers from a small pool so
/// that pairs often collide. For every pair we warn exactly when GNU as warns.
/// </summary>
public sealed class DependencyTests
{
    private readonly ITestOutputHelper _out;
    public DependencyTests(ITestOutputHelper output) => _out = output;

    private static readonly string[] s_pool =
    {
        "add", "sub", "and", "or", "xor", "adds", "addl", "shladd", "mov",
        "cmp.eq", "cmp.lt", "cmp.eq.unc", "cmp.ltu", "cmp4.eq",
        "ld8", "ld4", "st8", "st4", "shl", "shr.u", "extr.u", "dep.z", "zxt4", "sxt4",
    };

    private static Instruction Squeeze(Instruction ins, Random rng)
    {
        // Registers from a small pool so that pairs collide often.
        var values = (long[])ins.Values.Clone();
        var ops = ins.Form.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            switch (ops[i].Kind)
            {
                case OperandKind.Gr or OperandKind.Mem when ops[i].Field!.Width == 7: values[i] = 2 + rng.Next(4); break;
                case OperandKind.Pr: values[i] = 6 + rng.Next(3); break;
            }
        }
        int qp = rng.Next(4) == 0 ? 6 + rng.Next(3) : 0;
        return new Instruction(ins.Form, (ins.Form.Pattern.Mask & 0x3f) != 0 ? 0 : qp, values);
    }

    [Fact]
    public void Warns_exactly_where_GNU_as_warns()
    {
        var rng = new Random(42);
        var forms = InstructionTable.Forms
            .Where(f => !f.Has(InsnFlags.ParseOnly) && Array.IndexOf(s_pool, f.Mnemonic) >= 0)
            // System registers need serialization, not just a stop, and GNU tracks them across groups: not this test.
            .Where(f => f.Operands.All(o => o.Kind is not (OperandKind.Cr or OperandKind.Ar or OperandKind.Indirect or OperandKind.Fixed or OperandKind.Fr)))
            .ToList();
        Assert.True(forms.Count >= 20, "pool too small: " + forms.Count);
        var pairs = new List<(string A, string B)>();
        while (pairs.Count < 400)
        {
            var a = FormSamples.Make(forms[rng.Next(forms.Count)], rng, 2);
            var b = FormSamples.Make(forms[rng.Next(forms.Count)], rng, 2);
            if (a is null || b is null) continue;
            var sa = Squeeze(a.Value, rng);
            var sb = Squeeze(b.Value, rng);
            if (InstructionEncoder.TryEncode(sa, out _) is not null || InstructionEncoder.TryEncode(sb, out _) is not null) continue;
            pairs.Add((Formatter.Format(sa, 0), Formatter.Format(sb, 0)));
        }
        var src = new StringBuilder("\t.text\n\t.explicit\n");
        var secondLine = new Dictionary<int, int>();
        int line = 3;
        for (int k = 0; k < pairs.Count; k++)
        {
            src.Append('\t').Append(pairs[k].A).Append('\n');
            src.Append('\t').Append(pairs[k].B).Append(" ;;\n");
            secondLine[line + 1] = k;
            line += 2;
        }
        string source = src.ToString();
        var gnu = GnuBinutils.Assemble(source);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        var gnuWarned = gnu.Messages.Where(m => !m.IsError && m.Text.Contains("violate")).Select(m => m.Line).ToHashSet();
        var ours = Assembler.Assemble(source);
        Assert.False(ours.HasErrors, string.Join("\n", ours.Diagnostics.Take(5)));
        var ourWarned = ours.Diagnostics.Where(d => d.Severity == AsmSeverity.Warning && d.Message.Contains("dependency violation")).Select(d => d.Line).ToHashSet();

        var mismatches = new List<string>();
        foreach (var (l, k) in secondLine)
        {
            bool g = gnuWarned.Contains(l), o = ourWarned.Contains(l);
            if (g != o) mismatches.Add($"`{pairs[k].A}` then `{pairs[k].B}`: GNU {(g ? "warns" : "is silent")}, we {(o ? "warn" : "are silent")}");
        }
        int warned = secondLine.Keys.Count(gnuWarned.Contains);
        _out.WriteLine($"{pairs.Count} pairs, GNU warned on {warned}, mismatches {mismatches.Count}");
        foreach (var m in mismatches.Take(40)) _out.WriteLine(m);
        Assert.True(warned > 50, "the pool should produce plenty of violations");
        Assert.Empty(mismatches);
    }
}
