using System.Linq;
using IvtGen.Isa;
using IvtGen.Paravirt;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>The catalogue's raw-instruction mapping (ParavirtOp.Replaces), which the IVT022 fix reads.</summary>
public sealed class ParavirtReplacesAnalyzerTests
{
    [Fact]
    public void Every_mapping_is_a_prefix_of_the_operations_native_lowering_and_names_only_its_operands()
    {
        foreach (var op in ParavirtCatalog.All.Where(o => o.Replaces.Count > 0))
        {
            Assert.True(op.Native[0].Lines.Take(op.Replaces.Count).SequenceEqual(op.Replaces), $"{op.DslName}: {string.Join(" ", op.Replaces)}");
            foreach (var line in op.Replaces)
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(line, @"\{(\w+)\}"))
                    Assert.Contains(op.Operands, o => o.Name == m.Groups[1].Value);
        }
    }

    [Fact]
    public void Every_privileged_or_sensitive_native_lowering_but_the_combined_itc_has_a_mapping()
    {
        foreach (var op in ParavirtCatalog.All)
        {
            var native = op.Native[0].Lines.Where(l => l != ";;").Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\{\w+\}", m =>
                op.Operands.First(o => "{" + o.Name + "}" == m.Value).Kind switch { PvOperandKind.Pr => "p6", PvOperandKind.Kr => "ar.k5", _ => "r20" }));
            bool sensitive = native.Any(l =>
            {
                var parsed = SourceParser.Parse(l, new());
                return parsed.InstructionCount == 1 && parsed.Instruction(0).Form.Has(InsnFlags.Privileged | InsnFlags.Sensitive);
            });
            Assert.True(!sensitive || op.Replaces.Count > 0 || op.Name == "itc_i_and_d", op.DslName);
        }
    }
}
