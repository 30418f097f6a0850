using IvtGen.Dsl;

namespace Samples;

/// <summary>
/// A sample interruption vector table: the TLB-miss vectors, the external interrupt and a shared page-fault
/// routine, written once in the DSL. Each statement reads as its GNU as line would; privileged operations are the
/// paravirtualized ones (pv_…), which lower to the same instructions natively and to Xen's sequences with XEN.
/// </summary>
[IvtTable("ia64_ivt")]
[IvtExtern("ia64_do_page_fault", 0x0010_0000)]
public partial class NativeTable : IvtCode
{
    // 0x0000 VHPT translation: walk the VHPT, insert the entry or take the slow path.
    [Vector(IvtVector.VhptMiss)]
    void VhptMiss()
    {
        pv_mov_from_ifa(r16);             // faulting address
        mov(r29, b0);                     // save b0
        mov(r31, pr);                     // save the predicates
        stop();
        pv_thash(p0, r17, r16, r18);      // VHPT entry for the address (r18 donated as scratch)
        pv_mov_from_iha(r19);
        stop();
        ld8(r18, [r17]);                  // the PTE
        stop();
        tbit_z(p6, p7, r18, 0);           // present?
        stop();
        If(p6).br_cond_spnt_many("page_fault");
        pv_itc_d(p7, r18, r16);           // yes: insert it (r16 donated)
        stop();
        mov(b0, r29);
        mov(pr, r31, -2);
        stop();
        pv_rfi();
        stop();
    }

    // 0x0400 ITLB: as above, for instructions. (It used to spell its first bundles out with bundle(…); a paravirtualized
    // operation cannot sit in an explicit bundle, AltA's site being a bundle of its own, and the bundler packs them the same.)
    [Vector(0x0400)]
    void ItlbMiss()
    {
        pv_mov_from_ifa(r16);
        mov(r29, b0);
        mov(r31, pr); stop();
        pv_thash(p0, r17, r16, r18);
        pv_mov_from_itir(r20);
        stop();
        ld8(r18, [r17]);
        stop();
        tbit_z(p6, p7, r18, 0);
        stop();
        If(p6).br_cond_spnt_many("page_fault");
        pv_itc_i(p7, r18, r16);
        stop();
        mov(pr, r31, -2);
        label("done");
        pv_rfi();
        stop();
    }

    // 0x0800 DTLB: identity-map region 4, everything else faults.
    [Vector(IvtVector.DtlbMiss)]
    void DtlbMiss()
    {
        pv_mov_from_ifa(r16);
        movl(r18, unchecked((long)0x8000_0000_0000_0000UL));
        stop();
        cmp_geu(p6, p7, r16, r18);
        stop();
        If(p6).br_cond_dptk_many("page_fault");
        pv_rsm_psr_dt();
        stop();
        srlz_d();
        br_sptk_many("page_fault");
        stop();
    }

    // 0x3000 External interrupt: read the vector and hand it to the kernel.
    [Vector(IvtVector.ExternalInterrupt)]
    void ExternalInterrupt()
    {
        pv_mov_from_ivr(r12, r16);        // r16 donated as scratch (Xen saves r8 in it around the hyperprivop)
        stop();
        srlz_d();
        br_sptk_many("page_fault");
        stop();
    }

    // Out of line: the shared fault path (not a vector).
    [Routine("page_fault")]
    void PageFault()
    {
        pv_ssm_psr_dt_and_srlz_i();
        stop();
        pv_mov_from_isr(r19);
        pv_mov_from_iip(r20);
        stop();
        alloc(r14, ar.pfs, 0, 2, 1, 0);
        stop();
        brl_call_sptk_many(b0, "ia64_do_page_fault");
        stop();
    }
}
