using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Dsl;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>Verification: what passes, and that each kind of damage is caught with the place and reason named.</summary>
public sealed class VerifierTests
{
    private static IReadOnlyList<IvtFinding> Check(IvtImage image, long? size = null) =>
        IvtVerifier.Check(image, new IvtVerifyOptions { ExpectedSize = size });

    [Fact]
    public void The_generated_sample_verifies()
    {
        var image = TestImages.Sample();
        var v = IvtVerifier.Verify(image, new IvtVerifyOptions { ExpectedSize = image.Bytes.Length });
        Assert.Equal(0x100000, v.ExternalAddresses["ia64_do_page_fault"]);
        Assert.Equal(0x8000, v.SymbolAddresses["page_fault"]);
    }

    [Fact]
    public void Hand_built_native_and_xen_like_tables_verify()
    {
        IvtVerifier.Verify(TestImages.NativeWithRelocations().Image);
        IvtVerifier.Verify(TestImages.XenLike(VariantRules.XenAltB).Image);
        IvtVerifier.Verify(TestImages.XenLike(VariantRules.XenAltA).Image);
        IvtVerifier.Verify(TestImages.XenLike("xen-something-new").Image);
    }

    [Fact]
    public void A_wrong_digest_is_a_finding_and_the_exception_lists_it()
    {
        var i = TestImages.Sample();
        var bad = TestImages.WithBytes(i, TestImages.Flip(i.Bytes, 0x7000, 0), recomputeDigest: false);
        var e = Assert.Throws<IvtVerificationException>(() => IvtVerifier.Verify(bad));
        Assert.Equal(FindingKind.Digest, e.Findings[0].Kind);
        Assert.Contains(i.Sha256, e.Message);
        Assert.Equal("ia64_ivt", e.Table);
        Assert.Equal("native", e.Variant);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(-1)]
    [InlineData(-0x4040)]
    [InlineData(16)]
    [InlineData(1)]
    public void Truncation_and_extension_are_rejected(int delta)
    {
        var i = TestImages.Sample();
        var bytes = new byte[i.Bytes.Length + delta];
        i.Bytes.Slice(0, Math.Min(bytes.Length, i.Bytes.Length)).CopyTo(bytes);
        // Digest recomputed: the size and layout checks must object on their own.
        var findings = Check(TestImages.WithBytes(i, bytes, recomputeDigest: true), i.Bytes.Length);
        Assert.Contains(findings, f => f.Kind == FindingKind.Layout && f.Reason.Contains(delta < 0 ? "truncated" : "extended"));
        if (delta % 16 != 0) Assert.Contains(findings, f => f.Reason.Contains("not a whole number of 16-byte bundles"));
        if (bytes.Length < IvtImage.TableSize) Assert.Contains(findings, f => f.Reason.Contains("shorter than the 32768-byte IVT"));
        // And with the recorded digest, the digest too.
        Assert.Contains(Check(TestImages.WithBytes(i, bytes, recomputeDigest: false)), f => f.Kind == FindingKind.Digest);
    }

    [Fact]
    public void A_reserved_template_is_named_with_vector_bundle_and_code()
    {
        var i = TestImages.Sample();
        var bytes = i.Bytes.ToArray();
        bytes[0x410] = (byte)(bytes[0x410] & ~0x1f | 0x07); // ItlbMiss, bundle 1
        var f = Assert.Single(Check(TestImages.WithBytes(i, bytes, recomputeDigest: true)));
        Assert.Equal(FindingKind.Decode, f.Kind);
        Assert.Equal((0x410L, 1, 1, -1), (f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Contains("reserved template 0x07", f.Reason);
        Assert.StartsWith("0x00410 vector 1 ItlbMiss bundle 1: decode: reserved template 0x07", f.ToString());
    }

    [Fact]
    public void A_slot_that_is_no_instruction_is_named()
    {
        var i = TestImages.Sample();
        var old = Bundle.Read(i.Bytes.Slice(0x10));
        // The first M-unit word with major opcode 0 the table has no form for.
        ulong junk = Enumerable.Range(0, 1 << 9).Select(k => (ulong)k << 27).First(w => !InstructionDecoder.TryDecode(SlotKind.M, new InsnWord(w), out _));
        var bad = Bundle.Create(old.TemplateCode, old.Slot(0), junk, old.Slot(2)); // slot 1 of .mmi is M
        var f = Assert.Single(Check(TestImages.WithBytes(i, TestImages.Put(i.Bytes, 0x10, bad), recomputeDigest: true)));
        Assert.Equal((FindingKind.Decode, 0x10L, 0, 1, 1), (f.Kind, f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Contains("no M-unit instruction", f.Reason);
    }

    [Theory]
    [InlineData("{ .mmi\n\tmov r16=cr.ifa\n\tnop.m 0\n\tnop.i 0 ;;\n}", 0, "mov r16=cr.ifa", "privileged")]
    [InlineData("{ .mmi\n\tnop.m 0\n\tthash r17=r16\n\tnop.i 0 ;;\n}", 1, "thash r17=r16", "sensitive")]
    [InlineData("{ .mmi\n\tnop.m 0\n\tmov.m r3=ar.itc\n\tnop.i 0 ;;\n}", 1, "ar.itc", "sensitive")]
    [InlineData("{ .mib\n\tnop.m 0\n\tnop.i 0\n\tcover ;;\n}", 2, "cover", "sensitive")]
    [InlineData("{ .mib\n\tnop.m 0\n\tnop.i 0\n\trfi ;;\n}", 2, "rfi", "privileged")]
    [InlineData("{ .mmi\n\titc.d r18 ;;\n\tnop.m 0\n\tnop.i 0\n}", 0, "itc.d r18", "privileged")]
    [InlineData("{ .mmi\n\tssm psr.i\n\tnop.m 0\n\tnop.i 0 ;;\n}", 0, "ssm", "privileged")]
    [InlineData("{ .mib\n\tnop.m 0\n\tnop.i 0\n\tbsw.1 ;;\n}", 2, "bsw.1", "privileged")]
    public void A_privileged_or_sensitive_instruction_in_a_xen_table_is_caught_by_structure_alone(string bundle, int slot, string text, string why)
    {
        var i = TestImages.XenLike().Image;
        // Into the padding of the external-interrupt handler would be a layout finding too; overwrite a used bundle instead.
        long at = 0x3000;
        var bytes = TestImages.Put(i.Bytes, at, TestImages.Assemble1(bundle));
        var findings = Check(TestImages.WithBytes(i, bytes, recomputeDigest: true));
        var f = Assert.Single(findings, x => x.Kind == FindingKind.Variant);
        Assert.Equal((at, 12, 0, slot), (f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Contains(text, f.Reason);
        Assert.Contains(why, f.Reason);
        Assert.Contains("xen-altb", f.Reason);
        // The same bundle in a native table is fine.
        var n = TestImages.NativeWithRelocations().Image;
        Assert.DoesNotContain(Check(TestImages.WithBytes(n, TestImages.Put(n.Bytes, 0x3000, TestImages.Assemble1(bundle)), true)), x => x.Kind == FindingKind.Variant);
    }

    [Fact]
    public void Every_form_the_table_calls_privileged_or_sensitive_is_forbidden_on_xen_and_nothing_else()
    {
        foreach (var form in InstructionTable.Forms)
            Assert.Equal(form.Has(InsnFlags.Privileged) || form.Has(InsnFlags.Sensitive), VariantRules.ForbiddenOnXen(form));
    }

    [Theory]
    [InlineData("break.b 0x1", true)]
    [InlineData("break.b 0x1a", true)]
    [InlineData("break.b 0xd", true)]
    [InlineData("break.b 0x0", false)]
    [InlineData("break.b 0x1b", false)]
    [InlineData("break.b 0x1000", false)]
    [InlineData("break.b 0x100000", false)]
    public void A_hyperprivop_in_a_native_table_is_caught(string brk, bool hypercall)
    {
        var i = TestImages.Sample();
        var bytes = TestImages.Put(i.Bytes, 0x3000, TestImages.Assemble1($"{{ .mib\n\tnop.m 0\n\tnop.i 0\n\t{brk} ;;\n}}"));
        var findings = Check(TestImages.WithBytes(i, bytes, recomputeDigest: true));
        if (!hypercall) Assert.DoesNotContain(findings, f => f.Kind == FindingKind.Variant);
        else
        {
            var f = Assert.Single(findings, x => x.Kind == FindingKind.Variant);
            Assert.Equal((0x3000L, 12, 2), (f.Offset, f.Vector, f.Slot));
            Assert.Contains("hyperprivop", f.Reason);
        }
    }

    [Fact]
    public void Hyperprivops_in_every_unit_are_recognised()
    {
        foreach (var text in new[] { "break.m 0x5", "break.i 0x6", "break.b 0x7", "break.f 0x8" })
        {
            string tpl = text.StartsWith("break.f") ? ".mfi" : text.StartsWith("break.b") ? ".mib" : ".mii";
            string[] slots = tpl switch
            {
                ".mfi" => new[] { "nop.m 0", text, "nop.i 0" },
                ".mib" => new[] { "nop.m 0", "nop.i 0", text },
                _ => text.StartsWith("break.m") ? new[] { text, "nop.i 0", "nop.i 0" } : new[] { "nop.m 0", text, "nop.i 0" },
            };
            var b = TestImages.Assemble1($"{{ {tpl}\n\t{slots[0]}\n\t{slots[1]}\n\t{slots[2]} ;;\n}}");
            var i = TestImages.Sample();
            var findings = Check(TestImages.WithBytes(i, TestImages.Put(i.Bytes, 0x3000, b), true));
            Assert.Single(findings, x => x.Kind == FindingKind.Variant);
        }
        var x = TestImages.Assemble1("{ .mlx\n\tnop.m 0\n\tbreak.x 0x1 ;;\n}");
        var s = TestImages.Sample();
        Assert.Single(Check(TestImages.WithBytes(s, TestImages.Put(s.Bytes, 0x3000, x), true)), f => f.Kind == FindingKind.Variant);
    }

    [Fact]
    public void A_branch_retargeted_outside_the_image_is_caught()
    {
        var i = TestImages.Sample();
        // VhptMiss bundle 3 slot 2: (p6) br.cond.spnt.many page_fault. Point it 64 KiB past the image.
        var b = Bundle.Read(i.Bytes.Slice(0x30));
        var t = Template.FromCode(b.TemplateCode)!;
        Assert.True(InstructionDecoder.TryDecode(SlotKind.B, new InsnWord(b.Slot(2)), out var ins));
        Assert.Equal(IvtGen.Elf.Ia64Relocation.PcRel21B, Ia64RelocationOf(ins));
        Assert.Null(RelocationSites.TryPatch(b, t, 2, ins, 0, 0x20000, out var moved));
        var findings = Check(TestImages.WithBytes(i, TestImages.Put(i.Bytes, 0x30, moved), recomputeDigest: true));
        var f = Assert.Single(findings, x => x.Kind == FindingKind.Branch);
        Assert.Equal((0x30L, 0, 3, 2), (f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Contains("0x20030", f.Reason);
        Assert.Contains("outside the image", f.Reason);
    }

    private static IvtGen.Elf.Ia64Relocation Ia64RelocationOf(in Instruction ins) =>
        RelocationSites.TryGet(ins.Form, out _, out var t) ? t : IvtGen.Elf.Ia64Relocation.None;

    [Fact]
    public void A_branch_outside_is_allowed_only_where_a_relocation_declares_an_external()
    {
        var built = TestImages.NativeWithRelocations();
        IvtVerifier.Verify(built.Image);
        // Drop the relocation of the brl to far_handler in dtlb: now it is a branch to nowhere.
        var i = built.Image;
        var rels = i.Relocations.Where(r => !(r.Offset == 0x820 && r.Symbol == "far_handler")).ToList();
        Assert.Equal(i.Relocations.Count - 1, rels.Count);
        var stripped = new IvtImage(i.Table, i.Variant, i.Bytes.ToArray(), i.Sha256, i.Vectors, i.Symbols, rels, i.Listing);
        var f = Assert.Single(Check(stripped));
        Assert.Equal((FindingKind.Branch, 0x820L, 2, 2, 2), (f.Kind, f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Contains("0x40000000", f.Reason);
    }

    [Fact]
    public void References_to_one_external_must_agree()
    {
        var i = TestImages.NativeWithRelocations().Image;
        // The brl in dtlb (0x820) and the one in the routine both reach far_handler; move one of them.
        var b = Bundle.Read(i.Bytes.Slice(0x820));
        var t = Template.FromCode(b.TemplateCode)!;
        Assert.True(InstructionDecoder.TryDecode(SlotKind.X, new InsnWord(b.Slot(2), b.Slot(1)), out var ins));
        Assert.Null(RelocationSites.TryPatch(b, t, 2, ins, 0, ins.Values[0] + 0x100, out var moved));
        var findings = Check(TestImages.WithBytes(i, TestImages.Put(i.Bytes, 0x820, moved), true));
        Assert.Contains(findings, f => f.Kind == FindingKind.Relocation && f.Reason.Contains("other references to external symbol far_handler"));
    }

    [Fact]
    public void A_relocation_kind_that_does_not_fit_its_instruction_is_a_finding()
    {
        var i = TestImages.NativeWithRelocations().Image;
        var rels = i.Relocations.Select(r => r.Symbol == "tiny_sym" ? new IvtRelocation(r.Offset, r.Slot, "IMM22", r.Symbol) : r).ToList();
        var bad = new IvtImage(i.Table, i.Variant, i.Bytes.ToArray(), i.Sha256, i.Vectors, i.Symbols, rels, i.Listing);
        var f = Assert.Single(Check(bad));
        Assert.Equal(FindingKind.Relocation, f.Kind);
        Assert.Contains("R_IA64_IMM14", f.Reason);
    }

    [Fact]
    public void A_vector_map_that_lies_is_caught()
    {
        var i = TestImages.Sample();
        IvtImage With(IReadOnlyList<IvtVectorInfo> v) => new(i.Table, i.Variant, i.Bytes.ToArray(), i.Sha256, v, i.Symbols, i.Relocations, i.Listing);
        var v = i.Vectors.ToList();

        // A handler that claims fewer bundles than it has: code past the declared end.
        var shorter = v.ToList();
        shorter[0] = new IvtVectorInfo(0, 0, v[0].Name, v[0].Handler, 3, 64);
        var f = Assert.Single(Check(With(shorter)));
        Assert.Equal((FindingKind.Layout, 0x30L, 0, 3), (f.Kind, f.Offset, f.Vector, f.Bundle));

        // More than the slot holds.
        var over = v.ToList();
        over[20] = new IvtVectorInfo(20, 0x5000, v[20].Name, "Big", 17, 16);
        Assert.Contains(Check(With(over)), x => x.Kind == FindingKind.Layout && x.Reason.Contains("uses 17 bundles; the slot holds 16"));

        // An entry at the wrong offset, and a map with an entry missing.
        var moved = v.ToList();
        moved[21] = new IvtVectorInfo(21, 0x5180, v[21].Name, "", 0, 16);
        Assert.Contains(Check(With(moved)), x => x.Reason.Contains("architected entry 21 is at 0x5100"));
        Assert.Contains(Check(With(v.Take(67).ToList())), x => x.Reason.Contains("67 entries"));

        // Code in an entry the map calls empty.
        var bytes = TestImages.Put(i.Bytes, 0x5000, TestImages.Assemble1("{ .mib\n\tnop.m 0\n\tnop.i 0\n\tbr.ret.sptk.many b0 ;;\n}"));
        var g = Assert.Single(Check(TestImages.WithBytes(i, bytes, true)));
        Assert.Equal((FindingKind.Layout, 0x5000L, 20), (g.Kind, g.Offset, g.Vector));
        Assert.Contains("empty entry holds code", g.Reason);
    }

    [Fact]
    public void One_exception_lists_every_finding()
    {
        var i = TestImages.XenLike().Image;
        var bytes = i.Bytes.ToArray();
        TestImages.Assemble1("{ .mmi\n\tmov r16=cr.ifa\n\tnop.m 0\n\tnop.i 0 ;;\n}").Write(bytes.AsSpan(0x3000));
        bytes[0x10] = (byte)(bytes[0x10] & ~0x1f | 0x1e);                 // reserved template in vector 0
        bytes[0x8010] = (byte)(bytes[0x8010] & ~0x1f | 0x1f);             // and in the out-of-line code
        var e = Assert.Throws<IvtVerificationException>(() => IvtVerifier.Verify(TestImages.WithBytes(i, bytes, recomputeDigest: false)));
        Assert.Contains(e.Findings, f => f.Kind == FindingKind.Digest);
        Assert.Contains(e.Findings, f => f.Kind == FindingKind.Decode && f.Offset == 0x10);
        Assert.Contains(e.Findings, f => f.Kind == FindingKind.Variant && f.Offset == 0x3000);
        Assert.Contains(e.Findings, f => f.Offset == 0x8010 && f.Region == "out-of-line page_fault" && f.Bundle == 1);
        foreach (var f in e.Findings) Assert.Contains(f.ToString(), e.Message);
    }

    [Fact]
    public void A_symbol_off_a_bundle_or_the_table_symbol_missing_is_a_finding()
    {
        var i = TestImages.Sample();
        var syms = i.Symbols.Where(s => s.Name != "ia64_ivt").Append(new IvtSymbol("odd", 0x8008)).ToList();
        var bad = new IvtImage(i.Table, i.Variant, i.Bytes.ToArray(), i.Sha256, i.Vectors, syms, i.Relocations, i.Listing);
        var findings = Check(bad);
        Assert.Contains(findings, f => f.Reason.Contains("symbol odd at 0x8008"));
        Assert.Contains(findings, f => f.Reason.Contains("table symbol ia64_ivt"));
    }
}
