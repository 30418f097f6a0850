using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IvtGen.Loading;

/// <summary>What kind of rule a finding breaks.</summary>
public enum FindingKind
{
    /// <summary>The SHA-256 of the bytes differs from the recorded digest.</summary>
    Digest,
    /// <summary>Size, IVT layout, vector map, symbols or relocation records are wrong.</summary>
    Layout,
    /// <summary>A bundle does not decode: reserved template or a slot that holds no instruction of its unit.</summary>
    Decode,
    /// <summary>The variant holds an instruction its platform forbids (privileged/sensitive on Xen, hypercall on native).</summary>
    Variant,
    /// <summary>An IP-relative target lands outside the image and on no declared external symbol.</summary>
    Branch,
    /// <summary>A relocation cannot be applied or does not fit its instruction.</summary>
    Relocation,
    /// <summary>A Xen AltA site does not branch to the start of a stub, or its stub does not return through b7.</summary>
    Stub,
}

/// <summary>One broken rule: where (byte offset, vector, bundle, slot) and why.</summary>
public sealed class IvtFinding
{
    public IvtFinding(FindingKind kind, long offset, int vector, string region, int bundle, int slot, string reason)
    {
        Kind = kind;
        Offset = offset;
        Vector = vector;
        Region = region;
        Bundle = bundle;
        Slot = slot;
        Reason = reason;
    }

    public FindingKind Kind { get; }
    /// <summary>Byte offset in the image (IVT at 0, out-of-line code from 0x8000), or −1 for the whole image.</summary>
    public long Offset { get; }
    /// <summary>The IVT entry (0–67) the offset lies in, or −1 outside the IVT.</summary>
    public int Vector { get; }
    /// <summary>"vector 1 ItlbMiss", "out-of-line page_fault", or "image".</summary>
    public string Region { get; }
    /// <summary>The bundle's index from the start of its vector (or of the out-of-line code), or −1.</summary>
    public int Bundle { get; }
    /// <summary>The slot (0–2), or −1 when the finding is about a whole bundle or more.</summary>
    public int Slot { get; }
    public string Reason { get; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Offset >= 0) sb.Append("0x").Append(Offset.ToString("x5", CultureInfo.InvariantCulture)).Append(' ');
        sb.Append(Region);
        if (Bundle >= 0) sb.Append(" bundle ").Append(Bundle.ToString(CultureInfo.InvariantCulture));
        if (Slot >= 0) sb.Append(" slot ").Append(Slot.ToString(CultureInfo.InvariantCulture));
        sb.Append(": ").Append(Kind.ToString().ToLowerInvariant()).Append(": ").Append(Reason);
        return sb.ToString();
    }
}

/// <summary>Selection or loading cannot proceed: a missing variant, an unknown platform, an unreadable table set.</summary>
public class IvtLoadException : Exception
{
    public IvtLoadException(string message) : base(message) { }
    public IvtLoadException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The table set has no variant for the platform (e.g. it was built without <c>XEN</c>).</summary>
public sealed class IvtVariantMissingException : IvtLoadException
{
    public IvtVariantMissingException(string table, IvtPlatform platform, IReadOnlyList<string> wanted, IReadOnlyList<string> available)
        : base(Describe(table, platform, wanted, available))
    {
        Table = table;
        Platform = platform;
        Wanted = wanted;
        Available = available;
    }

    public string Table { get; }
    public IvtPlatform Platform { get; }
    public IReadOnlyList<string> Wanted { get; }
    public IReadOnlyList<string> Available { get; }

    private static string Describe(string table, IvtPlatform platform, IReadOnlyList<string> wanted, IReadOnlyList<string> available)
    {
        string p = platform.ToString().ToLowerInvariant();
        string hint = platform == IvtPlatform.Xen ? " (build it with XEN defined: dotnet build -p:DefineConstants=XEN, or ivtgen build --define XEN)" : "";
        return $"table {table} has no {string.Join(" or ", wanted)} variant for platform {p}{hint}; it has: " +
            (available.Count == 0 ? "none" : string.Join(", ", available)) + ". The loader does not fall back to another platform's table.";
    }
}

/// <summary>Verification failed: every finding, not just the first.</summary>
public sealed class IvtVerificationException : Exception
{
    public IvtVerificationException(string table, string variant, IReadOnlyList<IvtFinding> findings)
        : base(Describe(table, variant, findings))
    {
        Table = table;
        Variant = variant;
        Findings = findings;
    }

    public string Table { get; }
    public string Variant { get; }
    public IReadOnlyList<IvtFinding> Findings { get; }

    private static string Describe(string table, string variant, IReadOnlyList<IvtFinding> findings)
    {
        var sb = new StringBuilder();
        sb.Append(table).Append('.').Append(variant).Append(": verification failed with ")
            .Append(findings.Count.ToString(CultureInfo.InvariantCulture)).Append(findings.Count == 1 ? " finding" : " findings");
        foreach (var f in findings) sb.Append('\n').Append("  ").Append(f);
        return sb.ToString();
    }
}
