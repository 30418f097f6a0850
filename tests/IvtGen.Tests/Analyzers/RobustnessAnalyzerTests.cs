extern alias gen;

using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using IvtGen.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Analyzer = gen::IvtGen.Generator.Analyzers.IvtTableAnalyzer;

namespace IvtGen.Tests.Analyzers;

/// <summary>
/// Tables as they are while being typed or when they are wrong: the analyzer never throws (no AD0001) and its checks
/// do not fail on them; the generator says what is wrong with a diagnostic, never an internal error.
/// </summary>
public sealed class RobustnessAnalyzerTests
{
    [Theory]
    [InlineData("pv_itc_d(p7, r18, r0); stop(); pv_rfi(); stop();")]                  // a donated clobber may not be r0
    [InlineData("pv_bsw_1(r16, r17); stop(); pv_rfi(); stop();")]                     // bsw's clobbers may not be banked
    [InlineData("pv_mov_from_ivr(r16, r16); stop(); pv_rfi(); stop();")]              // a clobber that is also the target
    [InlineData("br_cond_sptk_many(\"nowhere\"); stop();")]                            // undefined label
    [InlineData("bundle(\"mib\"); nop_m(0); nop_i(0); pv_rfi(); stop();")]             // a bundle never closed
    [InlineData("end_bundle(); pv_rfi(); stop();")]                                    // a bundle never opened
    [InlineData("adds(r16, 100000, r17); stop(); pv_rfi(); stop();")]                  // immediate out of range
    [InlineData("label(\"a\"); label(\"a\"); pv_rfi(); stop();")]                      // duplicate label
    [InlineData("mov(r16, r17); label(\"l\"); stop(); stop(); pv_itc_d(p7, r18, r19); stop(); stop(); br_cond_sptk_many(\"l\"); stop();")]
    public async Task Wrong_handlers_get_the_generators_diagnostic_and_the_analyzer_does_not_fail(string body)
    {
        string source = Ivt.Table(body);
        var (analyzer, failures) = await Analyze(source);
        Assert.Empty(failures);
        Assert.DoesNotContain(analyzer, d => d.Id == "AD0001");
        foreach (var xen in new[] { false, true })
        {
            var run = xen ? GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs", source))) : GeneratorHarness.RunOn(GeneratorHarness.Compile(("A.cs", source)));
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "IVT099");
            // Either the table is wrong and the generator says so, or it builds and its C# compiles.
            if (!run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
                Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        }
    }

    [Fact]
    public async Task A_table_half_typed_in_the_editor_does_not_make_the_analyzer_fail()
    {
        string source = Ivt.Prelude + "[IvtTable] public partial class A : IvtCode\n{\n    [Vector(0)]\n    void V()\n    {\n        mov(r16, \n        pv_itc_d(p7, r18, \n        stop();\n";
        var (analyzer, failures) = await Analyze(source);
        Assert.Empty(failures);
        Assert.DoesNotContain(analyzer, d => d.Id == "AD0001");
    }

    /// <summary>The analyzer alone on <paramref name="source"/>: its diagnostics, and what it threw or swallowed.</summary>
    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, ConcurrentQueue<Exception> Failures)> Analyze(string source)
    {
        var failures = new ConcurrentQueue<Exception>();
        var analyzer = new Analyzer { OnInternalError = failures.Enqueue };
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (e, _, _) => failures.Enqueue(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = await GeneratorHarness.Compile(("A.cs", source))
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer), options)
            .GetAnalyzerDiagnosticsAsync();
        return (diagnostics, failures);
    }
}
