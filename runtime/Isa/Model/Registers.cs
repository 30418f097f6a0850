using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>Names of the application and control registers and the indirect register files (SDM vol. 1 §3.1.8, vol. 2 §3.3).</summary>
public static class Registers
{
    private static readonly string?[] s_ar = new string?[128];
    private static readonly string?[] s_cr = new string?[128];
    private static readonly Dictionary<string, int> s_arByName = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, int> s_crByName = new(StringComparer.Ordinal);

    /// <summary>The indirect register files, as written before <c>[rN]</c>.</summary>
    public static readonly string[] IndirectFiles = { "rr", "pkr", "dbr", "ibr", "pmc", "pmd", "cpuid", "itr", "dtr", "msr", "dahr" };

    static Registers()
    {
        for (int k = 0; k < 8; k++) Ar(k, "k" + k);
        Ar(16, "rsc"); Ar(17, "bsp"); Ar(18, "bspstore"); Ar(19, "rnat");
        Ar(21, "fcr"); Ar(24, "eflag"); Ar(25, "csd"); Ar(26, "ssd"); Ar(27, "cflg");
        Ar(28, "fsr"); Ar(29, "fir"); Ar(30, "fdr"); Ar(32, "ccv"); Ar(36, "unat");
        Ar(40, "fpsr"); Ar(44, "itc"); Ar(45, "ruc");
        Ar(64, "pfs"); Ar(65, "lc"); Ar(66, "ec");

        Cr(0, "dcr"); Cr(1, "itm"); Cr(2, "iva"); Cr(8, "pta");
        Cr(16, "ipsr"); Cr(17, "isr"); Cr(19, "iip"); Cr(20, "ifa"); Cr(21, "itir");
        Cr(22, "iipa"); Cr(23, "ifs"); Cr(24, "iim"); Cr(25, "iha"); Cr(26, "iib0"); Cr(27, "iib1");
        Cr(64, "lid"); Cr(65, "ivr"); Cr(66, "tpr"); Cr(67, "eoi");
        Cr(68, "irr0"); Cr(69, "irr1"); Cr(70, "irr2"); Cr(71, "irr3");
        Cr(72, "itv"); Cr(73, "pmv"); Cr(74, "cmcv"); Cr(80, "lrr0"); Cr(81, "lrr1");
    }

    // PSR fields by bit position (SDM vol. 2 table 3-2); GNU as accepts psr.NAME as the field's mask in rsm/ssm/sum/rum.
    private static readonly Dictionary<string, long> s_psr = new(StringComparer.Ordinal)
    {
        ["psr.be"] = 1L << 1, ["psr.up"] = 1L << 2, ["psr.ac"] = 1L << 3, ["psr.mfl"] = 1L << 4, ["psr.mfh"] = 1L << 5,
        ["psr.ic"] = 1L << 13, ["psr.i"] = 1L << 14, ["psr.pk"] = 1L << 15, ["psr.dt"] = 1L << 17, ["psr.dfl"] = 1L << 18,
        ["psr.dfh"] = 1L << 19, ["psr.sp"] = 1L << 20, ["psr.pp"] = 1L << 21, ["psr.di"] = 1L << 22, ["psr.si"] = 1L << 23,
        ["psr.db"] = 1L << 24, ["psr.lp"] = 1L << 25, ["psr.tb"] = 1L << 26, ["psr.rt"] = 1L << 27, ["psr.cpl"] = 3L << 32,
        ["psr.is"] = 1L << 34, ["psr.mc"] = 1L << 35, ["psr.it"] = 1L << 36, ["psr.id"] = 1L << 37, ["psr.da"] = 1L << 38,
        ["psr.dd"] = 1L << 39, ["psr.ss"] = 1L << 40, ["psr.ri"] = 3L << 41, ["psr.ed"] = 1L << 43, ["psr.bn"] = 1L << 44,
        ["psr.ia"] = 1L << 45, ["psr.vm"] = 1L << 46,
    };

    /// <summary>The PSR fields GNU as names (<c>psr.dt</c>) and their masks, in no particular order.</summary>
    public static IEnumerable<KeyValuePair<string, long>> PsrFields => s_psr;

    /// <summary>The mask of a PSR field named <c>psr.NAME</c> (psr.dt → 1&lt;&lt;17), as GNU as defines them.</summary>
    public static bool TryPsrField(string name, out long mask) => s_psr.TryGetValue(name, out mask);

    private static void Ar(int n, string name) { s_ar[n] = name; s_arByName.Add(name, n); }
    private static void Cr(int n, string name) { s_cr[n] = name; s_crByName.Add(name, n); }

    /// <summary>ar.pfs for 64, ar48 for an unnamed one (as objdump prints them).</summary>
    public static string ArName(int n) => s_ar[n] is { } s ? "ar." + s : "ar" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string CrName(int n) => s_cr[n] is { } s ? "cr." + s : "cr" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Looks up the name after "ar." (pfs) or a number.</summary>
    public static bool TryArByName(string name, out int n) => s_arByName.TryGetValue(name, out n);

    public static bool TryCrByName(string name, out int n) => s_crByName.TryGetValue(name, out n);

    // GNU as (gas/config/tc-ia64.c: ar_is_only_in_integer_unit = ar64–111, ar_is_only_in_memory_unit = ar0–47)
    // rejects only the ARs that live in the other unit; the ignored/reserved ar48–63 and ar112–127 are accepted by
    // both mov.m and mov.i. Checked against GNU as 2.40: mov.m takes ar0–63 and ar112–127, mov.i takes ar48–127.

    /// <summary>Whether the M unit can reach application register <paramref name="n"/> (all but the I-unit ar64–111).</summary>
    public static bool ArOnM(int n) => n < 64 || n >= 112;

    /// <summary>Whether the I unit can reach application register <paramref name="n"/> (all but the M-unit ar0–47).</summary>
    public static bool ArOnI(int n) => n >= 48;
}
