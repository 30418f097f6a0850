using IvtGen.Dsl;

namespace Samples.Pv;

/// <summary>
/// The sample table again, with every sensitive operation written as a paravirtualized one: one source, built
/// natively, and with XEN defined also as Xen AltA (out-of-line stubs) and AltB (inline) images.
/// Clobber registers follow Linux's ivt.S: r24–r26 are free in these handlers, b7 belongs to AltA.
/// </summary>
[IvtTable("pv_ivt")]
[IvtExtern("ia64_do_page_fault", 0x0010_0000)]
public partial class PvTable : IvtCode
{
    [Vector(IvtVector.VhptMiss)]
    void VhptMiss()
    {
        pv_mov_from_ifa(r16);             // faulting address
        mov(r29, b0);
        mov(r31, pr);
        stop();
        pv_thash(p0, r17, r16, r25);      // VHPT entry for the address
        stop();
        ld8(r18, [r17]);                  // the PTE
        stop();
        tbit_z(p6, p7, r18, 0);           // present?
        stop();
        If(p6).br_cond_spnt_many("page_fault");
        pv_itc_d(p7, r18, r25);           // yes: insert it
        stop();
        mov(b0, r29);
        mov(pr, r31, -2);
        stop();
        pv_rfi();
        stop();
    }

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

    [Vector(IvtVector.ExternalInterrupt)]
    void ExternalInterrupt()
    {
        pv_mov_from_ivr(r12, r24);
        stop();
        br_sptk_many("page_fault");
        stop();
    }

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
