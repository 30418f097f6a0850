using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Dsl;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Loading;

/// <summary>
/// Single-bit flips: every bit of the first bundles of each populated vector and of each routine, every bit of every
/// Xen AltA stub, plus a seeded random sample of every other bit of the image, must be rejected. Each flip is also checked with the
/// digest recomputed, to count how many the structural checks alone catch (a flip that turns one valid
/// instruction into another valid one can only be caught by the digest).
/// </summary>
public sealed class TamperTests
{
    private const int FirstBundles = 4;
    private const int RandomFlips = 3000;
    private readonly ITestOutputHelper _out;

    public TamperTests(ITestOutputHelper output) => _out = output;

    public static IEnumerable<object[]> Images() => new[] { "sample", "native-relocations", "xen-like", "pv-xen-alta", "itc-xen-alta", "itc-xen-altb" }
        .Select(n => new object[] { n });

    private static IvtImage Get(string name) => name switch
    {
        "sample" => TestImages.Sample(),
        "native-relocations" => TestImages.NativeWithRelocations().Image,
        "xen-like" => TestImages.XenLike().Image,
        "pv-xen-alta" => TestImages.PvSample().Single(i => i.Variant == VariantRules.XenAltA),
        "itc-xen-alta" => TestImages.ItcTable().Single(i => i.Variant == VariantRules.XenAltA),
        "itc-xen-altb" => TestImages.ItcTable().Single(i => i.Variant == VariantRules.XenAltB),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The byte ranges of the AltA stubs (symbols named <c>__pv_</c>…, each up to the next symbol or the end).</summary>
    private static List<(long Start, long End)> Stubs(IvtImage image)
    {
        var bySymbol = image.Symbols.OrderBy(s => s.Address).ToList();
        var stubs = new List<(long, long)>();
        for (int i = 0; i < bySymbol.Count; i++)
            if (bySymbol[i].Name.StartsWith("__pv_", StringComparison.Ordinal))
                stubs.Add((bySymbol[i].Address, i + 1 < bySymbol.Count ? bySymbol[i + 1].Address : image.Bytes.Length));
        return stubs;
    }

    /// <summary>The bit positions to flip: (byte, bit).</summary>
    private static List<(int Byte, int Bit)> Positions(IvtImage image, int seed)
    {
        var chosen = new HashSet<int>();
        var starts = new List<long>();
        foreach (var v in image.Vectors) if (v.Handler.Length > 0) starts.Add(v.Offset);
        foreach (var s in image.Symbols) if (s.Address >= IvtImage.TableSize) starts.Add(s.Address);   // routines and stubs
        foreach (long start in starts)
            for (int b = 0; b < FirstBundles * 16 * 8; b++)
            {
                long bit = start * 8 + b;
                if (bit < image.Bytes.Length * 8L) chosen.Add((int)bit);
            }
        foreach (var (start, end) in Stubs(image))
            for (long bit = start * 8; bit < end * 8; bit++) chosen.Add((int)bit);
        var rnd = new Random(seed);
        int total = image.Bytes.Length * 8;
        int wanted = chosen.Count + RandomFlips;
        while (chosen.Count < wanted) chosen.Add(rnd.Next(total));
        return chosen.OrderBy(x => x).Select(x => (x / 8, x % 8)).ToList();
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Every_single_bit_flip_is_rejected(string name)
    {
        var image = Get(name);
        var positions = Positions(image, seed: 20240611);
        int rejected = 0, structural = 0, structuralInCode = 0, inCode = 0, inStubs = 0, structuralInStubs = 0;
        var stubs = Stubs(image);
        if (image.Variant == VariantRules.XenAltA) Assert.NotEmpty(stubs);
        var missed = new List<string>();
        foreach (var (at, bit) in positions)
        {
            var bytes = TestImages.Flip(image.Bytes, at, bit);
            var findings = IvtVerifier.Check(TestImages.WithBytes(image, bytes, recomputeDigest: false), new IvtVerifyOptions { ExpectedSize = image.Bytes.Length });
            if (findings.Count > 0) rejected++;
            else missed.Add($"0x{at:x}.{bit}");
            bool code = IsCode(image, at);
            bool stub = stubs.Any(x => at >= x.Start && at < x.End);
            if (code) inCode++;
            if (stub) inStubs++;
            if (IvtVerifier.Check(TestImages.WithBytes(image, bytes, recomputeDigest: true)).Count > 0)
            {
                structural++;
                if (code) structuralInCode++;
                if (stub) structuralInStubs++;
            }
        }
        _out.WriteLine($"{name}: {positions.Count} flips tried, {rejected} rejected; with the digest recomputed {structural} rejected by structure alone " +
            $"({structuralInCode} of {inCode} in handler/routine code, of which {structuralInStubs} of {inStubs} in AltA stubs; " +
            $"{structural - structuralInCode} of {positions.Count - inCode} in padding)");
        // Every bit of every stub was flipped.
        Assert.Equal(stubs.Sum(x => x.End - x.Start) * 8, inStubs);
        Assert.True(missed.Count == 0, "accepted: " + string.Join(", ", missed.Take(20)));
        Assert.Equal(positions.Count, rejected);
        // Padding is all zero: any flip there is code where the map says there is none.
        Assert.Equal(positions.Count - inCode, structural - structuralInCode);
    }

    /// <summary>Whether the byte lies in a handler's used bundles or in the out-of-line code.</summary>
    private static bool IsCode(IvtImage image, int at)
    {
        if (at >= IvtImage.TableSize) return true;
        int v = at < IvtLayout.ShortBase ? at / 0x400 : IvtLayout.LongEntries + (at - IvtLayout.ShortBase) / 0x100;
        return at < image.Vectors[v].Offset + image.Vectors[v].BundlesUsed * 16;
    }
}
