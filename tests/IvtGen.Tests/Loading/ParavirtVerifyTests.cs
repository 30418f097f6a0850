using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>
/// What verification checks of the generator's Xen images by decoding: every AltA site branches to the start of a stub
/// that returns through b7, and the one sensitive instruction a Xen lowering keeps (MOV_FROM_ITC's read of ar.itc) is
/// accepted only inside exactly the catalogue's sequence. Damage is made with the digest recomputed, so only the
/// structural checks can object.
/// </summary>
public sealed class ParavirtVerifyTests
{
    private static IvtImage Variant(IReadOnlyList<IvtImage> images, string variant) => images.Single(i => i.Variant == variant);

    private static IReadOnlyList<IvtFinding> CheckWith(IvtImage image, byte[] bytes) =>
        IvtVerifier.Check(TestImages.WithBytes(image, bytes, recomputeDigest: true));

    private static long Symbol(IvtImage image, string name) => image.Symbols.Single(s => s.Name == name).Address;

    // ---- AltA sites and stubs ------------------------------------------------------------------------------------

    [Fact]
    public void Generated_AltA_images_verify_and_link_with_the_stubs_placed_apart()
    {
        foreach (var image in new[] { Variant(TestImages.PvSample(), VariantRules.XenAltA), Variant(TestImages.ItcTable(), VariantRules.XenAltA) })
        {
            var verified = IvtVerifier.Verify(image);
            // The placed image is verified again, sites and stubs at their final addresses.
            var linked = IvtLinker.Link(verified, new IvtLinkOptions { Iva = 0xa000_0001_0000_0000, OutOfLineAddress = 0xa000_0001_0040_0000 });
            Assert.True(linked.PatchedSlots > 0);
        }
    }

    [Fact]
    public void Every_variant_of_a_table_using_every_catalogue_operation_verifies()
    {
        var images = TestImages.GenerateXen(("EveryOp.cs", Generator.VariantTests.EveryOperationTable()));
        Assert.Equal(new[] { "native", "xen-alta", "xen-altb" }, images.Select(i => i.Variant));
        foreach (var image in images) IvtVerifier.Verify(image);
        // Every stub of xen-alta is reached from a site (the walk ran on each of them).
        var alta = Variant(images, VariantRules.XenAltA);
        var stubs = alta.Symbols.Where(s => s.Name.StartsWith("__pv_", StringComparison.Ordinal)).ToList();
        Assert.True(stubs.Count >= 25, $"{stubs.Count} stubs");
        var sites = TestImages.Instructions(alta.Bytes).Where(i => i.Slot == 2 && i.Text.Contains("br") && i.Ins.Form.Format == "B1")
            .Select(i => i.Offset + i.Ins.Values[0]).ToHashSet();
        Assert.All(stubs, s => Assert.Contains(s.Address, sites));
    }

    [Fact]
    public void The_sample_has_the_AltA_sites_the_tests_below_damage()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        Assert.Equal((0L, 1), TestImages.Find(alta, "mov r16=ip"));
        Assert.Equal((0L, 2), TestImages.Find(alta, $"br.many .+{Symbol(alta, "__pv_mov_from_ifa_r16")}"));
    }

    [Fact]
    public void A_site_retargeted_into_the_middle_of_its_stub_is_rejected_at_the_site()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        long stub = Symbol(alta, "__pv_mov_from_ifa_r16");
        var f = Assert.Single(CheckWith(alta, TestImages.Retarget(alta.Bytes, 0, 2, stub + 16)));
        Assert.Equal((FindingKind.Stub, 0L, 0, 0, 2), (f.Kind, f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.StartsWith("vector 0 VhptMiss", f.Region);
        Assert.Contains($"lands at image offset 0x{stub + 16:x} (out-of-line __pv_mov_from_ifa_r16 bundle 1), inside the out-of-line code but at no stub start", f.Reason);
    }

    [Fact]
    public void A_site_retargeted_into_handler_code_is_rejected_at_the_site()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        var f = Assert.Single(CheckWith(alta, TestImages.Retarget(alta.Bytes, 0, 2, 0x800)));
        Assert.Equal((FindingKind.Stub, 0L, 2), (f.Kind, f.Offset, f.Slot));
        Assert.Contains("branches into the IVT (vector 2 DtlbMiss bundle 0), not to a stub in the out-of-line code", f.Reason);
    }

    [Fact]
    public void A_site_retargeted_to_a_routine_is_rejected_where_the_routine_does_not_begin_like_a_stub()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        long routine = Symbol(alta, "page_fault");
        var f = Assert.Single(CheckWith(alta, TestImages.Retarget(alta.Bytes, 0, 2, routine)));
        Assert.Equal((FindingKind.Stub, routine, -1, 0, -1), (f.Kind, f.Offset, f.Vector, f.Bundle, f.Slot));
        Assert.Equal("out-of-line page_fault", f.Region);
        Assert.Contains("AltA stub page_fault (branched to from 0x0) does not begin with the AltA prologue 'adds r16=16,r16 ;; mov b7=r16'", f.Reason);
    }

    [Fact]
    public void A_site_whose_link_register_is_not_the_stubs_is_rejected()
    {
        // The first itc_d site links through r25; aim it at the stub of mov_from_ifa, whose prologue uses r16.
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        var (site, _) = TestImages.Find(alta, "(p7) mov r25=ip");
        var findings = CheckWith(alta, TestImages.Retarget(alta.Bytes, site, 2, Symbol(alta, "__pv_mov_from_ifa_r16")));
        Assert.Contains(findings, f => f.Kind == FindingKind.Stub && f.Reason.Contains("for the site's link register r25"));
    }

    [Fact]
    public void A_stub_whose_return_is_a_nop_is_rejected_where_it_runs_into_the_next_stub_or_off_the_image()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        var stubs = alta.Symbols.Where(s => s.Name.StartsWith("__pv_", StringComparison.Ordinal)).OrderBy(s => s.Address).ToList();
        Assert.True(stubs.Count >= 2);
        foreach (var (stub, i) in stubs.Select((s, i) => (s, i)))
        {
            var (ret, slot) = TestImages.Find(alta, "br.many b7", stub.Address);
            var f = Assert.Single(CheckWith(alta, TestImages.SetSlot(alta.Bytes, ret, slot, TestImages.Encode("nop.b 0"))));
            Assert.Equal((FindingKind.Stub, ret, -1, slot), (f.Kind, f.Offset, f.Vector, f.Slot));
            Assert.Equal("out-of-line " + stub.Name, f.Region);
            Assert.Equal((ret - stub.Address) / 16, f.Bundle);
            Assert.Contains($"AltA stub {stub.Name} (branched to from 0x", f.Reason);
            Assert.Contains(i + 1 < stubs.Count ? $"runs into {stubs[i + 1].Name} without returning through b7" : "runs off the end of the image without returning through b7", f.Reason);
        }
    }

    [Theory]
    [InlineData("br.many b6", "branches elsewhere ('br.many b6') before returning through b7")]
    [InlineData("(p6) br.cond.sptk.many b7", "returns only under p6 ('(p6) br.cond.sptk.many b7'): otherwise it falls through")]
    [InlineData("br.ret.sptk.many b7", "branches elsewhere ('br.ret.sptk.many b7')")]
    [InlineData("br.call.sptk.many b0=b7", "branches elsewhere ('br.call.sptk.many b0=b7')")]
    public void A_stub_that_returns_any_other_way_is_rejected_at_that_instruction(string instead, string reason)
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        long stub = Symbol(alta, "__pv_thash_r17_r16_r25");
        var (ret, slot) = TestImages.Find(alta, "br.many b7", stub);
        var f = Assert.Single(CheckWith(alta, TestImages.SetSlot(alta.Bytes, ret, slot, TestImages.Encode(instead))));
        Assert.Equal((FindingKind.Stub, ret, slot), (f.Kind, f.Offset, f.Slot));
        Assert.Contains(reason, f.Reason);
    }

    [Fact]
    public void A_stub_that_writes_b7_again_or_loses_the_stop_before_its_return_is_rejected()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        long stub = Symbol(alta, "__pv_mov_from_ifa_r16");
        // Bundle 1 is { .mii nop.m; mov b7=r16; mov r16=XSI_IFA ;; }: overwrite the XSI address load with another write of b7.
        var (load, loadSlot) = TestImages.Find(alta, "mov r16=-1029984", stub);
        var f = Assert.Single(CheckWith(alta, TestImages.SetSlot(alta.Bytes, load, loadSlot, TestImages.Encode("mov b7=r3"))), x => x.Kind == FindingKind.Stub);
        Assert.Equal((load, loadSlot), (f.Offset, f.Slot));
        Assert.Contains("overwrites b7 ('mov b7=r3') before returning through it", f.Reason);

        // Without the stops after bundle 1 and bundle 2's first slot the return shares the group that writes b7.
        var bytes = alta.Bytes.ToArray();
        Assert.Equal(0x01, bytes[load] & 0x1f);           // .mii with the stop at its end
        bytes[load] = (byte)(bytes[load] & ~0x1f | 0x00);
        var (ret, retSlot) = TestImages.Find(alta, "br.many b7", stub);
        Assert.Equal(0x11, bytes[ret] & 0x1f);            // .mib;
        var findings = CheckWith(alta, bytes);
        Assert.Contains(findings, x => x.Kind == FindingKind.Stub && x.Offset == ret && x.Slot == retSlot &&
            x.Reason.Contains("returns ('br.many b7') in the instruction group that writes b7: a stop must separate them"));
    }

    [Fact]
    public void Every_flip_of_a_stub_returns_predicate_branch_type_register_or_opcode_is_caught_by_structure()
    {
        var alta = Variant(TestImages.PvSample(), VariantRules.XenAltA);
        // Slot 2 starts at bit 87 of its bundle: qp 0–5, btype 6–8, b2 13–15, x6 27–32, major 37–40.
        int[] fields = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15, 27, 28, 29, 30, 31, 32, 37, 38, 39, 40 };
        int tried = 0;
        foreach (var stub in alta.Symbols.Where(s => s.Name.StartsWith("__pv_", StringComparison.Ordinal)))
        {
            var (ret, slot) = TestImages.Find(alta, "br.many b7", stub.Address);
            Assert.Equal(2, slot);
            foreach (int f in fields)
            {
                int bit = 87 + f;
                var findings = CheckWith(alta, TestImages.Flip(alta.Bytes, (int)ret + bit / 8, bit % 8));
                Assert.True(findings.Count > 0, $"{stub.Name}: flipping bit {f} of the return slot went unnoticed");
                tried++;
            }
        }
        Assert.Equal(6 * fields.Length, tried); // six stubs: mov_from_ifa, _iip, _isr, _ivr, thash, itc_d
    }

    [Fact]
    public void A_stub_of_a_hand_written_AltA_table_that_never_returns_is_rejected()
    {
        var built = TestImages.Build("h_ivt", VariantRules.XenAltA,
            new[]
            {
                new TestImages.Handler("vhpt", 0x0000, """
                    { .mib
                    	nop.m 0
                    	mov r16=ip
                    	br.sptk.many stub ;;
                    }
                    """),
            },
            new[]
            {
                new TestImages.Routine("stub", """
                    { .mii
                    	adds r16=16,r16
                    	nop.i 0 ;;
                    	mov b7=r16
                    }
                    """ + string.Concat(Enumerable.Repeat("""

                    { .mii
                    	nop.m 0
                    	nop.i 0
                    	nop.i 0 ;;
                    }
                    """, 70))),
            });
        var f = Assert.Single(IvtVerifier.Check(built.Image));
        Assert.Equal(FindingKind.Stub, f.Kind);
        Assert.Contains("AltA stub stub (branched to from 0x0) does not return through b7 within 64 bundles", f.Reason);
        // As xen-altb the same bytes hold no site: nothing to check.
        Assert.Empty(IvtVerifier.Check(TestImages.WithVariant(built.Image, VariantRules.XenAltB)));
    }

    // ---- ar.itc: retained only inside the catalogue's MOV_FROM_ITC ----------------------------------------------

    [Fact]
    public void A_Xen_table_using_pv_mov_from_itc_builds_and_verifies_with_the_ar_itc_reads_in_it()
    {
        foreach (var variant in new[] { VariantRules.XenAltA, VariantRules.XenAltB })
        {
            var image = Variant(TestImages.ItcTable(), variant);
            IvtVerifier.Verify(image);
            // The exemption is exercised: each of the three operand tuples reads ar.itc once.
            var reads = TestImages.Instructions(image.Bytes).Where(i => i.Text.EndsWith("=ar.itc", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, reads.Count);
            Assert.All(reads, r => Assert.True(r.Ins.Form.Has(InsnFlags.Sensitive)));
        }
    }

    [Fact]
    public void A_raw_ar_itc_read_written_into_a_Xen_image_is_rejected()
    {
        var altb = Variant(TestImages.ItcTable(), VariantRules.XenAltB);
        // Ext's "add r17=r16,r29" after the sequence becomes a read of ar.itc (M slot 0 of its .mii).
        var (at, slot) = TestImages.Find(altb, "add r17=r16,r29");
        var f = Assert.Single(CheckWith(altb, TestImages.SetSlot(altb.Bytes, at, slot, TestImages.Encode("mov r17=ar.itc"))));
        Assert.Equal((FindingKind.Variant, at, 12, slot), (f.Kind, f.Offset, f.Vector, f.Slot));
        Assert.Contains("'mov.m r17=ar.itc' is sensitive under Xen; a xen-altb table may hold none", f.Reason);
    }

    [Theory]
    [InlineData("(p6) mov r24=-1028784", "(p6) mov r24=-1028776")]          // XSI_ITC_OFFSET → XSI_ITC_LAST
    [InlineData("(p6) ld8 r24=[r24]", "(p6) ld4 r24=[r24]")]                // the offset's load
    [InlineData("(p6) add r16=r16,r24", "(p6) add r16=r16,r0")]            // the add into the target
    [InlineData("(p6) add r16=r16,r24", "(p6) sub r16=r16,r24")]
    [InlineData("(p6) st8 [r24]=r16", "(p6) st8 [r24]=r17")]                // itc_last update
    public void A_read_of_ar_itc_whose_sequence_differs_from_the_catalogue_is_rejected(string original, string instead)
    {
        var altb = Variant(TestImages.ItcTable(), VariantRules.XenAltB);
        var (read, readSlot) = TestImages.Find(altb, "(p6) mov.m r16=ar.itc");
        var (at, slot) = TestImages.Find(altb, original, read - 16);
        var findings = CheckWith(altb, TestImages.SetSlot(altb.Bytes, at, slot, TestImages.Encode(instead)));
        var f = Assert.Single(findings);
        Assert.Equal((FindingKind.Variant, read, readSlot), (f.Kind, f.Offset, f.Slot));
        Assert.Contains("'(p6) mov.m r16=ar.itc' is sensitive under Xen", f.Reason);
    }

    [Fact]
    public void A_read_of_ar_itc_in_an_AltA_stub_is_rejected_when_the_stub_is_not_the_catalogues()
    {
        var alta = Variant(TestImages.ItcTable(), VariantRules.XenAltA);
        var stub = alta.Symbols.Single(s => s.Name == "__pv_mov_from_itc_p13_r18_r26").Address;
        var (read, readSlot) = TestImages.Find(alta, "mov.m r18=ar.itc", stub);
        var (add, addSlot) = TestImages.Find(alta, "add r18=r18,r26", stub);
        var f = Assert.Single(CheckWith(alta, TestImages.SetSlot(alta.Bytes, add, addSlot, TestImages.Encode("add r18=r18,r25"))));
        Assert.Equal((FindingKind.Variant, read, readSlot), (f.Kind, f.Offset, f.Slot));
        Assert.Equal("out-of-line __pv_mov_from_itc_p13_r18_r26", f.Region);
    }

    [Fact]
    public void A_hand_written_ar_itc_read_with_only_part_of_the_sequence_is_rejected()
    {
        // The XSI_ITC_OFFSET load and the add, but not the itc_last update the catalogue's sequence goes on to.
        var built = TestImages.Build("h_ivt", VariantRules.XenAltB, new[]
        {
            new TestImages.Handler("ext", 0x3000, """
                { .mmi
                	addl r24=-1028784,r0
                	mov r16=ar.itc
                	nop.i 0 ;;
                }
                { .mii
                	ld8 r24=[r24]
                	nop.i 0 ;;
                	add r16=r16,r24 ;;
                }
                """),
        });
        var f = Assert.Single(IvtVerifier.Check(built.Image));
        Assert.Equal((FindingKind.Variant, 0x3000L, 1), (f.Kind, f.Offset, f.Slot));
        // The native rules do not care about ar.itc.
        Assert.Empty(IvtVerifier.Check(TestImages.WithVariant(built.Image, VariantRules.Native)));
    }
}
