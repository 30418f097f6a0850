using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>Linking: placement rules, every relocation kind applied, and the result verified again.</summary>
public sealed class LinkerTests
{
    private const ulong Iva = 0xa000_0001_0000_0000;

    /// <summary>What the instruction in <paramref name="slot"/> of the bundle at <paramref name="address"/> reaches (target or immediate).</summary>
    private static long Reached(byte[] code, ulong codeBase, ulong address, int slot)
    {
        var b = Bundle.Read(code.AsSpan((int)(address - codeBase)));
        var t = Template.FromCode(b.TemplateCode)!;
        var word = t.Slots[slot] == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(slot));
        Assert.True(InstructionDecoder.TryDecode(t.Slots[slot], word, out var ins));
        Assert.True(RelocationSites.TryGet(ins.Form, out int op, out var type));
        return RelocationSites.IsPcRelative(type) ? (long)address + ins.Values[op] : ins.Values[op];
    }

    [Fact]
    public void Every_relocation_reaches_its_symbol_when_the_code_is_contiguous()
    {
        var v = IvtVerifier.Verify(TestImages.NativeWithRelocations().Image);
        var l = IvtLinker.Link(v, new IvtLinkOptions
        {
            Iva = Iva,
            Symbols = { ["near_handler"] = Iva + 0x10_0000, ["far_handler"] = 0xe000_0000_4000_0000, ["small_sym"] = 0x1ffff, ["tiny_sym"] = 0x1fff },
        });
        Assert.True(l.IsContiguous);
        var code = l.ToContiguous();
        ulong fault = Iva + 0x8000;
        Assert.Equal(fault, l.Symbols["fault"]);
        foreach (var rel in v.Image.Relocations)
        {
            ulong want = l.Symbols[rel.Symbol];
            Assert.Equal((long)want, Reached(code, Iva, Iva + (ulong)rel.Offset, rel.Slot));
        }
        Assert.Equal(v.Image.Relocations.Count, l.PatchedSlots);
        Assert.Empty(l.Notes);
    }

    [Fact]
    public void Separate_out_of_line_code_gets_every_crossing_branch_retargeted_even_without_a_record()
    {
        var v = IvtVerifier.Verify(TestImages.XenLike().Image);
        ulong ool = Iva + 0x10_0000;
        var l = IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, OutOfLineAddress = ool });
        Assert.False(l.IsContiguous);
        Assert.Throws<InvalidOperationException>(() => l.ToContiguous());
        // Table → routine (recorded), routine → table (recorded: vhpt is a symbol).
        Assert.Equal((long)ool, Reached(l.Ivt, Iva, Iva + 0x50, 2));                 // (p6) br.cond page_fault
        Assert.Equal(unchecked((long)Iva), Reached(l.OutOfLine, ool, ool + 0x10, 2));            // br vhpt
        Assert.Equal((long)(ool + 0x20), Reached(l.Ivt, Iva, Iva + 0x3010, 2));      // br stub_get_ivr
    }

    [Fact]
    public void A_crossing_branch_with_no_relocation_record_is_still_retargeted()
    {
        var i = TestImages.XenLike().Image;
        var stripped = new IvtImage(i.Table, i.Variant, i.Bytes.ToArray(), i.Sha256, i.Vectors, i.Symbols, Array.Empty<IvtRelocation>(), i.Listing);
        var v = IvtVerifier.Verify(stripped);
        ulong ool = Iva + 0x20_0000;
        var l = IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, OutOfLineAddress = ool });
        Assert.Equal((long)(ool + 0x20), Reached(l.Ivt, Iva, Iva + 0x3010, 2));
        Assert.Equal(3, l.PatchedSlots);
    }

    [Fact]
    public void The_IVA_must_be_32_KiB_aligned_and_the_parts_must_not_overlap()
    {
        var v = IvtVerifier.Verify(TestImages.Sample());
        var e = Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva + 0x4000 }));
        Assert.Contains("not 32 KiB aligned", Assert.Single(e.Findings).Reason);
        var o = Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, OutOfLineAddress = Iva + 0x7ff0 }));
        Assert.Contains("overlaps", Assert.Single(o.Findings).Reason);
        Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, OutOfLineAddress = Iva + 0x9008 }));
    }

    [Fact]
    public void A_target_out_of_reach_is_a_finding_at_the_site()
    {
        var v = IvtVerifier.Verify(TestImages.Sample());
        // br.cond reaches ±16 MiB: out-of-line code 1 GiB away cannot be reached from the table.
        var e = Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, OutOfLineAddress = Iva + 0x4000_0000 }));
        Assert.Equal(new long[] { 0x30, 0x430, 0x820, 0x840, 0x3010 }, e.Findings.Select(f => f.Offset).ToArray());
        Assert.All(e.Findings, f => Assert.Equal(FindingKind.Relocation, f.Kind));
        Assert.All(e.Findings, f => Assert.Equal(2, f.Slot));
        Assert.Contains("PCREL21B page_fault", e.Findings[0].Reason);
    }

    [Fact]
    public void Externals_not_given_keep_their_build_time_address_and_given_unknown_names_are_noted()
    {
        var v = IvtVerifier.Verify(TestImages.Sample());
        var l = IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, Symbols = { ["unused"] = 5 } });
        Assert.Equal(0x100000UL, l.Symbols["ia64_do_page_fault"]);
        Assert.Contains(l.Notes, n => n.Contains("ia64_do_page_fault keeps its build-time address 0x100000"));
        Assert.Contains(l.Notes, n => n.Contains("unused is not referenced"));
        Assert.Equal(0x100000L, Reached(l.OutOfLine, Iva + 0x8000, Iva + 0x8030, 2));
        var e = Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions { Iva = Iva, Symbols = { ["page_fault"] = 5 } }));
        Assert.Contains("defined by the image", Assert.Single(e.Findings).Reason);
    }

    [Fact]
    public void Linking_at_zero_with_build_time_externals_reproduces_the_image()
    {
        var v = IvtVerifier.Verify(TestImages.NativeWithRelocations().Image);
        var l = IvtLinker.Link(v, new IvtLinkOptions { Iva = 0 });
        Assert.Equal(v.Image.Bytes.ToArray(), l.ToContiguous());
    }

    [Fact]
    public void An_immediate_that_no_longer_fits_is_a_finding()
    {
        var v = IvtVerifier.Verify(TestImages.NativeWithRelocations().Image);
        var e = Assert.Throws<IvtVerificationException>(() => IvtLinker.Link(v, new IvtLinkOptions
        {
            Iva = Iva,
            Symbols = { ["near_handler"] = Iva + 0x10_0000, ["far_handler"] = 0xe000_0000_4000_0000, ["small_sym"] = 0x1ffff, ["tiny_sym"] = 0x2000 },
        }));
        var f = Assert.Single(e.Findings);
        Assert.Equal((0x420L, 1, 1), (f.Offset, f.Vector, f.Slot));
        Assert.Contains("IMM14 tiny_sym", f.Reason);
    }
}
