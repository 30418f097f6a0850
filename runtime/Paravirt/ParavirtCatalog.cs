using System;
using System.Collections.Generic;
using System.Linq;

namespace IvtGen.Paravirt;

/// <summary>
/// The catalogue of paravirtualized operations: every sensitive operation an IVT needs, with the operands Linux's
/// macros take (arch/ia64/include/asm/native/inst.h and asm/xen/inst.h, described in shared/reference/linux-pv-ivt.md
/// §2.2) and, per variant, its lowering as data. The generator, the analyzers, the DSL surface
/// (<c>IvtCode.Paravirt.g.cs</c>), the tests and docs/paravirt.md all read it.
/// <para>Xen sequences follow Linux's case by case (which register saves r8, which stops), with these departures,
/// each stated at its case and in docs/paravirt.md: every shared-area address is made by <c>addl r=XSI_x,r0</c>
/// (one slot, any A-unit slot) instead of Linux's <c>movl</c> (two slots, MLX only) — XSI_BASE was placed at −1 MiB
/// precisely so that addl reaches it; stops that only separate a read from a later write of the same register
/// (legal inside an instruction group) are gone; groups are merged where addl, which depends on nothing, lets them.</para>
/// </summary>
public static class ParavirtCatalog
{
    private static readonly Dictionary<string, ParavirtOp> s_byName;

    static ParavirtCatalog()
    {
        All = Build();
        s_byName = new Dictionary<string, ParavirtOp>(StringComparer.Ordinal);
        foreach (var op in All)
        {
            s_byName.Add(op.Name, op);
            s_byName.Add(op.DslName, op);
            s_byName.Add(op.LinuxMacro, op);
        }
    }

    /// <summary>Every operation, in catalogue order (reads, writes, TLB, PSR, banks, cover/rfi).</summary>
    public static IReadOnlyList<ParavirtOp> All { get; }

    /// <summary>Looks an operation up by its name (<c>mov_from_ifa</c>), DSL name (<c>pv_mov_from_ifa</c>) or Linux macro (<c>MOV_FROM_IFA</c>).</summary>
    public static bool TryGet(string name, out ParavirtOp op)
    {
        if (name is not null && s_byName.TryGetValue(name, out var found))
        {
            op = found;
            return true;
        }
        op = null!;
        return false;
    }

    /// <summary>The operation named <paramref name="name"/>; throws when there is none.</summary>
    public static ParavirtOp Get(string name) =>
        TryGet(name, out var op) ? op : throw new ArgumentException($"no paravirtualized operation '{name}'", nameof(name));

    // ---- building blocks ---------------------------------------------------------------------------------------

    private static PvOperand Target(string name = "reg") => new(name, PvOperandKind.Gr, PvOperandRole.Target, "the register that receives the value");
    private static PvOperand Source(string name = "reg", string what = "the value to write") => new(name, PvOperandKind.Gr, PvOperandRole.Source, what);
    private static PvOperand Clob(string name = "clob", bool notBanked = false) =>
        new(name, PvOperandKind.Gr, PvOperandRole.Clobber, "a scratch general register the caller donates", notBanked);
    private static PvOperand Pred(string name = "pred") => new(name, PvOperandKind.Pr, PvOperandRole.Predicate, "qualifying predicate (p0: always)");
    private static PvOperand PredClob(string name = "pred_clob") => new(name, PvOperandKind.Pr, PvOperandRole.PredicateClobber, "a scratch predicate the caller donates");

    private static PvCase Case(params string[] lines) => new(null, lines, Array.Empty<string>(), Array.Empty<string>(), null, null);

    private static PvCase When(string? when, string[] lines, string[]? clobbers = null, string[]? reserves = null, string[]? linux = null, string? note = null) =>
        new(when, lines, clobbers ?? Array.Empty<string>(), reserves ?? Array.Empty<string>(), linux, note);

    private static PvCase Always(string[] lines, string[]? clobbers = null, string[]? reserves = null, string[]? linux = null, string? note = null) =>
        When(null, lines, clobbers, reserves, linux, note);

    private static string[] L(params string[] lines) => lines;

    private static readonly string[] s_banked =
        Enumerable.Range(16, 16).Select(i => "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private sealed class OpBuilder
    {
        public string Name = "", Macro = "", Summary = "";
        public PvOperand[] Operands = Array.Empty<PvOperand>();
        public string[] FixedOutputs = Array.Empty<string>();
        public PvCase[] Native = Array.Empty<PvCase>(), Xen = Array.Empty<PvCase>();
        public string[] Link = Array.Empty<string>();
        public string? Guard;
        public (string, string, string)? Swap;
        public string[] Retained = Array.Empty<string>();
        public string? RetainedWhy, Improvement;

        public ParavirtOp Build() => new(Name, Macro, Summary, Operands, FixedOutputs, Native, Xen, Link, Guard, Swap, Retained, RetainedWhy, Improvement);
    }

    private const string AddlNote = "addl r=XSI_x,r0 for Linux's movl: one slot in any A-unit slot instead of two in an MLX bundle.";

    // ---- the catalogue -----------------------------------------------------------------------------------------

    private static IReadOnlyList<ParavirtOp> Build()
    {
        var ops = new List<ParavirtOp>();
        void Add(OpBuilder b) => ops.Add(b.Build());

        // Reads of the interruption control registers: Xen keeps them in the shared area (MOV_FROM_IFA … MOV_FROM_IIP).
        foreach (var (cr, xsi) in new[] { ("ifa", "XSI_IFA"), ("itir", "XSI_ITIR"), ("isr", "XSI_ISR"), ("iha", "XSI_IHA"), ("iim", "XSI_IIM"), ("iip", "XSI_IIP") })
        {
            Add(new OpBuilder
            {
                Name = "mov_from_" + cr, Macro = "MOV_FROM_" + cr.ToUpperInvariant(), Summary = $"read cr.{cr}",
                Operands = new[] { Target() },
                Native = new[] { Case($"mov {{reg}}=cr.{cr}") },
                Xen = new[] { Always(L($"addl {{reg}}={{{xsi}}},r0", ";;", "ld8 {reg}=[{reg}]")) },
                Link = new[] { "reg" },
                Improvement = AddlNote,
            });
        }
        Add(new OpBuilder
        {
            Name = "mov_from_ipsr", Macro = "MOV_FROM_IPSR", Summary = "read cr.ipsr",
            Operands = new[] { Pred(), Target() },
            Native = new[] { Case("({pred}) mov {reg}=cr.ipsr") },
            Xen = new[] { Always(L("({pred}) addl {reg}={XSI_IPSR},r0", ";;", "({pred}) ld8 {reg}=[{reg}]")) },
            Link = new[] { "reg" }, Guard = "pred",
            Improvement = AddlNote,
        });

        // Reads through a hyperprivop: the result comes back in r8, which Linux saves in the donated clobber unless
        // the target or the clobber already is r8.
        Add(new OpBuilder
        {
            Name = "mov_from_ivr", Macro = "MOV_FROM_IVR", Summary = "read cr.ivr (acknowledges the interrupt)",
            Operands = new[] { Target(), Clob() },
            Native = new[] { Case("mov {reg}=cr.ivr") },
            Xen = new[]
            {
                When("reg==r8", L("break {HYPERPRIVOP_GET_IVR}")),
                When("clob==r8", L("break {HYPERPRIVOP_GET_IVR}", ";;", "mov {reg}=r8"), clobbers: L("{clob}")),
                Always(L("mov {clob}=r8", "break {HYPERPRIVOP_GET_IVR}", ";;", "mov {reg}=r8", "mov r8={clob}"),
                    clobbers: L("{clob}"), reserves: L("r8"),
                    linux: L("mov {clob}=r8", ";;", "break {HYPERPRIVOP_GET_IVR}", ";;", "mov {reg}=r8", ";;", "mov r8={clob}"),
                    note: "Linux's stops before the break and before the restore separate only a read of r8 from a later write of it, which one instruction group allows (Linux's own MOV_FROM_PSR does without them)."),
            },
            Link = new[] { "reg", "clob" },
            Improvement = "Two of Linux's three stops guard only write-after-read, which an instruction group allows (as Linux's own MOV_FROM_PSR shows): one stop remains.",
        });
        Add(new OpBuilder
        {
            Name = "mov_from_psr", Macro = "MOV_FROM_PSR", Summary = "read psr",
            Operands = new[] { Pred(), Target(), Clob() },
            Native = new[] { Case("({pred}) mov {reg}=psr") },
            Xen = new[]
            {
                When("reg==r8", L("({pred}) break {HYPERPRIVOP_GET_PSR}")),
                When("clob==r8", L("({pred}) break {HYPERPRIVOP_GET_PSR}", ";;", "({pred}) mov {reg}=r8"), clobbers: L("{clob}")),
                Always(L("({pred}) mov {clob}=r8", "({pred}) break {HYPERPRIVOP_GET_PSR}", ";;", "({pred}) mov {reg}=r8", "({pred}) mov r8={clob}"),
                    clobbers: L("{clob}"), reserves: L("r8")),
            },
            Link = new[] { "reg", "clob" }, Guard = "pred",
        });
        Add(new OpBuilder
        {
            Name = "mov_from_itc", Macro = "MOV_FROM_ITC", Summary = "read ar.itc (the interval time counter)",
            Operands = new[] { Pred(), PredClob(), Target(), Clob() },
            Native = new[] { Case("({pred}) mov {reg}=ar.itc") },
            Xen = new[]
            {
                Always(L(
                        "({pred}) addl {clob}={XSI_ITC_OFFSET},r0",
                        "({pred}) mov {reg}=ar.itc",
                        ";;",
                        "({pred}) ld8 {clob}=[{clob}]",
                        ";;",
                        "({pred}) add {reg}={reg},{clob}",
                        "({pred}) addl {clob}={XSI_ITC_LAST},r0",
                        ";;",
                        "({pred}) ld8 {clob}=[{clob}]",
                        ";;",
                        "({pred}) cmp.geu.unc {pred_clob},p0={clob},{reg}",
                        ";;",
                        "({pred_clob}) add {reg}=1,{clob}",
                        "({pred}) addl {clob}={XSI_ITC_LAST},r0",
                        ";;",
                        "({pred}) st8 [{clob}]={reg}"),
                    clobbers: L("{clob}", "{pred_clob}"),
                    linux: L(
                        "({pred}) movl {clob}={XSI_ITC_OFFSET}",
                        ";;",
                        "({pred}) ld8 {clob}=[{clob}]",
                        "({pred}) mov {reg}=ar.itc",
                        ";;",
                        "({pred}) add {reg}={reg},{clob}",
                        ";;",
                        "({pred}) movl {clob}={XSI_ITC_LAST}",
                        ";;",
                        "({pred}) ld8 {clob}=[{clob}]",
                        ";;",
                        "({pred}) cmp.geu.unc {pred_clob},p0={clob},{reg}",
                        ";;",
                        "({pred_clob}) add {reg}=1,{clob}",
                        ";;",
                        "({pred}) movl {clob}={XSI_ITC_LAST}",
                        ";;",
                        "({pred}) st8 [{clob}]={reg}"),
                    note: "With addl the address needs no group of its own: the first one issues beside the ar.itc read, the other two beside the instruction before them (a read of clob followed by its write, legal in one group). 6 stops instead of 8."),
            },
            Link = new[] { "clob" }, Guard = "pred",
            Retained = new[] { "=ar.itc" },
            RetainedWhy = "Xen leaves ar.itc readable by the guest and virtualizes time through itc_offset and itc_last in the shared area, which the sequence applies (Linux 3.x's Xen MOV_FROM_ITC and xen_get_itc read the real ar.itc the same way); no hyperprivop reads it. The read is the only sensitive instruction a Xen lowering keeps.",
            Improvement = "addl for movl, and the shared-area addresses folded into existing groups: 6 stops instead of 8.",
        });

        // Writes of the interruption control registers: stores to the shared area through the donated clobber.
        foreach (var (cr, xsi, pred, trailingStop) in new[]
                 {
                     ("ifa", "XSI_IFA", false, false), ("itir", "XSI_ITIR", true, false), ("iha", "XSI_IHA", true, false),
                     ("ipsr", "XSI_IPSR", true, true), ("ifs", "XSI_IFS", true, true), ("iip", "XSI_IIP", false, false),
                 })
        {
            string qp = pred ? "({pred}) " : "";
            var xen = new List<string> { $"{qp}addl {{clob}}={{{xsi}}},r0", ";;", $"{qp}st8 [{{clob}}]={{reg}}" };
            if (trailingStop) xen.Add(";;");
            Add(new OpBuilder
            {
                Name = "mov_to_" + cr, Macro = "MOV_TO_" + cr.ToUpperInvariant(), Summary = $"write cr.{cr}",
                Operands = pred ? new[] { Pred(), Source(), Clob() } : new[] { Source(), Clob() },
                Native = new[] { Case($"{qp}mov cr.{cr}={{reg}}") },
                Xen = new[] { Always(xen.ToArray(), clobbers: L("{clob}")) },
                Link = new[] { "clob" }, Guard = pred ? "pred" : null,
                Improvement = AddlNote,
            });
        }
        Add(new OpBuilder
        {
            Name = "mov_to_kr", Macro = "MOV_TO_KR", Summary = "write a kernel register ar.k0–ar.k7",
            Operands = new[]
            {
                new PvOperand("kr", PvOperandKind.Kr, PvOperandRole.KernelRegister, "the kernel register"),
                Source(), Clob("clob0"), Clob("clob1"),
            },
            Native = new[] { Case("mov {kr}={reg}") },
            // Linux's __MOV_TO_KR swaps the clobbers so that clob0 may hold r8 and clob1 r9, then ____MOV_TO_KR saves
            // r9 (the value) and r8 (the kernel register's index) unless the operands already are those registers.
            Swap = ("clob0", "clob1", "clob0==r9 || clob1==r8"),
            Xen = new[]
            {
                Always(L(
                        "[reg!=r9 && clob1!=r9] mov {clob1}=r9",
                        "[reg!=r9] mov r9={reg}",
                        "[clob0!=r8] mov {clob0}=r8",
                        "mov r8={kr_index}",
                        ";;",
                        "break {HYPERPRIVOP_SET_KR}",
                        "[reg!=r9 && clob1!=r9] mov r9={clob1}",
                        "[clob0!=r8] mov r8={clob0}"),
                    clobbers: L("{clob0}", "[reg!=r9] {clob1}"),
                    reserves: L("[clob0!=r8] r8", "[reg!=r9 && clob1!=r9] r9")),
            },
            Link = new[] { "clob0", "clob1" },
        });

        // Translation cache inserts and thash: hyperprivops with the operand in r8.
        foreach (var (name, insn, hp, stopAfterBreakR8) in new[] { ("itc_i", "itc.i", "ITC_I", false), ("itc_d", "itc.d", "ITC_D", true) })
        {
            var r8Case = stopAfterBreakR8 ? L($"({{pred}}) break {{HYPERPRIVOP_{hp}}}", ";;") : L($"({{pred}}) break {{HYPERPRIVOP_{hp}}}");
            Add(new OpBuilder
            {
                Name = name, Macro = name.ToUpperInvariant(), Summary = $"insert an {(hp == "ITC_I" ? "instruction" : "data")} TLB entry (itir and ifa as last written)",
                Operands = new[] { Pred(), Source("reg", "the PTE"), Clob() },
                Native = new[] { Case($"({{pred}}) {insn} {{reg}}") },
                Xen = new[]
                {
                    When("reg==r8", r8Case),
                    When("clob==r8", L("({pred}) mov r8={reg}", ";;", $"({{pred}}) break {{HYPERPRIVOP_{hp}}}", ";;"), clobbers: L("{clob}")),
                    Always(L("({pred}) mov {clob}=r8", "({pred}) mov r8={reg}", ";;", $"({{pred}}) break {{HYPERPRIVOP_{hp}}}", ";;", "({pred}) mov r8={clob}", ";;"),
                        clobbers: L("{clob}"), reserves: L("r8")),
                },
                Link = new[] { "clob" }, Guard = "pred",
            });
        }
        Add(new OpBuilder
        {
            Name = "itc_i_and_d", Macro = "ITC_I_AND_D", Summary = "insert the same PTE into the instruction and/or data TLB",
            Operands = new[] { Pred("pred_i"), Pred("pred_d"), Source("reg", "the PTE"), Clob() },
            // Linux writes both in one group; GNU as ends the group after itc.i, which must be last in its group.
            Native = new[] { Case("({pred_i}) itc.i {reg}", ";;", "({pred_d}) itc.d {reg}") },
            Xen = new[]
            {
                When("reg==r8", L("({pred_i}) break {HYPERPRIVOP_ITC_I}", ";;", "({pred_d}) break {HYPERPRIVOP_ITC_D}", ";;")),
                When("clob==r8", L("mov r8={reg}", ";;", "({pred_i}) break {HYPERPRIVOP_ITC_I}", ";;", "({pred_d}) break {HYPERPRIVOP_ITC_D}", ";;"), clobbers: L("{clob}")),
                Always(L("mov {clob}=r8", "mov r8={reg}", ";;", "({pred_i}) break {HYPERPRIVOP_ITC_I}", ";;", "({pred_d}) break {HYPERPRIVOP_ITC_D}", ";;", "mov r8={clob}", ";;"),
                    clobbers: L("{clob}"), reserves: L("r8")),
            },
            Link = new[] { "clob" },
        });
        Add(new OpBuilder
        {
            Name = "thash", Macro = "THASH", Summary = "hash an address into its VHPT entry address",
            Operands = new[] { Pred(), Target("reg0"), Source("reg1", "the address"), Clob() },
            Native = new[] { Case("({pred}) thash {reg0}={reg1}") },
            Xen = new[]
            {
                When("reg0==r8", L("({pred}) mov r8={reg1}", "({pred}) break {HYPERPRIVOP_THASH}")),
                When("reg1==r8", L("({pred}) break {HYPERPRIVOP_THASH}", ";;", "({pred}) mov {reg0}=r8", ";;"), clobbers: L("[reg1==r8] {reg1}"),
                    note: "As Linux: the address in r8 is replaced by the hash (the source is clobbered)."),
                When("clob==r8", L("({pred}) mov r8={reg1}", "({pred}) break {HYPERPRIVOP_THASH}", ";;", "({pred}) mov {reg0}=r8", ";;"), clobbers: L("{clob}")),
                Always(L("({pred}) mov {clob}=r8", "({pred}) mov r8={reg1}", "({pred}) break {HYPERPRIVOP_THASH}", ";;", "({pred}) mov {reg0}=r8", "({pred}) mov r8={clob}", ";;"),
                    clobbers: L("{clob}"), reserves: L("r8")),
            },
            Link = new[] { "reg0", "clob" }, Guard = "pred",
        });

        // PSR: psr.ic and psr.i are virtual (shared-area words), psr.dt goes through hyperprivops.
        Add(new OpBuilder
        {
            Name = "ssm_psr_ic_and_default_bits_and_srlz_i", Macro = "SSM_PSR_IC_AND_DEFAULT_BITS_AND_SRLZ_I",
            Summary = "turn interruption collection on with the default PSR bits (psr.ac), serialized",
            Operands = new[] { Clob("clob0"), Clob("clob1") },
            Native = new[] { Case("ssm psr.ic|psr.ac", ";;", "srlz.i", ";;") },
            Xen = new[]
            {
                Always(L("mov {clob0}=1", "addl {clob1}={XSI_PSR_IC},r0", "sum psr.ac", ";;", "st4 [{clob1}]={clob0}", ";;"),
                    clobbers: L("{clob0}", "{clob1}"),
                    linux: L("mov {clob0}=1", "movl {clob1}={XSI_PSR_IC}", ";;", "st4 [{clob1}]={clob0}", ";;"),
                    note: "Linux's Xen version never sets PSR_DEFAULT_BITS (psr.ac); psr.ac is a user-mask bit, so the unprivileged sum sets it, beside the other first-group instructions."),
            },
            Link = new[] { "clob0" },
            Improvement = "addl for movl, and psr.ac (PSR_DEFAULT_BITS) set with the unprivileged sum, which Linux's Xen version forgets.",
        });
        Add(new OpBuilder
        {
            Name = "ssm_psr_ic_and_srlz_d", Macro = "SSM_PSR_IC_AND_SRLZ_D", Summary = "turn interruption collection on, data-serialized",
            Operands = new[] { Clob("clob0"), Clob("clob1") },
            Native = new[] { Case("ssm psr.ic", ";;", "srlz.d") },
            Xen = new[] { Always(L(";;", "srlz.d", "mov {clob1}=1", "addl {clob0}={XSI_PSR_IC},r0", ";;", "st4 [{clob0}]={clob1}"), clobbers: L("{clob0}", "{clob1}")) },
            Link = new[] { "clob0" },
            Improvement = AddlNote,
        });
        Add(new OpBuilder
        {
            Name = "rsm_psr_ic", Macro = "RSM_PSR_IC", Summary = "turn interruption collection off",
            Operands = new[] { Clob() },
            Native = new[] { Case("rsm psr.ic") },
            Xen = new[] { Always(L("addl {clob}={XSI_PSR_IC},r0", ";;", "st4 [{clob}]=r0", ";;"), clobbers: L("{clob}")) },
            Link = new[] { "clob" },
            Improvement = AddlNote,
        });
        Add(new OpBuilder
        {
            Name = "ssm_psr_i", Macro = "SSM_PSR_I", Summary = "enable interrupts, delivering a pending event",
            Operands = new[] { Pred(), PredClob(), Clob() },
            Native = new[] { Case("({pred}) ssm psr.i") },
            // Unmask (the mask byte is 1 when masked), then look at the pending byte just before it: only when an event
            // is pending does the real SSM_I hyperprivop run.
            Xen = new[]
            {
                Always(L(
                        "({pred}) addl {clob}={XSI_PSR_I_ADDR},r0",
                        ";;",
                        "({pred}) ld8 {clob}=[{clob}]",
                        ";;",
                        "({pred}) st1 [{clob}]=r0,{MASK_TO_PEND_OFS}",
                        ";;",
                        "({pred}) ld1 {clob}=[{clob}]",
                        ";;",
                        "({pred}) cmp.ne.unc {pred_clob},p0={clob},r0",
                        ";;",
                        "({pred_clob}) break {HYPERPRIVOP_SSM_I}"),
                    clobbers: L("{clob}", "{pred_clob}")),
            },
            Link = new[] { "clob" }, Guard = "pred",
            Improvement = AddlNote,
        });
        var rsmPsrI = L("addl {clob0}={XSI_PSR_I_ADDR},r0", "mov {clob1}=1", ";;", "ld8 {clob0}=[{clob0}]", ";;", "({pred}) st1 [{clob0}]={clob1}");
        Add(new OpBuilder
        {
            Name = "rsm_psr_i", Macro = "RSM_PSR_I", Summary = "disable interrupts",
            Operands = new[] { Pred(), Clob("clob0"), Clob("clob1") },
            Native = new[] { Case("({pred}) rsm psr.i") },
            Xen = new[] { Always(rsmPsrI, clobbers: L("{clob0}", "{clob1}")) },
            Link = new[] { "clob0" }, Guard = "pred",
            Improvement = AddlNote,
        });
        Add(new OpBuilder
        {
            Name = "rsm_psr_i_ic", Macro = "RSM_PSR_I_IC", Summary = "disable interrupts and interruption collection",
            Operands = new[] { Clob("clob0"), Clob("clob1"), Clob("clob2") },
            Native = new[] { Case("rsm psr.i|psr.ic") },
            Xen = new[]
            {
                Always(L("addl {clob0}={XSI_PSR_I_ADDR},r0", "addl {clob1}={XSI_PSR_IC},r0", ";;", "ld8 {clob0}=[{clob0}]", "mov {clob2}=1", ";;",
                        "st1 [{clob0}]={clob2}", "st4 [{clob1}]=r0", ";;"),
                    clobbers: L("{clob0}", "{clob1}", "{clob2}")),
            },
            Link = new[] { "clob0" },
            Improvement = "addl for movl, twice: the two addresses no longer need two MLX bundles.",
        });
        Add(new OpBuilder
        {
            Name = "rsm_psr_be_i", Macro = "RSM_PSR_BE_I", Summary = "disable interrupts and clear psr.be",
            Operands = new[] { Clob("clob0"), Clob("clob1") },
            Native = new[] { Case("rsm psr.be|psr.i") },
            Xen = new[] { Always(rsmPsrI.Select(l => l.Replace("({pred}) ", "")).Concat(new[] { "rum psr.be" }).ToArray(), clobbers: L("{clob0}", "{clob1}")) },
            Link = new[] { "clob0" },
            Improvement = AddlNote,
        });
        Add(new OpBuilder
        {
            Name = "rsm_psr_dt", Macro = "RSM_PSR_DT", Summary = "switch data accesses to physical addressing",
            Native = new[] { Case("rsm psr.dt") },
            Xen = new[] { Always(L("break {HYPERPRIVOP_RSM_DT}")) },
        });
        Add(new OpBuilder
        {
            Name = "ssm_psr_dt_and_srlz_i", Macro = "SSM_PSR_DT_AND_SRLZ_I", Summary = "switch data accesses back to virtual addressing, serialized",
            Native = new[] { Case("ssm psr.dt", ";;", "srlz.i") },
            Xen = new[] { Always(L("break {HYPERPRIVOP_SSM_DT}")) },
        });

        // Register banks: Xen keeps the other bank of r16–r31 in the shared area and the bank number in XSI_BANKNUM.
        var spills = new List<string> { ";;", "mov {clob2}=ar.unat", "addl {clob0}={XSI_BANK1_R16},r0", "addl {clob1}={XSI_BANK1_R16+8},r0", ";;" };
        for (int r = 16; r < 32; r += 2)
            // Linux's notes of which ar.unat bit each spill writes (the two slots are 8 bytes apart): without them GNU as
            // (and ours) cannot tell the two spills of a group write different bits, and warns of a WAW on ar.unat.
            spills.AddRange(new[] { $".mem.offset 0,0; st8.spill [{{clob0}}]=r{r},16", $".mem.offset 8,0; st8.spill [{{clob1}}]=r{r + 1},16", ";;" });
        spills.AddRange(new[] { "mov {clob1}=ar.unat", "addl {clob0}={XSI_B1NAT},r0", ";;", "st8 [{clob0}]={clob1}", "mov ar.unat={clob2}", "addl {clob0}={XSI_BANKNUM},r0", ";;", "st4 [{clob0}]=r0" });
        Add(new OpBuilder
        {
            Name = "bsw_0", Macro = "BSW_0", Summary = "switch to register bank 0",
            Operands = new[] { Clob("clob0", notBanked: true), Clob("clob1", notBanked: true), Clob("clob2", notBanked: true) },
            FixedOutputs = s_banked,
            Native = new[] { Case("bsw.0") },
            // "r16-r31 all now hold bank1 values": they are spilled to XSI_BANK1_R16 with their NaT bits in XSI_B1NAT.
            Xen = new[] { Always(spills.ToArray(), clobbers: L("{clob0}", "{clob1}", "{clob2}"), reserves: L("ar.unat")) },
            Link = new[] { "clob0" },
            Improvement = "addl for movl, four times.",
        });
        var fills = new List<string>
        {
            "mov {clob1}=ar.unat", "addl r30={XSI_B1NAT},r0", "addl r29={XSI_BANKNUM},r0", ";;",
            "ld8 r30=[r30]", "mov r28=1", "addl r31={XSI_BANK1_R16+8},r0", ";;",
            "mov ar.unat=r30", "st4 [r29]=r28", "addl r30={XSI_BANK1_R16},r0", ";;",
        };
        for (int r = 16; r < 30; r += 2)
            fills.AddRange(new[] { $"ld8.fill r{r}=[r30],16", $"ld8.fill r{r + 1}=[r31],16", ";;" });
        fills.AddRange(new[] { "ld8.fill r30=[r30]", "ld8.fill r31=[r31]", ";;", "mov ar.unat={clob1}" });
        var linuxFills = new List<string>
        {
            "mov {clob1}=ar.unat", "movl r30={XSI_B1NAT}", ";;", "ld8 r30=[r30]", "mov r31=1", ";;",
            "mov ar.unat=r30", "movl r30={XSI_BANKNUM}", ";;", "st4 [r30]=r31", "movl r30={XSI_BANK1_R16}", "movl r31={XSI_BANK1_R16+8}", ";;",
        };
        for (int r = 16; r < 30; r += 2)
            linuxFills.AddRange(new[] { $"ld8.fill r{r}=[r30],16", $"ld8.fill r{r + 1}=[r31],16", ";;" });
        linuxFills.AddRange(new[] { "ld8.fill r30=[r30]", "ld8.fill r31=[r31]", ";;", "mov ar.unat={clob1}" });
        Add(new OpBuilder
        {
            Name = "bsw_1", Macro = "BSW_1", Summary = "switch to register bank 1",
            Operands = new[] { Clob("clob0", notBanked: true), Clob("clob1", notBanked: true) },
            FixedOutputs = s_banked,
            Native = new[] { Case("bsw.1") },
            // XEN_BSW_1(clob1): clob0 is unused on Xen (AltA carries its return address in it). r16–r31 are reloaded
            // from XSI_BANK1_R16, so any of them serves as a pointer or temporary before its own fill.
            Xen = new[]
            {
                Always(fills.ToArray(), clobbers: L("{clob1}"), reserves: L("ar.unat"), linux: linuxFills.ToArray(),
                    note: "The bank number is stored beside the write of ar.unat, through r28/r29 (reloaded later like every register of r16–r31), so the fills start one group earlier; addl for Linux's four movl."),
            },
            Link = new[] { "clob0" },
            Improvement = "addl for movl, four times, and the XSI_BANKNUM store moved beside the write of ar.unat (through r28/r29, which the fills reload anyway): 11 stops instead of 12.",
        });
        Add(new OpBuilder
        {
            Name = "cover", Macro = "COVER", Summary = "allocate a new empty register frame for the interruption",
            Native = new[] { Case("cover") },
            Xen = new[] { Always(L("break {HYPERPRIVOP_COVER}")) },
        });
        Add(new OpBuilder
        {
            Name = "rfi", Macro = "RFI", Summary = "return from interruption",
            Native = new[] { Case("rfi") },
            // Linux follows the break with dv_serialize_data, an annotation for GNU's dependency checker with no encoding.
            Xen = new[] { Always(L("break {HYPERPRIVOP_RFI}")) },
        });
        return ops;
    }
}
