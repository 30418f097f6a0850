extern alias gen;

using System.Linq;
using System.Threading.Tasks;
using IvtGen.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>IVT020 (values read after a pv_ operation clobbered them) and IVT021 (reserved registers written), in every variant.</summary>
public sealed class ConventionAnalyzerTests
{
    private static IvtAnalyzerTest<InsertStopCodeFix> Test(string code, params DiagnosticResult[] expected)
    {
        var t = new IvtAnalyzerTest<InsertStopCodeFix> { TestCode = code };
        t.ExpectedDiagnostics.AddRange(expected);
        return t;
    }

    [Fact]
    public async Task A_donated_register_read_afterwards_is_reported_at_the_read_with_operation_and_variants()
    {
        // pv_mov_from_ivr donates r17: Xen saves r8 in it around the GET_IVR hyperprivop (both Xen variants).
        await Test(Ivt.Table("""
                    mov(r17, r20);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    {|#0:adds(r18, 1, r17)|};
                    stop();
                    pv_rfi();
                    stop();
            """),
            new DiagnosticResult("IVT020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("r17", "pv_mov_from_ivr", "the xen-alta and xen-altb variants")).RunAsync();
    }

    [Fact]
    public async Task Altas_return_register_b7_is_clobbered_in_xen_alta_only_and_that_is_checked_without_XEN()
    {
        await Test(Ivt.Table("""
                    mov(b7, r20);
                    pv_mov_from_ifa(r16);
                    stop();
                    mov(r17, r16);
                    {|#0:br_sptk_many(b7)|};
                    stop();
            """),
            new DiagnosticResult("IVT020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("b7", "pv_mov_from_ifa", "the xen-alta variant")).RunAsync();
    }

    [Fact]
    public async Task The_read_may_be_in_a_routine_the_handler_branches_to_and_on_one_side_of_a_predicated_branch()
    {
        string code = Ivt.Prelude + """
            [IvtTable] public partial class A : IvtCode
            {
                [Vector(0)]
                void V()
                {
                    mov(r17, r20);
                    cmp_eq(p6, p7, r20, r0);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    If(p6).br_cond_spnt_many("slow");
                    pv_rfi();
                    stop();
                }

                [Routine("slow")]
                void Slow()
                {
                    {|#0:adds(r18, 1, r17)|};
                    stop();
                    pv_rfi();
                    stop();
                }
            }
            """;
        await Test(code, new DiagnosticResult("IVT020", DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("r17", "pv_mov_from_ivr (in V)", "the xen-alta and xen-altb variants")).RunAsync();
    }

    [Fact]
    public async Task Rewritten_before_the_read_reads_before_the_operation_and_complementary_rewrites_are_silent()
    {
        await Test(Ivt.Table("""
                    mov(r17, r20);
                    mov(r19, r20);
                    cmp_eq(p6, p7, r20, r0);
                    stop();
                    adds(r21, 1, r17);
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    srlz_d(); // a second read of cr.ivr waits for the first (IVT024)
                    stop();
                    pv_mov_from_ivr(r24, r19);
                    stop();
                    mov(r17, r0);
                    If(p6).mov(r19, r0);
                    If(p7).mov(r19, r16);
                    stop();
                    adds(r18, 1, r17);
                    adds(r22, 1, r19);
                    stop();
                    pv_rfi();
                    stop();
            """)).RunAsync();
    }

    [Fact]
    public async Task A_predicated_rewrite_alone_does_not_end_the_old_value()
    {
        await Test(Ivt.Table("""
                    mov(r17, r20);
                    cmp_eq(p6, p7, r20, r0);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    If(p6).mov(r17, r0);
                    stop();
                    {|#0:adds(r18, 1, r17)|};
                    stop();
                    pv_rfi();
                    stop();
            """),
            new DiagnosticResult("IVT020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("r17", "pv_mov_from_ivr", "the xen-alta and xen-altb variants")).RunAsync();
    }

    [Fact]
    public async Task Writing_r8_in_the_group_where_the_inline_Xen_sequence_saves_r8_is_an_error_before_and_after()
    {
        // xen-altb's mov_from_ivr starts with "mov r17=r8" and ends with "mov r8=r17", with no stop at either end.
        await Test(Ivt.Table("""
                    {|IVT021:mov(r8, r20)|};
                    {|IVT009:pv_mov_from_ivr(r16, r17)|};
                    stop();
                    srlz_d(); // a second read of cr.ivr waits for the first (IVT024)
                    stop();
                    pv_mov_from_ivr(r18, r19);
                    {|IVT009:{|IVT021:mov(r8, r21)|}|};
                    stop();
                    pv_rfi();
                    stop();
            """)).RunAsync();
    }

    [Fact]
    public async Task A_stop_between_them_makes_the_reserved_register_the_handlers_again()
    {
        await Test(Ivt.Table("""
                    mov(r8, r20);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    mov(r8, r21);
                    stop();
                    pv_rfi();
                    stop();
            """)).RunAsync();
    }

    [Fact]
    public async Task Warnings_take_the_severity_the_build_gives_them_but_IVT021_cannot_be_turned_down()
    {
        // .editorconfig, .globalconfig and <WarningsAsErrors> all arrive as per-id severities; an error's descriptor is
        // NotConfigurable, so the compiler keeps it an error whatever they say.
        var t = Test(Ivt.Table("""
                    mov(r17, r20);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    srlz_d(); // a second read of cr.ivr waits for the first (IVT024)
                    stop();
                    {|#0:adds(r18, 1, r17)|};
                    {|#1:mov(r8, r20)|};
                    {|#2:pv_mov_from_ivr(r24, r19)|};
                    stop();
                    pv_rfi();
                    stop();
            """),
            new DiagnosticResult("IVT020", DiagnosticSeverity.Error).WithLocation(0).WithArguments("r17", "pv_mov_from_ivr", "the xen-alta and xen-altb variants"),
            new DiagnosticResult("IVT021", DiagnosticSeverity.Error).WithLocation(1).WithMessage(null),
            new DiagnosticResult("IVT009", DiagnosticSeverity.Warning).WithLocation(2).WithMessage(null));
        t.SolutionTransforms.Add((solution, id) =>
        {
            var options = solution.GetProject(id)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(id, options.WithSpecificDiagnosticOptions(new System.Collections.Generic.Dictionary<string, ReportDiagnostic>
            {
                ["IVT020"] = ReportDiagnostic.Error,
                ["IVT021"] = ReportDiagnostic.Suppress,
            }));
        });
        await t.RunAsync();
    }

    [Fact]
    public void Every_warning_is_configurable_and_every_error_is_not()
    {
        foreach (var d in new gen::IvtGen.Generator.Analyzers.IvtTableAnalyzer().SupportedDiagnostics)
            Assert.Equal(d.DefaultSeverity == DiagnosticSeverity.Error, d.CustomTags.Contains(WellKnownDiagnosticTags.NotConfigurable));
    }
}
