using System;
using System.Collections.Generic;
using System.Globalization;

namespace IvtGen.Paravirt;

/// <summary>
/// The Xen/ia64 facts every paravirtualized lowering rests on, in one place: the hyperprivop numbers a guest puts in
/// <c>break</c>, the shared-area (XSI) addresses of the virtualized control registers and flags, and the kernel
/// register indices of <c>SET_KR</c>. Source: shared/reference/linux-pv-ivt.md §2.1 ("Xen constants": hyperprivop
/// table from Linux's arch/ia64/include/asm/xen/interface.h, XSI_BASE and XSI_SHIFT from asm/xen/privop.h, the
/// <c>struct mapped_regs</c> offsets computed there from interface.h) and §2.2 (MASK_TO_PEND_OFS, IA64_KR_*).
/// The catalogue's templates name these facts (<c>{XSI_IFA}</c>, <c>{HYPERPRIVOP_ITC_I}</c>); the tests decode the
/// assembled lowerings and compare the <c>break</c> immediates and load/store addresses with them.
/// </summary>
public static class XenAbi
{
    /// <summary>XSI_BASE: the shared area's guest-virtual base, "at 1 MB, before per-cpu space but still addressable
    /// using addl instead of movl" (privop.h).</summary>
    public const ulong XsiBase = 0xfffffffffff00000UL;

    /// <summary>XSI_SHIFT = 14: the XSI page is 16 KiB; <c>struct mapped_regs</c> starts at XMAPPEDREGS_OFS = XSI_SIZE.</summary>
    public const int XsiShift = 14;

    /// <summary>XMAPPEDREGS_OFS = XSI_SIZE = 1 &lt;&lt; XSI_SHIFT.</summary>
    public const long MappedRegsOffset = 1L << XsiShift;

    /// <summary>The pending-event byte is the byte before the event mask byte XSI_PSR_I_ADDR points to (MASK_TO_PEND_OFS).</summary>
    public const int MaskToPendOffset = -1;

    /// <summary>HYPERPRIVOP_START: hyperprivop k is <c>break</c> START + k; Xen's dispatch checks (iim − START) &lt; MAX.</summary>
    public const int HyperprivopStart = 0x01;

    /// <summary>HYPERPRIVOP_MAX (the highest number, SET_RR0_TO_RR4).</summary>
    public const int HyperprivopMax = 0x1a;

    /// <summary>Hyperprivop numbers, <c>XEN_HYPER_x</c> = <c>break HYPERPRIVOP_x</c> (reference §2.1, table "Hyperprivop numbers").</summary>
    public static IReadOnlyDictionary<string, int> Hyperprivops { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["RFI"] = 0x01,
        ["RSM_DT"] = 0x02,
        ["SSM_DT"] = 0x03,
        ["COVER"] = 0x04,
        ["ITC_D"] = 0x05,
        ["ITC_I"] = 0x06,
        ["SSM_I"] = 0x07,
        ["GET_IVR"] = 0x08,
        ["GET_TPR"] = 0x09,
        ["SET_TPR"] = 0x0a,
        ["EOI"] = 0x0b,
        ["SET_ITM"] = 0x0c,
        ["THASH"] = 0x0d,
        ["PTC_GA"] = 0x0e,
        ["ITR_D"] = 0x0f,
        ["GET_RR"] = 0x10,
        ["SET_RR"] = 0x11,
        ["SET_KR"] = 0x12,
        ["FC"] = 0x13,
        ["GET_CPUID"] = 0x14,
        ["GET_PMD"] = 0x15,
        ["GET_EFLAG"] = 0x16,
        ["SET_EFLAG"] = 0x17,
        ["RSM_BE"] = 0x18,
        ["GET_PSR"] = 0x19,
        ["SET_RR0_TO_RR4"] = 0x1a,
    };

    /// <summary>
    /// XSI_x_OFS = XMAPPEDREGS_OFS + offsetof(struct mapped_regs, field) (reference §2.1, table "Shared-area
    /// addressing"; asm-offsets' DEFINE_MAPPED_REG_OFS). The address of XSI_x is <see cref="XsiBase"/> + offset.
    /// </summary>
    public static IReadOnlyDictionary<string, long> XsiOffsets { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["XSI_BANK1_R16"] = 0x4400,   // bank1_regs[0] (vgr)
        ["XSI_BANK0_R16"] = 0x4480,   // bank0_regs[0] (vbgr)
        ["XSI_B1NAT"] = 0x4500,       // vnat (XSI_B1NATS_OFS)
        ["XSI_B0NAT"] = 0x4508,       // vbnat
        ["XSI_IPSR"] = 0x4880,        // cr.ipsr (CR16)
        ["XSI_ISR"] = 0x4888,         // cr.isr (CR17)
        ["XSI_IIP"] = 0x4898,         // cr.iip (CR19)
        ["XSI_IFA"] = 0x48a0,         // cr.ifa (CR20)
        ["XSI_ITIR"] = 0x48a8,        // cr.itir (CR21)
        ["XSI_IIPA"] = 0x48b0,        // cr.iipa (CR22)
        ["XSI_IFS"] = 0x48b8,         // cr.ifs (CR23)
        ["XSI_IIM"] = 0x48c0,         // cr.iim (CR24)
        ["XSI_IHA"] = 0x48c8,         // cr.iha (CR25)
        ["XSI_PRECOVER_IFS"] = 0x4c00,
        ["XSI_PSR_IC"] = 0x4c10,      // interrupt_collection_enabled (int, 4 bytes: st4)
        ["XSI_PSR_I_ADDR"] = 0x4c18,  // interrupt_mask_addr (pointer to the vcpu's evtchn_upcall_mask byte)
        ["XSI_BANKNUM"] = 0x4c4c,     // banknum (int, 4 bytes: st4)
        ["XSI_ITC_OFFSET"] = 0x4d50,
        ["XSI_ITC_LAST"] = 0x4d58,
    };

    /// <summary>The guest-virtual address of XSI field <paramref name="name"/> (<c>XSI_IFA</c> → 0xfffffffffff048a0).</summary>
    public static ulong XsiAddress(string name) =>
        XsiOffsets.TryGetValue(name, out long ofs)
            ? unchecked(XsiBase + (ulong)ofs)
            : throw new ArgumentException($"'{name}' is no XSI field", nameof(name));

    /// <summary>The hyperprivop number of <paramref name="name"/> (<c>ITC_I</c> → 6).</summary>
    public static int Hyperprivop(string name) =>
        Hyperprivops.TryGetValue(name, out int n) ? n : throw new ArgumentException($"'{name}' is no hyperprivop", nameof(name));

    /// <summary>
    /// Whether <c>addl r1=address,r0</c> reaches <paramref name="address"/>: addl's immediate is 22 bits, signed, so
    /// it reaches −2 MiB … 2 MiB − 1. Every XSI address is XSI_BASE (−1 MiB) plus less than 64 KiB, so it does.
    /// </summary>
    public static bool FitsAddl(ulong address)
    {
        long v = unchecked((long)address);
        return v >= -(1L << 21) && v < 1L << 21;
    }

    /// <summary>How a template writes an address: the 64-bit hex GNU as and our assembler accept for <c>addl</c>.</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
