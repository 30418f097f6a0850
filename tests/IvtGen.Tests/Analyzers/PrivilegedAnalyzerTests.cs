using System.Threading.Tasks;
using IvtGen.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>IVT022: raw privileged or sensitive instructions, and the fix that rewrites them to the catalogue's operation.</summary>
public sealed class PrivilegedAnalyzerTests
{
    private static IvtAnalyzerTest<ReplaceWithParavirtCodeFix> Test(string code, string? fixedCode, params DiagnosticResult[] expected)
    {
        var t = new IvtAnalyzerTest<ReplaceWithParavirtCodeFix> { TestCode = code, FixedCode = fixedCode! };
        t.ExpectedDiagnostics.AddRange(expected);
        return t;
    }

    private static DiagnosticResult Ivt022(int location, string text, string kind, string use) =>
        new DiagnosticResult("IVT022", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(text, kind, use);

    [Fact]
    public async Task A_control_register_read_becomes_its_operation()
    {
        string fixedCode = Ivt.Table("""
                    pv_mov_from_ifa(r16);
                    mov(r29, b0);
                    stop();
                    adds(r17, 8, r16);
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(Ivt.Table("""
                    {|#0:mov(r16, cr.ifa)|};
                    mov(r29, b0);
                    stop();
                    adds(r17, 8, r16);
                    stop();
                    pv_rfi();
                    stop();
            """), fixedCode, Ivt022(0, "mov r16=cr.ifa", "privileged", ": use pv_mov_from_ifa(r16)")).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task A_predicated_insert_keeps_its_predicate_and_gets_a_dead_scratch_register()
    {
        // r16 and r17 are read after the insert; r18 is the PTE itself: r19 is the first banked register free afterwards.
        string fixedCode = Ivt.Table("""
                    mov(r16, r20);
                    mov(r17, r20);
                    mov(r18, r20);
                    cmp_eq(p6, p7, r20, r0);
                    stop();
                    pv_itc_d(p7, r18, r19);
                    stop();
                    add(r21, r16, r17);
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(Ivt.Table("""
                    mov(r16, r20);
                    mov(r17, r20);
                    mov(r18, r20);
                    cmp_eq(p6, p7, r20, r0);
                    stop();
                    {|#0:If(p7).itc_d(r18)|};
                    stop();
                    add(r21, r16, r17);
                    stop();
                    {|#1:rfi()|};
                    stop();
            """), fixedCode, Ivt022(0, "(p7) itc.d r18", "privileged", ": use pv_itc_d(p7, r18, r19)"), Ivt022(1, "rfi", "privileged", ": use pv_rfi()")).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task The_fix_takes_along_the_instructions_the_operation_also_covers()
    {
        string fixedCode = Ivt.Table("""
                    pv_ssm_psr_dt_and_srlz_i();
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(Ivt.Table("""
                    {|#0:ssm(Psr.dt)|};
                    stop();
                    srlz_i();
                    stop();
                    {|#1:rfi()|};
                    stop();
            """), fixedCode, Ivt022(0, "ssm psr.dt", "privileged", ": use pv_ssm_psr_dt_and_srlz_i()"), Ivt022(1, "rfi", "privileged", ": use pv_rfi()")).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task Sensitive_thash_gets_a_donated_register_and_bsw_one_outside_the_banked_registers()
    {
        // bsw_1's scratch registers may not be banked (r16–r31): r2 and r3 qualify once the handler has overwritten them.
        string fixedCode = Ivt.Table("""
                    mov(r2, r0);
                    mov(r3, r0);
                    mov(r16, r20);
                    stop();
                    pv_thash(p0, r17, r16, r18);
                    stop();
                    ld8(r19, [r17]);
                    stop();
                    pv_bsw_1(r2, r3);
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(Ivt.Table("""
                    mov(r2, r0);
                    mov(r3, r0);
                    mov(r16, r20);
                    stop();
                    {|#0:thash(r17, r16)|};
                    stop();
                    ld8(r19, [r17]);
                    stop();
                    {|#1:bsw_1()|};
                    stop();
                    {|#2:rfi()|};
                    stop();
            """), fixedCode,
            Ivt022(0, "thash r17=r16", "sensitive", ": use pv_thash(p0, r17, r16, r18)"),
            Ivt022(1, "bsw.1", "privileged", ": use pv_bsw_1(r2, r3)"),
            Ivt022(2, "rfi", "privileged", ": use pv_rfi()")).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task The_issues_examples_an_ivr_read_rsm_and_an_itir_write_become_their_operations()
    {
        // r16 is read by the itir write, so mov_from_ivr donates r17; after it r17 is dead again and mov_to_itir takes it.
        string fixedCode = Ivt.Table("""
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    pv_rsm_psr_dt();
                    stop();
                    pv_mov_to_itir(p0, r16, r17);
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(Ivt.Table("""
                    {|#0:mov(r16, cr.ivr)|};
                    stop();
                    {|#1:rsm(Psr.dt)|};
                    stop();
                    {|#2:mov(cr.itir, r16)|};
                    stop();
                    {|#3:rfi()|};
                    stop();
            """), fixedCode,
            Ivt022(0, "mov r16=cr.ivr", "privileged", ": use pv_mov_from_ivr(r16, r17)"),
            Ivt022(1, "rsm psr.dt", "privileged", ": use pv_rsm_psr_dt()"),
            Ivt022(2, "mov cr.itir=r16", "privileged", ": use pv_mov_to_itir(p0, r16, r17)"),
            Ivt022(3, "rfi", "privileged", ": use pv_rfi()")).RunAsync();
        Ivt.AssertBuilds(fixedCode);
        Ivt.AssertBuilds(fixedCode, "XEN");
    }

    [Fact]
    public async Task No_fix_inside_an_explicit_bundle_nor_for_an_instruction_no_operation_replaces()
    {
        string code = Ivt.Table("""
                    bundle("mii");
                    {|#0:mov(r16, cr.ifa)|};
                    mov(r29, b0);
                    nop_i(0); stop();
                    end_bundle();
                    {|#1:mov(cr.iva, r16)|};
                    stop();
                    pv_rfi();
                    stop();
            """);
        await Test(code, code,
            Ivt022(0, "mov r16=cr.ifa", "privileged", ": use pv_mov_from_ifa (no automatic rewrite: the xen-alta lowering would add IVT013 nested '{': the previous bundle is not closed)"),
            Ivt022(1, "mov cr.iva=r16", "privileged", "; no paravirtualized operation replaces it as written")).RunAsync();
    }
}
