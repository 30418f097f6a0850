using System;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>
/// What a variant may contain, keyed on its name: a variant whose name starts with "xen" runs deprivileged under
/// Xen and must contain no privileged or sensitive instruction (the ISA table's own <see cref="InsnFlags.Privileged"/>
/// and <see cref="InsnFlags.Sensitive"/>); any other variant runs on bare hardware and must contain no hypercall.
/// </summary>
public static class VariantRules
{
    public const string Native = "native";
    public const string XenAltA = "xen-alta";
    public const string XenAltB = "xen-altb";

    /// <summary>
    /// Xen's hyperprivop break immediates, inclusive: <c>HYPERPRIVOP_START</c> = 0x1 (RFI) up to
    /// <c>HYPERPRIVOP_MAX</c> = 0x1a (SET_RR0_TO_RR4). Every <c>XEN_HYPER_*</c> macro is the single instruction
    /// <c>break HYPERPRIVOP_*</c>, and Xen's break dispatch takes <c>(iim − HYPERPRIVOP_START) &lt; HYPERPRIVOP_MAX</c>
    /// as a hyperprivop. Source: shared/reference/linux-pv-ivt.md §2.1 (Linux arch/ia64/include/asm/xen/interface.h
    /// and privop.h, torvalds/linux @ 107d3e53 and @ 0a7d3244) and §6 (xen/arch/ia64/xen/ivt.S).
    /// </summary>
    public const long HyperprivopFirst = 0x01, HyperprivopLast = 0x1a;

    /// <summary>Whether <paramref name="variant"/> is one of the paravirtualized Xen variants (name starts with "xen").</summary>
    public static bool IsXen(string variant) => variant.StartsWith("xen", StringComparison.Ordinal);

    /// <summary>The platform a variant is built for.</summary>
    public static IvtPlatform PlatformOf(string variant) => IsXen(variant) ? IvtPlatform.Xen : IvtPlatform.Native;

    /// <summary>Whether the form may not appear in a Xen variant.</summary>
    public static bool ForbiddenOnXen(Form form) => form.Has(InsnFlags.Privileged | InsnFlags.Sensitive);

    /// <summary>Whether <paramref name="ins"/> is a hyperprivop: a <c>break</c> (any unit) whose immediate is in Xen's range.</summary>
    public static bool IsHypercall(in Instruction ins)
    {
        var f = ins.Form;
        if (!f.Mnemonic.StartsWith("break", StringComparison.Ordinal)) return false;
        for (int i = 0; i < f.Operands.Length; i++)
            if (f.Operands[i].Kind == OperandKind.Imm)
                return ins.Values[i] >= HyperprivopFirst && ins.Values[i] <= HyperprivopLast;
        return false;
    }
}
