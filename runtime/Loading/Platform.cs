using System;
using System.Text;

namespace IvtGen.Loading;

/// <summary>Where the table will run.</summary>
public enum IvtPlatform
{
    /// <summary>Bare hardware at privilege level 0: the native table.</summary>
    Native,
    /// <summary>A paravirtualized Xen guest: one of the Xen variants.</summary>
    Xen,
}

/// <summary>What a probe found and the evidence it went by.</summary>
public sealed class PlatformProbeResult
{
    public PlatformProbeResult(IvtPlatform platform, string evidence)
    {
        Platform = platform;
        Evidence = evidence;
    }

    public IvtPlatform Platform { get; }
    /// <summary>Why: "hypervisor_type = 1 (PARAVIRT_HYPERVISOR_TYPE_XEN)", "override", ….</summary>
    public string Evidence { get; }

    public override string ToString() => $"{Platform.ToString().ToLowerInvariant()} ({Evidence})";
}

/// <summary>Decides which platform the program runs on.</summary>
public interface IPlatformProbe
{
    PlatformProbeResult Probe();
}

/// <summary>An explicit platform: the override a caller or <c>--platform</c> gives.</summary>
public sealed class FixedPlatformProbe : IPlatformProbe
{
    private readonly IvtPlatform _platform;
    private readonly string _evidence;

    public FixedPlatformProbe(IvtPlatform platform, string evidence = "explicit override")
    {
        _platform = platform;
        _evidence = evidence;
    }

    public PlatformProbeResult Probe() => new(_platform, _evidence);
}

/// <summary>
/// Decides the platform the way Linux/IA-64 does at boot. Xen's domain builder enters the kernel through
/// <c>startup_xen</c>, which stores <c>PARAVIRT_HYPERVISOR_TYPE_XEN</c> (1) into <c>hypervisor_type</c> before
/// jumping to <c>_start</c>; head.S then indexes <c>hypervisor_setup_hooks[hypervisor_type]</c>, and the Xen hook
/// installs <c>xen_ivt</c> (shared/reference/linux-pv-ivt.md §4.2). A Xen start-info page, when present, begins
/// with the magic string <c>"xen-&lt;version&gt;-&lt;arch&gt;"</c>; its presence is the same evidence.
/// </summary>
public sealed class HypervisorDescriptorProbe : IPlatformProbe
{
    /// <summary><c>PARAVIRT_HYPERVISOR_TYPE_DEFAULT</c>: no hypervisor.</summary>
    public const long TypeDefault = 0;
    /// <summary><c>PARAVIRT_HYPERVISOR_TYPE_XEN</c>.</summary>
    public const long TypeXen = 1;

    private readonly long _hypervisorType;
    private readonly byte[]? _startInfo;

    /// <param name="hypervisorType">The value of Linux's <c>hypervisor_type</c> word.</param>
    /// <param name="startInfo">The start-info page the hypervisor handed over, or null when there is none.</param>
    public HypervisorDescriptorProbe(long hypervisorType, byte[]? startInfo = null)
    {
        _hypervisorType = hypervisorType;
        _startInfo = startInfo;
    }

    public PlatformProbeResult Probe()
    {
        if (_hypervisorType == TypeXen) return new(IvtPlatform.Xen, "hypervisor_type = 1 (PARAVIRT_HYPERVISOR_TYPE_XEN)");
        if (_startInfo is { } si && StartInfoMagic(si) is { } magic) return new(IvtPlatform.Xen, $"start-info magic \"{magic}\"");
        if (_hypervisorType != TypeDefault)
            throw new IvtLoadException($"hypervisor_type = {_hypervisorType} names no hypervisor IvtGen has a table for (0 = none, 1 = Xen)");
        return new(IvtPlatform.Native, "hypervisor_type = 0 (PARAVIRT_HYPERVISOR_TYPE_DEFAULT), no Xen start-info");
    }

    /// <summary>The start-info magic ("xen-3.0-ia64") when <paramref name="page"/> begins with one, else null.</summary>
    public static string? StartInfoMagic(byte[] page)
    {
        int n = 0;
        while (n < page.Length && n < 32 && page[n] != 0) n++;
        if (n < 4 || page[0] != (byte)'x' || page[1] != (byte)'e' || page[2] != (byte)'n' || page[3] != (byte)'-') return null;
        for (int i = 0; i < n; i++) if (page[i] < 0x20 || page[i] > 0x7e) return null;
        return Encoding.ASCII.GetString(page, 0, n);
    }
}
