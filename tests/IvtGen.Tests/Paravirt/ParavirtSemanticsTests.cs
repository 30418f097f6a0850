using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Isa;
using IvtGen.Paravirt;
using Xunit;

namespace IvtGen.Tests.Paravirt;

/// <summary>
/// Every lowering of every operation, for operand tuples that hit each of Linux's cases, assembled with our
/// assembler, decoded and run symbolically (<see cref="PvMachine"/>): what the bytes do is compared with the facts
/// in <see cref="XenAbi"/> (hyperprivop numbers, shared-area addresses) and with the registers the catalogue
/// declares — never with text typed here.
/// </summary>
public sealed class ParavirtSemanticsTests
{
    private static readonly string[] s_xen = { ParavirtVariants.XenAltB, ParavirtVariants.XenAltA };

    private static string X(string field, long delta = 0) => PvValue.Hex(unchecked((long)XenAbi.XsiAddress(field) + delta));
    private static string Hp(string name) => PvValue.Hex(XenAbi.Hyperprivop(name));
    private static string Init(string reg) => PvMachine.Initial(reg).ToString();

    private static void Check(List<string> failures, bool ok, string what)
    {
        if (!ok) failures.Add(what);
    }

    private static void AssertNone(List<string> failures)
    {
        Assert.True(failures.Count == 0, $"{failures.Count} problem(s):\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void Every_Xen_lowering_does_what_the_reference_says_from_its_bytes()
    {
        var failures = new List<string>();
        int runs = 0;
        foreach (var (op, operands) in PvSupport.AllSamples())
            foreach (var variant in s_xen)
            {
                var l = op.Lower(variant, operands);
                string where = $"{op.DslName}({string.Join(", ", operands)}) {variant}";
                PvMachine m;
                try
                {
                    m = PvSupport.Run(PvSupport.Assemble(PvSupport.Source(l)));
                }
                catch (Exception e)
                {
                    failures.Add($"{where}: {e.Message}");
                    continue;
                }
                runs++;
                var ops = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i < operands.Length; i++) ops[op.Operands[i].Name] = operands[i];
                CheckEffects(op, ops, m, failures, where);
            }
        Assert.True(runs > 300, $"only {runs} runs");
        AssertNone(failures);
    }

    /// <summary>The reference's facts, per operation: what is loaded and stored where, which hyperprivop with which r8/r9.</summary>
    private static void CheckEffects(ParavirtOp op, Dictionary<string, string> o, PvMachine m, List<string> f, string where)
    {
        var ev = m.Events.Select(e => e.ToString()).ToList();
        string events = string.Join(" | ", ev);
        void Events(params string[] expected) =>
            Check(f, ev.SequenceEqual(expected), $"{where}: events [{events}], expected [{string.Join(" | ", expected)}]");
        void Break(int index, string hp, string? r8 = null, string? r9 = null)
        {
            string prefix = $"break {Hp(hp)} r8={r8 ?? ""}";
            bool ok = index < ev.Count && (r8 is null ? ev[index].StartsWith($"break {Hp(hp)} ", StringComparison.Ordinal) : ev[index].StartsWith(prefix + " ", StringComparison.Ordinal))
                && (r9 is null || ev[index].EndsWith(" r9=" + r9, StringComparison.Ordinal));
            Check(f, ok, $"{where}: event {index} should be hyperprivop {hp} ({Hp(hp)}){(r8 is null ? "" : " with r8=" + r8)}{(r9 is null ? "" : " r9=" + r9)}: [{events}]");
        }
        void Final(string reg, string expected) =>
            Check(f, m.Get(reg).ToString() == expected, $"{where}: {reg} ends as {m.Get(reg)}, expected {expected}");
        void R8Restored(params string[] unless)
        {
            if (!unless.Contains("r8")) Final("r8", Init("r8"));
        }

        string name = op.Name;
        string? cr = name.StartsWith("mov_from_", StringComparison.Ordinal) ? name.Substring(9) : name.StartsWith("mov_to_", StringComparison.Ordinal) ? name.Substring(7) : null;
        switch (name)
        {
            case "mov_from_ifa" or "mov_from_itir" or "mov_from_isr" or "mov_from_iha" or "mov_from_iim" or "mov_from_iip" or "mov_from_ipsr":
                Events($"ld8 [{X("XSI_" + cr!.ToUpperInvariant())}]");
                Final(o["reg"], $"mem8[{X("XSI_" + cr.ToUpperInvariant())}]");
                break;
            case "mov_from_ivr" or "mov_from_psr":
            {
                string hp = name == "mov_from_ivr" ? "GET_IVR" : "GET_PSR";
                Check(f, ev.Count == 1, $"{where}: one hyperprivop expected: [{events}]");
                Break(0, hp);
                Check(f, m.Get(o["reg"]).ToString().StartsWith("hyper" + Hp(hp) + "(", StringComparison.Ordinal), $"{where}: {o["reg"]} = {m.Get(o["reg"])}, not {hp}'s result");
                R8Restored(o["reg"], o["clob"]);
                break;
            }
            case "mov_from_itc":
            {
                Check(f, ev.Count == 3 && ev[0] == $"ld8 [{X("XSI_ITC_OFFSET")}]" && ev[1] == $"ld8 [{X("XSI_ITC_LAST")}]"
                         && ev[2] == $"st8 [{X("XSI_ITC_LAST")}] {m.Get(o["reg"])}", $"{where}: [{events}]");
                string v = m.Get(o["reg"]).ToString();
                Check(f, v.Contains("ar.itc@0") && v.Contains($"mem8[{X("XSI_ITC_OFFSET")}]") && v.Contains($"mem8[{X("XSI_ITC_LAST")}]"),
                    $"{where}: the result {v} is not ar.itc + itc_offset bounded by itc_last");
                break;
            }
            case "mov_to_ifa" or "mov_to_itir" or "mov_to_iha" or "mov_to_ipsr" or "mov_to_ifs" or "mov_to_iip":
                Events($"st8 [{X("XSI_" + cr!.ToUpperInvariant())}] {Init(o["reg"])}");
                break;
            case "mov_to_kr":
            {
                int k = int.Parse(o["kr"].Substring(4), CultureInfo.InvariantCulture);
                Check(f, ev.Count == 1, $"{where}: one hyperprivop expected: [{events}]");
                Break(0, "SET_KR", PvValue.Hex(k), Init(o["reg"]));
                if (!new[] { o["clob0"], o["clob1"] }.Contains("r8")) Final("r8", Init("r8"));
                if (!new[] { o["clob0"], o["clob1"] }.Contains("r9")) Final("r9", Init("r9"));
                break;
            }
            case "itc_i" or "itc_d":
                Check(f, ev.Count == 1, $"{where}: one hyperprivop expected: [{events}]");
                Break(0, name == "itc_i" ? "ITC_I" : "ITC_D", Init(o["reg"]));
                R8Restored(o["reg"], o["clob"]);
                break;
            case "itc_i_and_d":
                Check(f, ev.Count == 2, $"{where}: two hyperprivops expected: [{events}]");
                Break(0, "ITC_I", Init(o["reg"]));
                Break(1, "ITC_D", Init(o["reg"]));
                R8Restored(o["reg"], o["clob"]);
                break;
            case "thash":
                Check(f, ev.Count == 1, $"{where}: one hyperprivop expected: [{events}]");
                Break(0, "THASH", Init(o["reg1"]));
                Check(f, m.Get(o["reg0"]).ToString() == $"hyper{Hp("THASH")}({Init(o["reg1"])})", $"{where}: {o["reg0"]} = {m.Get(o["reg0"])}");
                R8Restored(o["reg0"], o["reg1"], o["clob"]);
                break;
            case "ssm_psr_ic_and_default_bits_and_srlz_i":
                Events("sum 0x8", $"st4 [{X("XSI_PSR_IC")}] 0x1");
                Check(f, Registers.TryPsrField("psr.ac", out long ac) && PvValue.Hex(ac) == "0x8", "psr.ac is not 0x8");
                break;
            case "ssm_psr_ic_and_srlz_d":
                Events($"st4 [{X("XSI_PSR_IC")}] 0x1");
                break;
            case "rsm_psr_ic":
                Events($"st4 [{X("XSI_PSR_IC")}] 0x0");
                break;
            case "ssm_psr_i":
            {
                string mask = $"mem8[{X("XSI_PSR_I_ADDR")}]";
                string pend = mask + XenAbi.MaskToPendOffset.ToString(CultureInfo.InvariantCulture);
                Check(f, ev.Count == 4 && ev[0] == $"ld8 [{X("XSI_PSR_I_ADDR")}]" && ev[1] == $"st1 [{mask}] 0x0" && ev[2] == $"ld1 [{pend}]"
                         && ev[3].StartsWith($"(not(cmp.eq.unc(mem1[{pend}],0x0))) break {Hp("SSM_I")} ", StringComparison.Ordinal),
                    $"{where}: expected unmask, read pending, SSM_I only if pending: [{events}]");
                break;
            }
            case "rsm_psr_i" or "rsm_psr_i_ic" or "rsm_psr_be_i":
            {
                var expected = new List<string> { $"ld8 [{X("XSI_PSR_I_ADDR")}]", $"st1 [mem8[{X("XSI_PSR_I_ADDR")}]] 0x1" };
                if (name == "rsm_psr_i_ic") expected.Add($"st4 [{X("XSI_PSR_IC")}] 0x0");
                if (name == "rsm_psr_be_i") expected.Add("rum 0x2");
                Events(expected.ToArray());
                break;
            }
            case "rsm_psr_dt" or "ssm_psr_dt_and_srlz_i" or "cover" or "rfi":
            {
                string hp = name switch { "rsm_psr_dt" => "RSM_DT", "ssm_psr_dt_and_srlz_i" => "SSM_DT", "cover" => "COVER", _ => "RFI" };
                Check(f, ev.Count == 1, $"{where}: one hyperprivop expected: [{events}]");
                Break(0, hp, Init("r8"));
                break;
            }
            case "bsw_0":
            {
                var expected = Enumerable.Range(0, 16).Select(i => $"st8 [{X("XSI_BANK1_R16", 8 * i)}] {Init("r" + (16 + i))}").ToList();
                Check(f, ev.Count == 18 && ev.Take(16).SequenceEqual(expected) && ev[16].StartsWith($"st8 [{X("XSI_B1NAT")}] unat(", StringComparison.Ordinal)
                         && ev[17] == $"st4 [{X("XSI_BANKNUM")}] 0x0",
                    $"{where}: expected the 16 spills, the NaT bits and banknum = 0: [{events}]");
                Final("ar.unat", Init("ar.unat"));
                break;
            }
            case "bsw_1":
            {
                var expected = new List<string> { $"ld8 [{X("XSI_B1NAT")}]", $"st4 [{X("XSI_BANKNUM")}] 0x1" };
                expected.AddRange(Enumerable.Range(0, 16).Select(i => $"ld8 [{X("XSI_BANK1_R16", 8 * i)}]"));
                Events(expected.ToArray());
                for (int i = 0; i < 16; i++) Final("r" + (16 + i), $"fill(mem8[{X("XSI_BANK1_R16", 8 * i)}],mem8[{X("XSI_B1NAT")}])");
                Final("ar.unat", Init("ar.unat"));
                break;
            }
            default:
                f.Add($"{where}: no expectation written for {name}");
                break;
        }
    }

    [Fact]
    public void Lowerings_change_only_what_they_declare_and_restore_what_they_reserve()
    {
        var failures = new List<string>();
        foreach (var (op, operands) in PvSupport.AllSamples())
            foreach (var variant in s_xen)
            {
                var l = op.Lower(variant, operands);
                string where = $"{op.DslName}({string.Join(", ", operands)}) {variant}";
                var m = PvSupport.Run(PvSupport.Assemble(PvSupport.Source(l)));
                var allowed = new HashSet<string>(l.Outputs.Concat(l.Clobbers), StringComparer.Ordinal);
                foreach (var r in m.Changed())
                    Check(failures, allowed.Contains(r), $"{where}: changes {r} = {m.Get(r)}, which it does not declare (clobbers: {string.Join(",", l.Clobbers)})");
                foreach (var r in l.Reserves)
                    Check(failures, m.Get(r).Equals(PvMachine.Initial(r)), $"{where}: reserved {r} is not restored ({m.Get(r)})");
                foreach (var r in l.Clobbers)
                    Check(failures, m.Written.Contains(r), $"{where}: declares {r} clobbered but never writes it");
            }
        AssertNone(failures);
    }

    [Fact]
    public void AltA_sites_are_one_bundle_and_stubs_return_to_the_bundle_after_them()
    {
        var failures = new List<string>();
        int stubs = 0;
        foreach (var (op, operands) in PvSupport.AllSamples())
        {
            var l = op.Lower(ParavirtVariants.XenAltA, operands);
            string where = $"{op.DslName}({string.Join(", ", operands)})";
            if (l.StubName is null)
            {
                var b = op.Lower(ParavirtVariants.XenAltB, operands);
                Check(failures, ParavirtOp.CountInstructions(b.Inline) == 1 && b.Inline.SequenceEqual(l.Inline),
                    $"{where}: AltA inlines only a one-instruction Xen sequence");
                continue;
            }
            stubs++;
            var r = PvSupport.Assemble(PvSupport.Source(l));
            Check(failures, r.Labels[PvSupport.After] == Bundle.Size, $"{where}: the site takes {r.Labels[PvSupport.After]} bytes, not one bundle");
            var m = PvSupport.Run(r);
            Check(failures, m.Get(AltA.ReturnBr).Equals(PvValue.Const(r.Labels[PvSupport.After])), $"{where}: b7 = {m.Get(AltA.ReturnBr)}");
            Check(failures, l.Clobbers.Contains(AltA.ReturnBr), $"{where}: b7 not declared");
            // No call or return: neither touches ar.pfs nor the register frame with psr.ic off.
            foreach (var t in m.Trace)
                Check(failures, !t.Contains("br.call") && !t.Contains("br.ret") && !t.Contains("alloc"), $"{where}: {t}");
            Check(failures, l.StubName == op.Lower(ParavirtVariants.XenAltA, operands).StubName, $"{where}: stub name not deterministic");
        }
        Assert.True(stubs > 200, $"only {stubs} stubs");
        AssertNone(failures);
    }

    [Fact]
    public void Xen_lowerings_hold_no_privileged_or_sensitive_instruction_but_the_declared_itc_read()
    {
        var failures = new List<string>();
        var retainedOps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (op, operands) in PvSupport.AllSamples())
            foreach (var variant in s_xen)
            {
                var l = op.Lower(variant, operands);
                string where = $"{op.DslName}({string.Join(", ", operands)}) {variant}";
                var r = PvSupport.Assemble(PvSupport.Source(l));
                var sensitive = PvSupport.Instructions(r.Code)
                    .Where(x => x.Ins.Form.Has(InsnFlags.Privileged) || x.Ins.Form.Has(InsnFlags.Sensitive))
                    .Select(x => ParavirtOp.StripQp(Formatter.Format(x.Ins, x.Address))).ToList();
                var declared = l.Retained.Select(ParavirtOp.StripQp).Select(s => s.Replace("mov ", "mov.m ")).ToList();
                Check(failures, sensitive.Count == l.Retained.Length && sensitive.All(s => declared.Contains(s) || l.Retained.Select(ParavirtOp.StripQp).Contains(s)),
                    $"{where}: privileged/sensitive [{string.Join("; ", sensitive)}], declared [{string.Join("; ", l.Retained)}]");
                if (l.Retained.Length > 0) retainedOps.Add(op.Name);
            }
        Assert.Equal(new[] { "mov_from_itc" }, retainedOps.ToArray());
        AssertNone(failures);
    }

    [Fact]
    public void Native_lowerings_are_the_privileged_instructions_themselves()
    {
        // The native column of the reference's macro table (§2.2): one instruction, two for the srlz forms and ITC_I_AND_D.
        var two = new HashSet<string>(StringComparer.Ordinal) { "itc_i_and_d", "ssm_psr_ic_and_default_bits_and_srlz_i", "ssm_psr_ic_and_srlz_d", "ssm_psr_dt_and_srlz_i" };
        var failures = new List<string>();
        foreach (var (op, operands) in PvSupport.AllSamples())
        {
            var l = op.Lower(ParavirtVariants.Native, operands);
            string where = $"{op.DslName}({string.Join(", ", operands)})";
            var ins = PvSupport.Instructions(PvSupport.Assemble(PvSupport.Source(l)).Code, 0, Bundle.Size * 2)
                .Where(x => !x.Ins.Form.Mnemonic.StartsWith("nop", StringComparison.Ordinal)).ToList();
            Check(failures, ins.Count == (two.Contains(op.Name) ? 2 : 1), $"{where}: {ins.Count} instructions");
            Check(failures, ins.Any(x => x.Ins.Form.Has(InsnFlags.Privileged) || x.Ins.Form.Has(InsnFlags.Sensitive)), $"{where}: nothing privileged or sensitive");
            Check(failures, l.Clobbers.Length == 0 && l.Reserves.Length == 0 && l.StubName is null, $"{where}: native touches nothing else");
        }
        AssertNone(failures);
    }

    /// <summary>
    /// Linux's expansion, as the catalogue records it, does the same as ours: the same loads, stores and hyperprivops
    /// in the same order with the same r8/r9, and the same final registers outside the declared clobbers. The one
    /// intended difference is SSM_PSR_IC_AND_DEFAULT_BITS_AND_SRLZ_I's sum psr.ac.
    /// </summary>
    [Fact]
    public void Ours_does_what_Linuxs_expansion_does()
    {
        var failures = new List<string>();
        foreach (var (op, operands) in PvSupport.AllSamples())
        {
            var l = op.Lower(ParavirtVariants.XenAltB, operands);
            string where = $"{op.DslName}({string.Join(", ", operands)})";
            var ours = PvSupport.Run(PvSupport.Assemble(PvSupport.Source(l)));
            var linux = PvSupport.Run(PvSupport.Assemble(PvSupport.Source(l, op.LowerLinux(operands))));
            var a = ours.Events.Where(e => e.Kind != "sum").Select(e => e.ToString()).ToList();
            var b = linux.Events.Select(e => e.ToString()).ToList();
            Check(failures, a.SequenceEqual(b), $"{where}: ours [{string.Join(" | ", a)}] Linux [{string.Join(" | ", b)}]");
            var clobbered = new HashSet<string>(l.Clobbers, StringComparer.Ordinal);
            foreach (var r in ours.Changed().Concat(linux.Changed()).Distinct())
                if (!clobbered.Contains(r))
                    Check(failures, ours.Get(r).Equals(linux.Get(r)), $"{where}: {r} ends as {ours.Get(r)}, Linux's as {linux.Get(r)}");
            bool sum = ours.Events.Any(e => e.Kind == "sum");
            Check(failures, sum == (op.Name == "ssm_psr_ic_and_default_bits_and_srlz_i"), $"{where}: sum only where Linux forgets psr.ac");
        }
        AssertNone(failures);
    }

    /// <summary>
    /// The catalogue's record of Linux's expansions has the sizes the reference's macro table (§2.2) gives per case:
    /// instructions, and stops where it states them.
    /// </summary>
    [Theory]
    [InlineData("mov_from_ifa", "r16", 2, 1)]
    [InlineData("mov_from_ipsr", "p0,r21", 2, 1)]
    [InlineData("mov_from_ivr", "r8,r16", 1, 0)]
    [InlineData("mov_from_ivr", "r16,r8", 2, 1)]
    [InlineData("mov_from_ivr", "r16,r17", 4, 3)]
    [InlineData("mov_from_psr", "p0,r8,r16", 1, -1)]
    [InlineData("mov_from_psr", "p0,r16,r8", 2, -1)]
    [InlineData("mov_from_psr", "p0,r16,r17", 4, 1)]
    [InlineData("mov_from_itc", "p0,p14,r30,r18", 10, 8)]
    [InlineData("mov_to_ifa", "r22,r24", 2, 1)]
    [InlineData("mov_to_ipsr", "p6,r21,r24", 2, 2)]
    [InlineData("mov_to_ifs", "p6,r21,r24", 2, 2)]
    [InlineData("mov_to_kr", "ar.k6,r20,r21,r22", 7, 1)]
    [InlineData("itc_i", "p0,r8,r19", 1, -1)]
    [InlineData("itc_i", "p0,r18,r8", 2, -1)]
    [InlineData("itc_i", "p0,r18,r19", 4, 3)]
    [InlineData("itc_d", "p0,r18,r19", 4, 3)]
    [InlineData("itc_i_and_d", "p10,p11,r8,r24", 2, -1)]
    [InlineData("itc_i_and_d", "p10,p11,r18,r8", 3, -1)]
    [InlineData("itc_i_and_d", "p10,p11,r18,r24", 5, -1)]
    [InlineData("thash", "p0,r8,r16,r18", 2, -1)]
    [InlineData("thash", "p0,r17,r8,r18", 2, -1)]
    [InlineData("thash", "p0,r17,r16,r8", 3, -1)]
    [InlineData("thash", "p0,r17,r16,r18", 5, -1)]
    [InlineData("ssm_psr_ic_and_default_bits_and_srlz_i", "r3,r16", 3, 2)]
    [InlineData("ssm_psr_ic_and_srlz_d", "r3,r16", 4, 2)]
    [InlineData("rsm_psr_ic", "r3", 2, 2)]
    [InlineData("ssm_psr_i", "p15,p15,r16", 6, 5)]
    [InlineData("rsm_psr_i", "p0,r3,r16", 4, 2)]
    [InlineData("rsm_psr_i_ic", "r2,r3,r14", 6, 3)]
    [InlineData("rsm_psr_be_i", "r2,r3", 5, -1)]
    [InlineData("rsm_psr_dt", "", 1, 0)]
    [InlineData("ssm_psr_dt_and_srlz_i", "", 1, 0)]
    [InlineData("bsw_0", "r2,r3,r14", 25, 12)]
    [InlineData("bsw_1", "r2,r14", 26, 12)]
    [InlineData("cover", "", 1, -1)]
    [InlineData("rfi", "", 1, -1)]
    public void Linuxs_expansions_as_recorded_have_the_reference_sizes(string name, string operands, int instructions, int stops)
    {
        var op = ParavirtCatalog.Get(name);
        var lines = op.LowerLinux(operands.Length == 0 ? Array.Empty<string>() : operands.Split(','));
        Assert.Equal(instructions, ParavirtOp.CountInstructions(lines));
        if (stops >= 0) Assert.Equal(stops, lines.Count(x => x == ";;"));
    }
}
