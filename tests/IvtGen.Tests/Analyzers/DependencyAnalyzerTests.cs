using System.Threading.Tasks;
using IvtGen.CodeFixes;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>IVT009 from the analyzer: RAW/WAW in an instruction group, and the fix that inserts the stop.</summary>
public sealed class DependencyAnalyzerTests
{
    private static IvtAnalyzerTest<InsertStopCodeFix> Test(string code, string? fixedCode = null) => new()
    {
        TestCode = code,
        FixedCode = fixedCode!,
    };

    [Fact]
    public async Task Raw_in_a_group_is_reported_at_the_reader_and_the_fix_inserts_the_stop()
    {
        string code = Ivt.Table("""
                    mov(r16, r17);
                    {|IVT009:adds(r18, 8, r16)|};
                    stop();
                    pv_rfi();
                    stop();
            """);
        string fixedCode = Ivt.Table("""
                    mov(r16, r17);
                    stop();
                    adds(r18, 8, r16);
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(code, fixedCode).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task Waw_on_one_line_gets_the_stop_on_that_line()
    {
        string code = Ivt.Table("""
                    mov(r16, r17); {|IVT009:mov(r16, r18)|}; stop();
                    pv_rfi(); stop();
            """);
        string fixedCode = Ivt.Table("""
                    mov(r16, r17); stop(); mov(r16, r18); stop();
                    pv_rfi(); stop();
            """);
        await Test(code, fixedCode).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task The_stop_goes_before_the_labels_in_front_of_the_reader()
    {
        string code = Ivt.Table("""
                    mov(r16, r17);
                    label("again");
                    {|IVT009:adds(r18, 8, r16)|};
                    stop();
                    br_cond_sptk_many("again");
                    stop();
            """);
        string fixedCode = Ivt.Table("""
                    mov(r16, r17);
                    stop();
                    label("again");
                    adds(r18, 8, r16);
                    stop();
                    br_cond_sptk_many("again");
                    stop();
            """);
        await Test(code, fixedCode).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task Inside_an_explicit_bundle_with_no_template_for_the_stop_there_is_no_fix()
    {
        // mii has no variant with a stop after slot 0: the analyzer checked, so the fix is not offered.
        string code = Ivt.Table("""
                    bundle("mii");
                    mov(r16, r17);
                    {|IVT009:adds(r18, 8, r16)|};
                    nop_i(0); stop();
                    end_bundle();
                    pv_rfi();
                    stop();
            """);
        await Test(code, code).RunAsync();
    }

    [Fact]
    public async Task Correct_groups_are_silent()
    {
        await Test(Ivt.Table("""
                    mov(r16, r17);
                    adds(r19, 8, r17);
                    stop();
                    cmp_eq(p6, p7, r16, r0);
                    stop();
                    If(p6).br_cond_spnt_many("out");
                    If(p7).adds(r16, 1, r16);
                    label("out");
                    stop();
                    pv_rfi();
                    stop();
            """)).RunAsync();
    }

    [Fact]
    public void The_generator_keeps_IVT009_in_its_model_but_leaves_reporting_it_to_the_analyzer()
    {
        string source = Ivt.Table("        add(r1, r2, r3); add(r4, r1, r5); stop(); rfi(); stop();");
        var run = IvtGen.Tests.Generator.GeneratorHarness.RunOn(IvtGen.Tests.Generator.GeneratorHarness.Compile(("A.cs", source)));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "IVT009");
        Assert.Contains(Assert.Single(run.Tables).Diagnostics, d => d.Id == "IVT009");
        Assert.NotEmpty(run.Tables[0].Images); // a warning: the images are built
    }
}
