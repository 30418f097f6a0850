using IvtGen.Dsl;

namespace Samples;

/// <summary>
/// A sample interruption vector table: the TLB-miss vectors, the external interrupt and a shared page-fault
/// routine, written once in the DSL. Each statement reads as its GNU as line would.
/// </summary>
[IvtTable("ia64_ivt")]
[IvtExtern("ia64_do_page_fault", 0x0010_0000)]
public partial class NativeTable : IvtCode
{
    // 0x0000 VHPT translation: walk the VHPT, insert the entry or take the slow path.
    [Vector(IvtVector.VhptMiss)]
    void VhptMiss()
    {
        mov(r16, cr.ifa);                 // faulting address
        mov(r29, b0);                     // save b0
        mov(r31, pr);                     // save the predicates
        stop();
        thash(r17, r16);                  // VHPT entry for the address
        mov(r19, cr.iha);
        stop();
        ld8(r18, [r17]);                  // the PTE
        stop();
        tbit_z(p6, p7, r18, 0);           // present?
        stop();
        If(p6).br_cond_spnt_many("page_fault");
        If(p7).itc_d(r18);                // yes: insert it
        stop();
        mov(b0, r29);
        mov(pr, r31, -2);
        stop();
        rfi();
        stop();
    }

    // 0x0400 ITLB: as above, for instructions, with explicit bundles.
    [Vector(0x0400)]
    void ItlbMiss()
    {
        bundle("mii");
        mov(r16, cr.ifa);
        mov(r29, b0);
        mov(r31, pr); stop();
        end_bundle();
        bundle("mmi");
        thash(r17, r16);
        mov(r20, cr.itir);
        nop_i(0); stop();
        end_bundle();
        ld8(r18, [r17]);
        stop();
        tbit_z(p6, p7, r18, 0);
        stop();
        If(p6).br_cond_spnt_many("page_fault");
        If(p7).itc_i(r18);
        stop();
        mov(pr, r31, -2);
        label("done");
        rfi();
        stop();
    }

    // 0x0800 DTLB: identity-map region 4, everything else faults.
    [Vector(IvtVector.DtlbMiss)]
    void DtlbMiss()
    {
        mov(r16, cr.ifa);
        movl(r18, unchecked((long)0x8000_0000_0000_0000UL));
        stop();
        cmp_geu(p6, p7, r16, r18);
        stop();
        If(p6).br_cond_dptk_many("page_fault");
        rsm(Psr.dt);
        stop();
        srlz_d();
        br_sptk_many("page_fault");
        stop();
    }

    // 0x3000 External interrupt: read the vector and hand it to the kernel.
    [Vector(IvtVector.ExternalInterrupt)]
    void ExternalInterrupt()
    {
        mov(r12, cr.ivr);
        stop();
        srlz_d();
        br_sptk_many("page_fault");
        stop();
    }

    // Out of line: the shared fault path (not a vector).
    [Routine("page_fault")]
    void PageFault()
    {
        ssm(Psr.dt);
        stop();
        srlz_i();
        stop();
        mov(r19, cr.isr);
        mov(r20, cr.iip);
        stop();
        alloc(r14, ar.pfs, 0, 2, 1, 0);
        stop();
        brl_call_sptk_many(b0, "ia64_do_page_fault");
        stop();
    }
}
