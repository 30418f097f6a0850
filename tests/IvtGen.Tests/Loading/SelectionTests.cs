using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>Choosing the variant: the probe, the override, AltB before AltA on Xen, and no silent fallback.</summary>
public sealed class SelectionTests
{
    private static IvtTableSet Set(params string[] variants)
    {
        var native = TestImages.Sample();
        var xen = TestImages.XenLike().Image;
        return new IvtTableSet("t", variants.Select(v => TestImages.WithVariant(VariantRules.IsXen(v) ? xen : native, v)).ToList());
    }

    private static IvtSelection Select(IvtTableSet set, IvtPlatform? platform = null, IPlatformProbe? probe = null, bool altA = false, string? variant = null) =>
        IvtSelector.Select(set, new IvtSelectionOptions { Platform = platform, Probe = probe, PreferAltA = altA, Variant = variant });

    [Fact]
    public void The_probe_decides_as_Linux_does_from_hypervisor_type_or_the_start_info_magic()
    {
        var p = new HypervisorDescriptorProbe(HypervisorDescriptorProbe.TypeXen).Probe();
        Assert.Equal(IvtPlatform.Xen, p.Platform);
        Assert.Contains("PARAVIRT_HYPERVISOR_TYPE_XEN", p.Evidence);

        var page = new byte[4096];
        Encoding.ASCII.GetBytes("xen-3.0-ia64").CopyTo(page, 0);
        var s = new HypervisorDescriptorProbe(HypervisorDescriptorProbe.TypeDefault, page).Probe();
        Assert.Equal(IvtPlatform.Xen, s.Platform);
        Assert.Contains("xen-3.0-ia64", s.Evidence);

        var n = new HypervisorDescriptorProbe(HypervisorDescriptorProbe.TypeDefault, new byte[4096]).Probe();
        Assert.Equal(IvtPlatform.Native, n.Platform);
        Assert.Contains("PARAVIRT_HYPERVISOR_TYPE_DEFAULT", n.Evidence);

        Assert.Throws<IvtLoadException>(() => new HypervisorDescriptorProbe(7).Probe());
    }

    [Fact]
    public void Native_hardware_gets_the_native_table()
    {
        var s = Select(Set("native", "xen-alta", "xen-altb"), probe: new HypervisorDescriptorProbe(0));
        Assert.Equal("native", s.Variant);
        Assert.Equal(IvtPlatform.Native, s.Platform.Platform);
    }

    [Fact]
    public void Xen_prefers_AltB_and_says_so()
    {
        var s = Select(Set("native", "xen-alta", "xen-altb"), probe: new HypervisorDescriptorProbe(1));
        Assert.Equal("xen-altb", s.Variant);
        Assert.Contains("preferred on Xen", s.Reason);
        Assert.Contains("hypervisor_type = 1", s.Platform.Evidence);
    }

    [Fact]
    public void Xen_falls_back_to_AltA_when_AltB_was_not_emitted_and_says_why()
    {
        var s = Select(Set("native", "xen-alta"), IvtPlatform.Xen);
        Assert.Equal("xen-alta", s.Variant);
        Assert.Contains("no xen-altb variant", s.Reason);
    }

    [Fact]
    public void Xen_takes_AltA_when_the_caller_asks()
    {
        var s = Select(Set("native", "xen-alta", "xen-altb"), IvtPlatform.Xen, altA: true);
        Assert.Equal("xen-alta", s.Variant);
        Assert.Contains("asked for AltA", s.Reason);
        var only = Select(Set("native", "xen-altb"), IvtPlatform.Xen, altA: true);
        Assert.Equal("xen-altb", only.Variant);
        Assert.Contains("no xen-alta variant", only.Reason);
    }

    [Fact]
    public void A_table_built_without_XEN_is_a_clear_error_on_Xen_not_a_fallback_to_native()
    {
        var e = Assert.Throws<IvtVariantMissingException>(() => Select(Set("native"), probe: new HypervisorDescriptorProbe(1)));
        Assert.Equal(IvtPlatform.Xen, e.Platform);
        Assert.Contains("XEN", e.Message);
        Assert.Contains("it has: native", e.Message);
        Assert.Contains("does not fall back", e.Message);
        Assert.Throws<IvtVariantMissingException>(() => Select(Set("xen-altb"), IvtPlatform.Native));
    }

    [Fact]
    public void The_override_wins_over_the_probe()
    {
        var s = Select(Set("native", "xen-altb"), IvtPlatform.Native, probe: new HypervisorDescriptorProbe(1));
        Assert.Equal("native", s.Variant);
        Assert.Equal("explicit override", s.Platform.Evidence);
    }

    [Fact]
    public void An_explicit_variant_must_exist_and_fit_the_platform()
    {
        Assert.Equal("xen-alta", Select(Set("native", "xen-alta", "xen-altb"), variant: "xen-alta").Variant);
        Assert.Throws<IvtVariantMissingException>(() => Select(Set("native", "xen-altb"), variant: "xen-alta"));
        var e = Assert.Throws<IvtLoadException>(() => Select(Set("native", "xen-altb"), IvtPlatform.Native, variant: "xen-altb"));
        Assert.Contains("built for xen", e.Message);
        Assert.Throws<IvtLoadException>(() => Select(Set("native")));
    }

    [Fact]
    public void Load_selects_verifies_and_links_in_one_call()
    {
        var set = Set("native", "xen-altb");
        var loaded = IvtLoader.Load(set, new IvtLoadOptions
        {
            Selection = new IvtSelectionOptions { Probe = new HypervisorDescriptorProbe(1) },
            Link = new IvtLinkOptions { Iva = 0xa000_0001_0000_0000 },
        });
        Assert.Equal("xen-altb", loaded.Selection.Variant);
        Assert.Same(loaded.Selection.Image, loaded.Verified.Image);
        Assert.Equal(0xa000_0001_0000_0000UL, loaded.Linked!.Iva);
        Assert.Equal(0xa000_0001_0000_8000UL, loaded.Linked.Symbols["page_fault"]);

        // A damaged variant is not installed, and nothing else is installed in its place.
        var bad = set.Images.Select(i => i.Variant == "xen-altb" ? TestImages.WithBytes(i, TestImages.Flip(i.Bytes, 3, 1), false) : i).ToList();
        var e = Assert.Throws<IvtVerificationException>(() => IvtLoader.Load(new IvtTableSet("t", bad),
            new IvtLoadOptions { Selection = new IvtSelectionOptions { Platform = IvtPlatform.Xen } }));
        Assert.Equal("xen-altb", e.Variant);
    }
}
