using System;
using System.Collections.Generic;

namespace IvtGen.Paravirt;

public sealed partial class ParavirtOp
{
    /// <summary>
    /// The raw instruction this operation replaces in handler code, as a GNU as template with the operation's
    /// placeholders (<c>({pred}) itc.d {reg}</c>), followed by the lines the operation also covers when they come right
    /// after it (<c>;;</c>, <c>srlz.i</c> for <c>ssm_psr_dt_and_srlz_i</c>). Empty when no single raw instruction maps to
    /// it (<c>itc_i_and_d</c>: its raw form is <c>itc.i</c> and <c>itc.d</c>, which <c>itc_i</c> and <c>itc_d</c> replace).
    /// The IDE analyzers read it to rewrite a raw privileged instruction into the operation (IVT022).
    /// </summary>
    public IReadOnlyList<string> Replaces => s_replaces.TryGetValue(Name, out var r) ? r : Array.Empty<string>();

    private static readonly Dictionary<string, string[]> s_replaces = new(StringComparer.Ordinal)
    {
        ["mov_from_ifa"] = new[] { "mov {reg}=cr.ifa" },
        ["mov_from_itir"] = new[] { "mov {reg}=cr.itir" },
        ["mov_from_isr"] = new[] { "mov {reg}=cr.isr" },
        ["mov_from_iha"] = new[] { "mov {reg}=cr.iha" },
        ["mov_from_iim"] = new[] { "mov {reg}=cr.iim" },
        ["mov_from_iip"] = new[] { "mov {reg}=cr.iip" },
        ["mov_from_ipsr"] = new[] { "({pred}) mov {reg}=cr.ipsr" },
        ["mov_from_ivr"] = new[] { "mov {reg}=cr.ivr" },
        ["mov_from_psr"] = new[] { "({pred}) mov {reg}=psr" },
        ["mov_from_itc"] = new[] { "({pred}) mov {reg}=ar.itc" },
        ["mov_to_ifa"] = new[] { "mov cr.ifa={reg}" },
        ["mov_to_itir"] = new[] { "({pred}) mov cr.itir={reg}" },
        ["mov_to_iha"] = new[] { "({pred}) mov cr.iha={reg}" },
        ["mov_to_ipsr"] = new[] { "({pred}) mov cr.ipsr={reg}" },
        ["mov_to_ifs"] = new[] { "({pred}) mov cr.ifs={reg}" },
        ["mov_to_iip"] = new[] { "mov cr.iip={reg}" },
        ["mov_to_kr"] = new[] { "mov {kr}={reg}" },
        ["itc_i"] = new[] { "({pred}) itc.i {reg}" },
        ["itc_d"] = new[] { "({pred}) itc.d {reg}" },
        ["thash"] = new[] { "({pred}) thash {reg0}={reg1}" },
        ["ssm_psr_ic_and_default_bits_and_srlz_i"] = new[] { "ssm psr.ic|psr.ac", ";;", "srlz.i" },
        ["ssm_psr_ic_and_srlz_d"] = new[] { "ssm psr.ic", ";;", "srlz.d" },
        ["rsm_psr_ic"] = new[] { "rsm psr.ic" },
        ["ssm_psr_i"] = new[] { "({pred}) ssm psr.i" },
        ["rsm_psr_i"] = new[] { "({pred}) rsm psr.i" },
        ["rsm_psr_i_ic"] = new[] { "rsm psr.i|psr.ic" },
        ["rsm_psr_be_i"] = new[] { "rsm psr.be|psr.i" },
        ["rsm_psr_dt"] = new[] { "rsm psr.dt" },
        ["ssm_psr_dt_and_srlz_i"] = new[] { "ssm psr.dt", ";;", "srlz.i" },
        ["bsw_0"] = new[] { "bsw.0" },
        ["bsw_1"] = new[] { "bsw.1" },
        ["cover"] = new[] { "cover" },
        ["rfi"] = new[] { "rfi" },
    };
}
