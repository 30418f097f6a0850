using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Paravirt;
using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Paravirt;

/// <summary>
/// Every lowering (native, AltB, AltA with its stub) and the catalogue's record of Linux's expansion assemble with
/// GNU as in explicit mode with dependency checks (<c>-x</c>): no error, no dependency violation (the stops are where
/// they must be, and bsw's spills carry Linux's <c>.mem.offset</c> notes, without which GNU as warns "may violate
/// WAW AR[UNAT]") and GNU's instructions are ours.
/// </summary>
public sealed class ParavirtGnuTests
{
    // "Only the first path …" comes with a violation, which is reported on its own.
    private static bool Tolerated(GnuBinutils.AsMessage m, string[] lines) =>
        !m.IsError && m.Text.StartsWith("Only the first path encountering the conflict is reported", StringComparison.Ordinal);

    [Fact]
    public void GNU_as_assembles_every_lowering_to_our_instructions_without_dependency_violations()
    {
        var failures = new List<string>();
        int runs = 0;
        foreach (var (op, operands) in PvSupport.AllSamples())
        {
            var sources = new List<(string What, string Source)>();
            foreach (var v in ParavirtVariants.All)
                sources.Add((v, PvSupport.Source(op.Lower(v, operands))));
            var altb = op.Lower(ParavirtVariants.XenAltB, operands);
            sources.Add(("Linux", PvSupport.Source(altb, op.LowerLinux(operands))));
            foreach (var (what, source) in sources)
            {
                string where = $"{op.DslName}({string.Join(", ", operands)}) {what}";
                var gnu = GnuBinutils.Assemble(source);
                runs++;
                var lines = source.Split('\n');
                var bad = gnu.Messages.Where(m => !Tolerated(m, lines)).ToList();
                if (gnu.Text is null || bad.Count > 0)
                {
                    failures.Add($"{where}: {string.Join("; ", bad.Select(m => m.Line + ": " + m.Text))} {gnu.Stderr}\n{source}");
                    continue;
                }
                var ours = PvSupport.Assemble(source);
                var a = PvSupport.Meaningful(ours.Code);
                var b = PvSupport.Meaningful(gnu.Text);
                if (!a.SequenceEqual(b)) failures.Add($"{where}: ours [{string.Join("; ", a)}] GNU [{string.Join("; ", b)}]");
            }
        }
        Assert.True(runs > 800, $"only {runs} GNU runs");
        Assert.True(failures.Count == 0, $"{failures.Count} problem(s):\n" + string.Join("\n", failures.Take(10)));
    }
}
