extern alias gen;

using System.Threading.Tasks;
using IvtGen.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>IVT023: a handler that fits natively but overflows in a variant this build does not make; and the sample tables are clean.</summary>
public sealed class SlotBudgetAnalyzerTests
{
    // Two bank switches: one instruction each natively, dozens of spills and fills in AltB, a one-bundle site in AltA.
    private const string Banks = Ivt.Prelude + """
        [IvtTable] public partial class A : IvtCode
        {
            [Vector(IvtVector.PageNotPresent)]
            void {|#0:P|}()
            {
                pv_bsw_0(r2, r3, r14);
                stop();
                pv_bsw_1(r2, r3);
                stop();
                pv_rfi();
                stop();
            }
        }
        """;

    [Fact]
    public async Task AltB_growth_past_the_slot_is_reported_without_XEN_with_the_generators_numbers()
    {
        var built = Ivt.AssertBuilds(Ivt.Plain(Banks.Replace("{|#0:", "").Replace("|}", "")));
        Assert.InRange(built[0].Images[0].Vectors[20].Used, 1, 16);
        var t = new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = Banks };
        t.ExpectedDiagnostics.Add(new DiagnosticResult("IVT023", DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("P", "PageNotPresent", "5000", Xen.AltBBundles(Banks), "xen-altb", "16"));
        await t.RunAsync();
    }

    [Fact]
    public async Task With_XEN_the_generator_reports_it_as_IVT008_and_the_analyzer_stays_quiet()
    {
        var t = new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = Banks.Replace("{|#0:", "").Replace("|}", "") };
        t.Defines.Add("XEN");
        await t.RunAsync();
    }

    [Fact]
    public async Task A_handler_that_opted_into_moving_its_tail_out_of_line_is_not_reported()
    {
        // The editor must not warn about what the build will fix: the same handler, with the overflow policy.
        string opted = Banks.Replace("{|#0:", "").Replace("|}", "")
            .Replace("[Vector(IvtVector.PageNotPresent)]", "[Vector(IvtVector.PageNotPresent, Overflow = SlotOverflow.MoveTailOutOfLine)]");
        Assert.NotEqual(Banks.Replace("{|#0:", "").Replace("|}", ""), opted);
        await new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = opted }.RunAsync();
        var xen = new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = opted };
        xen.Defines.Add("XEN");
        await xen.RunAsync();
    }

    [Theory]
    [InlineData("NativeIvt", "NativeTable.cs")]
    [InlineData("PvIvt", "PvTable.cs")]
    public async Task The_sample_tables_are_clean_with_and_without_XEN(string project, string file)
    {
        string sample = System.IO.File.ReadAllText(IvtGen.Tests.Support.Repo.FilePath("samples", project, file));
        await new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = sample }.RunAsync();
        var xen = new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = sample };
        xen.Defines.Add("XEN");
        await xen.RunAsync();
    }
}

/// <summary>What the generator itself measures for a table built with XEN.</summary>
internal static class Xen
{
    public static string AltBBundles(string markup)
    {
        var parse = IvtGen.Tests.Generator.GeneratorHarness.Parse.WithPreprocessorSymbols("XEN");
        var compilation = IvtGen.Tests.Generator.GeneratorHarness.Compile().AddSyntaxTrees(
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Ivt.Plain(markup.Replace("{|#0:", "").Replace("|}", "")), parse, "A.cs"));
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(new[] { new gen::IvtGen.Generator.IvtGenerator().AsSourceGenerator() }, parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        var d = Assert.Single(diagnostics, x => x.Id == "IVT008");
        var m = System.Text.RegularExpressions.Regex.Match(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), @"needs (\d+) bundles in the xen-altb variant");
        Assert.True(m.Success, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        return m.Groups[1].Value;
    }
}
