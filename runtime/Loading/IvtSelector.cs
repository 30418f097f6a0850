using System;
using System.Collections.Generic;
using IvtGen.Tables;

namespace IvtGen.Loading;

/// <summary>How to choose a variant.</summary>
public sealed class IvtSelectionOptions
{
    /// <summary>Decides the platform when <see cref="Platform"/> is not set.</summary>
    public IPlatformProbe? Probe { get; set; }
    /// <summary>An explicit platform: wins over the probe.</summary>
    public IvtPlatform? Platform { get; set; }
    /// <summary>An explicit variant ("xen-alta"): it must exist and suit the platform; no preference applies.</summary>
    public string? Variant { get; set; }
    /// <summary>On Xen, take AltA (out-of-line stubs) even when AltB (inline) was emitted.</summary>
    public bool PreferAltA { get; set; }
}

/// <summary>The variant chosen, for which platform, and why.</summary>
public sealed class IvtSelection
{
    public IvtSelection(IvtImage image, PlatformProbeResult platform, string reason)
    {
        Image = image;
        Platform = platform;
        Reason = reason;
    }

    public IvtImage Image { get; }
    public string Variant => Image.Variant;
    public PlatformProbeResult Platform { get; }
    /// <summary>Why this variant: "preferred on Xen", "the table has no xen-altb variant", ….</summary>
    public string Reason { get; }

    public override string ToString() => $"{Image.Table}.{Image.Variant} for {Platform}: {Reason}";
}

/// <summary>
/// Picks the variant of a table set to install: "native" on bare hardware; on Xen "xen-altb" (inline sequences),
/// else "xen-alta" (out-of-line stubs), or AltA first when the caller asks. A missing variant is an
/// <see cref="IvtVariantMissingException"/>, never a fallback to another platform's table.
/// </summary>
public static class IvtSelector
{
    public static IvtSelection Select(IvtTableSet set, IvtSelectionOptions options)
    {
        PlatformProbeResult platform;
        if (options.Platform is IvtPlatform p) platform = new PlatformProbeResult(p, "explicit override");
        else if (options.Probe is not null) platform = options.Probe.Probe();
        else if (options.Variant is not null) platform = new PlatformProbeResult(VariantRules.PlatformOf(options.Variant), $"implied by the requested variant {options.Variant}");
        else throw new IvtLoadException("no platform: give a probe (IPlatformProbe) or an explicit platform");

        var available = new List<string>();
        foreach (var i in set.Images) available.Add(i.Variant);

        if (options.Variant is { } wanted)
        {
            if (VariantRules.PlatformOf(wanted) != platform.Platform)
                throw new IvtLoadException($"variant {wanted} is built for {VariantRules.PlatformOf(wanted).ToString().ToLowerInvariant()}, " +
                    $"but the platform is {platform}");
            var img = set[wanted] ?? throw new IvtVariantMissingException(set.Name, platform.Platform, new[] { wanted }, available);
            return new IvtSelection(img, platform, $"{wanted}, as requested");
        }

        if (platform.Platform == IvtPlatform.Native)
        {
            var native = set[VariantRules.Native] ?? throw new IvtVariantMissingException(set.Name, platform.Platform, new[] { VariantRules.Native }, available);
            return new IvtSelection(native, platform, "native: the table for bare hardware");
        }

        var altb = set[VariantRules.XenAltB];
        var alta = set[VariantRules.XenAltA];
        if (options.PreferAltA)
        {
            if (alta is not null) return new IvtSelection(alta, platform, "xen-alta (out-of-line stubs): the caller asked for AltA");
            if (altb is not null) return new IvtSelection(altb, platform, "xen-altb (inline): AltA was asked for but the table has no xen-alta variant");
        }
        else
        {
            if (altb is not null) return new IvtSelection(altb, platform, "xen-altb (inline sequences): preferred on Xen");
            if (alta is not null) return new IvtSelection(alta, platform, "xen-alta (out-of-line stubs): the table has no xen-altb variant, AltA is the fallback");
        }
        throw new IvtVariantMissingException(set.Name, platform.Platform,
            options.PreferAltA ? new[] { VariantRules.XenAltA, VariantRules.XenAltB } : new[] { VariantRules.XenAltB, VariantRules.XenAltA }, available);
    }
}

/// <summary>Everything <see cref="IvtLoader.Load"/> needs: how to select, what was recorded, and optionally where to link.</summary>
public sealed class IvtLoadOptions
{
    public IvtSelectionOptions Selection { get; set; } = new();
    /// <summary>Recorded sizes per variant (the manifest's <c>size</c>), checked when present.</summary>
    public IReadOnlyDictionary<string, long>? ExpectedSizes { get; set; }
    /// <summary>Where to link; null to verify only.</summary>
    public IvtLinkOptions? Link { get; set; }
}

/// <summary>The result of the one call: what was chosen and why, the verified image and, when asked, the linked one.</summary>
public sealed class LoadedIvt
{
    public LoadedIvt(IvtSelection selection, VerifiedIvt verified, LinkedIvt? linked)
    {
        Selection = selection;
        Verified = verified;
        Linked = linked;
    }

    public IvtSelection Selection { get; }
    public VerifiedIvt Verified { get; }
    public LinkedIvt? Linked { get; }
}

/// <summary>Select, verify and (optionally) link in one call; each step is also public on its own.</summary>
public static class IvtLoader
{
    /// <exception cref="IvtLoadException">No platform, or the variant is missing (<see cref="IvtVariantMissingException"/>).</exception>
    /// <exception cref="IvtVerificationException">The image, or the linked image, breaks a rule: every finding is listed.</exception>
    public static LoadedIvt Load(IvtTableSet set, IvtLoadOptions options)
    {
        var selection = IvtSelector.Select(set, options.Selection);
        long? size = options.ExpectedSizes is not null && options.ExpectedSizes.TryGetValue(selection.Variant, out long s) ? s : null;
        var verified = IvtVerifier.Verify(selection.Image, new IvtVerifyOptions { ExpectedSize = size });
        var linked = options.Link is null ? null : IvtLinker.Link(verified, options.Link);
        return new LoadedIvt(selection, verified, linked);
    }
}
