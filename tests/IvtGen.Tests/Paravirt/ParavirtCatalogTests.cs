using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Paravirt;
using Xunit;

namespace IvtGen.Tests.Paravirt;

/// <summary>The catalogue as data: which operations it has, how they are looked up, which operands they accept.</summary>
public sealed class ParavirtCatalogTests
{
    /// <summary>The operations the IVT needs (issue: "at least"), by Linux macro.</summary>
    [Theory]
    [InlineData("MOV_FROM_IFA", "reg")]
    [InlineData("MOV_FROM_ITIR", "reg")]
    [InlineData("MOV_FROM_ISR", "reg")]
    [InlineData("MOV_FROM_IHA", "reg")]
    [InlineData("MOV_FROM_IIM", "reg")]
    [InlineData("MOV_FROM_IIP", "reg")]
    [InlineData("MOV_FROM_IPSR", "pred,reg")]
    [InlineData("MOV_FROM_IVR", "reg,clob")]
    [InlineData("MOV_FROM_PSR", "pred,reg,clob")]
    [InlineData("MOV_FROM_ITC", "pred,pred_clob,reg,clob")]
    [InlineData("MOV_TO_IFA", "reg,clob")]
    [InlineData("MOV_TO_ITIR", "pred,reg,clob")]
    [InlineData("MOV_TO_IHA", "pred,reg,clob")]
    [InlineData("MOV_TO_IPSR", "pred,reg,clob")]
    [InlineData("MOV_TO_IFS", "pred,reg,clob")]
    [InlineData("MOV_TO_IIP", "reg,clob")]
    [InlineData("MOV_TO_KR", "kr,reg,clob0,clob1")]
    [InlineData("ITC_I", "pred,reg,clob")]
    [InlineData("ITC_D", "pred,reg,clob")]
    [InlineData("ITC_I_AND_D", "pred_i,pred_d,reg,clob")]
    [InlineData("THASH", "pred,reg0,reg1,clob")]
    [InlineData("SSM_PSR_IC_AND_DEFAULT_BITS_AND_SRLZ_I", "clob0,clob1")]
    [InlineData("SSM_PSR_IC_AND_SRLZ_D", "clob0,clob1")]
    [InlineData("RSM_PSR_IC", "clob")]
    [InlineData("SSM_PSR_I", "pred,pred_clob,clob")]
    [InlineData("RSM_PSR_I", "pred,clob0,clob1")]
    [InlineData("RSM_PSR_I_IC", "clob0,clob1,clob2")]
    [InlineData("RSM_PSR_DT", "")]
    [InlineData("SSM_PSR_DT_AND_SRLZ_I", "")]
    [InlineData("BSW_0", "clob0,clob1,clob2")]
    [InlineData("BSW_1", "clob0,clob1")]
    [InlineData("COVER", "")]
    [InlineData("RFI", "")]
    public void Has_the_operation_with_Linuxs_operands(string macro, string operands)
    {
        Assert.True(ParavirtCatalog.TryGet(macro, out var op), macro);
        Assert.Equal(operands, string.Join(",", op.Operands.Select(o => o.Name)));
        Assert.Same(op, ParavirtCatalog.Get(op.Name));
        Assert.Same(op, ParavirtCatalog.Get("pv_" + op.Name));
        Assert.Equal("pv_" + op.Name, op.DslName);
        Assert.Equal(macro.ToLowerInvariant(), op.Name);
    }

    [Fact]
    public void Names_are_unique_and_variants_are_exactly_the_three()
    {
        Assert.Equal(ParavirtCatalog.All.Count, ParavirtCatalog.All.Select(o => o.Name).Distinct().Count());
        Assert.Equal(new[] { "native", "xen-alta", "xen-altb" }, ParavirtVariants.All);
        Assert.False(ParavirtCatalog.TryGet("mov_from_cr8", out _));
        Assert.Throws<ArgumentException>(() => ParavirtCatalog.Get("nope"));
        Assert.False(ParavirtCatalog.Get("rfi").TryLower("xen", Array.Empty<string>(), out _, out var error));
        Assert.Contains("unknown variant", error);
    }

    [Fact]
    public void Every_case_renders_for_every_sample_and_ends_with_an_unconditional_case()
    {
        foreach (var op in ParavirtCatalog.All)
        {
            Assert.Null(op.Native[op.Native.Count - 1].When);
            Assert.Null(op.Xen[op.Xen.Count - 1].When);
            foreach (var t in PvSupport.Samples(op))
                foreach (var v in ParavirtVariants.All)
                {
                    var l = op.Lower(v, t);
                    Assert.All(l.AllLines(), line => Assert.DoesNotContain("{", line.Replace("{ .mib", "")));
                    Assert.All(l.AllLines(), line => Assert.False(line.StartsWith("(p0)", StringComparison.Ordinal), line));
                }
        }
    }

    [Theory]
    [InlineData("mov_from_ifa", "r0", "cannot be r0")]
    [InlineData("mov_from_ifa", "f16", "general register")]
    [InlineData("mov_from_ifa", "r128", "general register")]
    [InlineData("mov_from_ifa", "r16,r17", "takes 1 operand")]
    [InlineData("mov_from_ivr", "r16,r16", "must differ")]
    [InlineData("itc_i", "p6,r18,r18", "must differ")]
    [InlineData("thash", "p0,r17,r16,r16", "must differ")]
    [InlineData("ssm_psr_i", "p15,p0,r16", "cannot be p0")]
    [InlineData("ssm_psr_i", "p64,p15,r16", "predicate register")]
    [InlineData("mov_to_kr", "ar.k8,r16,r17,r18", "kernel register")]
    [InlineData("mov_to_kr", "ar.itc,r16,r17,r18", "kernel register")]
    [InlineData("bsw_1", "r2,r20", "banked registers")]
    [InlineData("bsw_0", "r16,r2,r3", "banked registers")]
    [InlineData("mov_to_ifa", "r16,r0", "cannot be r0")]
    public void Rejects_operands_that_break_a_rule(string name, string operands, string message)
    {
        var op = ParavirtCatalog.Get(name);
        foreach (var v in ParavirtVariants.All)
        {
            Assert.False(op.TryLower(v, operands.Split(','), out _, out var error));
            Assert.Contains(message, error);
            var e = Assert.Throws<ArgumentException>(() => op.Lower(v, operands.Split(',')));
            Assert.Contains(message, e.Message);
        }
    }

    [Theory]
    [InlineData("mov_to_kr", "ar5,r16,r17,r18")]
    [InlineData("mov_to_kr", "AR.K5,r16,r17,r18")]
    [InlineData("mov_to_ifa", "r0,r24")]
    [InlineData("thash", "p8,r17,r17,r23")]
    public void Accepts_spellings_the_DSL_and_Linux_use(string name, string operands)
    {
        var op = ParavirtCatalog.Get(name);
        foreach (var v in ParavirtVariants.All) Assert.True(op.TryLower(v, operands.Split(','), out _, out var error), error);
    }

    [Fact]
    public void MOV_TO_KR_swaps_its_clobbers_as_Linux_does()
    {
        var op = ParavirtCatalog.Get("mov_to_kr");
        // __MOV_TO_KR: clob0 = r9 or clob1 = r8 swaps them, so r8 saves itself and r9 carries the value.
        var l = op.Lower(ParavirtVariants.XenAltB, new[] { "ar.k6", "r20", "r9", "r8" });
        Assert.Equal(new[] { "mov r9=r20", "mov r8=6", ";;", "break 0x12" }, l.Inline);
        Assert.Equal(new[] { "r8", "r9" }, l.Clobbers.OrderBy(x => x).ToArray());
        Assert.Empty(l.Reserves);
    }

    [Fact]
    public void Stub_names_are_one_per_operation_and_operands_without_the_guard()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (op, operands) in PvSupport.AllSamples())
        {
            var l = op.Lower(ParavirtVariants.XenAltA, operands);
            if (l.StubName is null) continue;
            Assert.StartsWith("__pv_" + op.Name + "_", l.StubName);
            var key = op.Name + "(" + string.Join(",", operands.Where((_, i) => op.Operands[i].Name != op.AltAGuard)) + ")";
            string body = string.Join("\n", l.StubBody);
            if (names.TryGetValue(l.StubName, out var other)) Assert.Equal(other, body);
            else names[l.StubName] = body;
        }
        Assert.Equal("__pv_mov_from_ifa_r16", ParavirtCatalog.Get("mov_from_ifa").Lower(ParavirtVariants.XenAltA, new[] { "r16" }).StubName);
        var a = ParavirtCatalog.Get("itc_d").Lower(ParavirtVariants.XenAltA, new[] { "p6", "r25", "r18" });
        var b = ParavirtCatalog.Get("itc_d").Lower(ParavirtVariants.XenAltA, new[] { "p7", "r25", "r18" });
        Assert.Equal("__pv_itc_d_r25_r18", a.StubName);
        Assert.Equal(a.StubName, b.StubName);
        Assert.Equal(a.StubBody, b.StubBody);
        Assert.Equal("(p6) br.cond.sptk.many __pv_itc_d_r25_r18", a.Inline[3]);
        Assert.Equal("__pv_mov_to_kr_ar_k5_r16_r17_r18", ParavirtCatalog.Get("mov_to_kr").Lower(ParavirtVariants.XenAltA, new[] { "ar.k5", "r16", "r17", "r18" }).StubName);
    }

    [Fact]
    public void Op_level_clobbers_and_reserves_cover_every_case()
    {
        var ifa = ParavirtCatalog.Get("mov_to_ifa");
        Assert.Empty(ifa.Clobbers(ParavirtVariants.Native));
        Assert.Equal(new[] { "{clob}" }, ifa.Clobbers(ParavirtVariants.XenAltB));
        Assert.Equal(new[] { "{clob}", "b7" }, ifa.Clobbers(ParavirtVariants.XenAltA));
        Assert.Equal(new[] { "r8" }, ParavirtCatalog.Get("itc_i").Reserves(ParavirtVariants.XenAltB));
        Assert.Equal(new[] { "b7" }, ParavirtCatalog.Get("mov_from_ifa").Clobbers(ParavirtVariants.XenAltA));
        Assert.Equal(new[] { "r24", "b7" }, ifa.Clobbers(ParavirtVariants.XenAltA, new[] { "r22", "r24" }));
        Assert.Equal(new[] { "ar.unat" }, ParavirtCatalog.Get("bsw_1").Reserves(ParavirtVariants.XenAltB, new[] { "r2", "r14" }));
    }

    /// <summary>
    /// The facts in <see cref="XenAbi"/> once more, typed from the reference's tables (§2.1) rather than read from the
    /// catalogue, so that a slip in either shows.
    /// </summary>
    [Fact]
    public void Facts_are_the_reference_numbers()
    {
        Assert.Equal(0xfffffffffff00000UL, XenAbi.XsiBase);
        Assert.Equal(0x4000, XenAbi.MappedRegsOffset);
        var xsi = new (string, ulong)[]
        {
            ("XSI_BANK1_R16", 0xfffffffffff04400), ("XSI_B1NAT", 0xfffffffffff04500), ("XSI_IPSR", 0xfffffffffff04880),
            ("XSI_ISR", 0xfffffffffff04888), ("XSI_IIP", 0xfffffffffff04898), ("XSI_IFA", 0xfffffffffff048a0),
            ("XSI_ITIR", 0xfffffffffff048a8), ("XSI_IFS", 0xfffffffffff048b8), ("XSI_IIM", 0xfffffffffff048c0),
            ("XSI_IHA", 0xfffffffffff048c8), ("XSI_PRECOVER_IFS", 0xfffffffffff04c00), ("XSI_PSR_IC", 0xfffffffffff04c10),
            ("XSI_PSR_I_ADDR", 0xfffffffffff04c18), ("XSI_BANKNUM", 0xfffffffffff04c4c), ("XSI_ITC_OFFSET", 0xfffffffffff04d50),
            ("XSI_ITC_LAST", 0xfffffffffff04d58),
        };
        foreach (var (name, address) in xsi) Assert.Equal(address, XenAbi.XsiAddress(name));
        var hp = new (string, int)[]
        {
            ("RFI", 0x01), ("RSM_DT", 0x02), ("SSM_DT", 0x03), ("COVER", 0x04), ("ITC_D", 0x05), ("ITC_I", 0x06), ("SSM_I", 0x07),
            ("GET_IVR", 0x08), ("THASH", 0x0d), ("ITR_D", 0x0f), ("SET_KR", 0x12), ("GET_PSR", 0x19), ("SET_RR0_TO_RR4", 0x1a),
        };
        foreach (var (name, n) in hp) Assert.Equal(n, XenAbi.Hyperprivop(name));
        Assert.Equal(XenAbi.HyperprivopMax, XenAbi.Hyperprivops.Values.Max());
        Assert.Equal(-1, XenAbi.MaskToPendOffset);
    }

    /// <summary>The premise of addl over movl: every XSI address is within addl's signed 22 bits of r0 (reference §2.1).</summary>
    [Fact]
    public void Every_XSI_address_fits_addl_from_r0()
    {
        foreach (var name in XenAbi.XsiOffsets.Keys) Assert.True(XenAbi.FitsAddl(XenAbi.XsiAddress(name)), name);
        Assert.True(XenAbi.FitsAddl(XenAbi.XsiAddress("XSI_BANK1_R16") + 8));
        Assert.False(XenAbi.FitsAddl(0xfffffffffff00000UL - 0x200000));
        Assert.True(XenAbi.FitsAddl(0xfffffffffff00000UL - 0x100000));
    }

    [Fact]
    public void Only_MOV_FROM_ITC_keeps_a_sensitive_instruction_and_says_why()
    {
        foreach (var op in ParavirtCatalog.All)
        {
            Assert.Equal(op.Name == "mov_from_itc", op.RetainedPatterns.Count > 0);
            Assert.Equal(op.RetainedPatterns.Count > 0, op.RetainedWhy is not null);
        }
    }
}
