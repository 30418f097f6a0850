using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using IvtGen.Dsl;
using IvtGen.Elf;
using IvtGen.Isa;
using IvtGen.Tables;

namespace IvtGen.Loading;

/// <summary>Options for <see cref="IvtVerifier.Verify"/>.</summary>
public sealed class IvtVerifyOptions
{
    /// <summary>The image size the generator recorded (the manifest's <c>size</c>), checked when set.</summary>
    public long? ExpectedSize { get; set; }
}

/// <summary>
/// An image that passed every check. Only <see cref="IvtVerifier.Verify"/> makes one, and the linker takes nothing
/// else, so unverified bytes cannot be linked. It keeps the decoded bundles so linking does not decode again.
/// </summary>
public sealed class VerifiedIvt
{
    internal VerifiedIvt(IvtImage image, BundleFacts?[] facts, List<TargetSite> targets, Dictionary<string, long> symbols,
        Dictionary<string, long> externals)
    {
        Image = image;
        Facts = facts;
        Targets = targets;
        SymbolAddresses = symbols;
        ExternalAddresses = externals;
    }

    public IvtImage Image { get; }
    internal BundleFacts?[] Facts { get; }
    /// <summary>Every IP-relative operand of the image, in bundle order.</summary>
    internal List<TargetSite> Targets { get; }
    /// <summary>The image's own symbols, at their addresses with the image linked at 0.</summary>
    public IReadOnlyDictionary<string, long> SymbolAddresses { get; }
    /// <summary>Each external symbol the image references, at the address it was built with (what its references reach).</summary>
    public IReadOnlyDictionary<string, long> ExternalAddresses { get; }
}

/// <summary>
/// Fail-closed verification of a generated image: digest, size and IVT layout, every bundle decodes, the variant's
/// rules (Xen: no privileged or sensitive instruction but the catalogue's own, inside its exact sequence
/// (<see cref="RetainedReads"/>); native: no hyperprivop), relocation records that fit their instructions, every
/// IP-relative target inside the image or on a declared external symbol, and in xen-alta every site's stub present and
/// returning through b7 (<see cref="AltAStubs"/>). A failure throws one <see cref="IvtVerificationException"/> listing
/// every finding.
/// </summary>
public static class IvtVerifier
{
    /// <summary>Verifies <paramref name="image"/>; throws <see cref="IvtVerificationException"/> listing every finding.</summary>
    public static VerifiedIvt Verify(IvtImage image, IvtVerifyOptions? options = null)
    {
        var result = Run(image, image.Bytes, AddressMap.Unlinked, null, checkDigest: true, options?.ExpectedSize);
        if (result.Findings.Count > 0) throw new IvtVerificationException(image.Table, image.Variant, result.Findings);
        return new VerifiedIvt(image, result.Facts, result.Targets, result.Symbols, result.Externals);
    }

    /// <summary>Every finding for <paramref name="image"/>, without throwing (empty when it verifies).</summary>
    public static IReadOnlyList<IvtFinding> Check(IvtImage image, IvtVerifyOptions? options = null) =>
        Run(image, image.Bytes, AddressMap.Unlinked, null, checkDigest: true, options?.ExpectedSize).Findings;

    /// <summary>Where the image's two parts sit: the IVT at <see cref="IvtBase"/>, the out-of-line code at <see cref="OutOfLineBase"/>.</summary>
    internal readonly struct AddressMap
    {
        public readonly ulong IvtBase;
        public readonly ulong OutOfLineBase;

        public AddressMap(ulong ivtBase, ulong outOfLineBase)
        {
            IvtBase = ivtBase;
            OutOfLineBase = outOfLineBase;
        }

        public static AddressMap Unlinked => new(0, IvtImage.TableSize);

        public ulong AddressOf(long offset) => offset < IvtImage.TableSize ? IvtBase + (ulong)offset : OutOfLineBase + (ulong)(offset - IvtImage.TableSize);

        /// <summary>The image offset at <paramref name="address"/>, or −1 when no byte of the image is there.</summary>
        public long OffsetOf(ulong address, long imageLength)
        {
            if (address - IvtBase < (ulong)Math.Min(imageLength, IvtImage.TableSize)) return (long)(address - IvtBase);
            if (imageLength > IvtImage.TableSize && address - OutOfLineBase < (ulong)(imageLength - IvtImage.TableSize))
                return IvtImage.TableSize + (long)(address - OutOfLineBase);
            return -1;
        }
    }

    internal sealed class RunResult
    {
        public readonly List<IvtFinding> Findings = new();
        public BundleFacts?[] Facts = new BundleFacts?[0];
        public readonly List<TargetSite> Targets = new();
        public Dictionary<string, long> Symbols = new(StringComparer.Ordinal);
        public Dictionary<string, long> Externals = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// The checks, over <paramref name="bytes"/> laid out as the image (IVT then out-of-line code) and placed per
    /// <paramref name="map"/>. <paramref name="resolved"/>, for a linked image, gives each external's final address.
    /// </summary>
    internal static RunResult Run(IvtImage image, ReadOnlySpan<byte> bytes, AddressMap map, IReadOnlyDictionary<string, long>? resolved,
        bool checkDigest, long? expectedSize)
    {
        var r = new RunResult();
        var where = new Locator(image);
        long len = bytes.Length;

        if (checkDigest) CheckDigest(image, bytes, r, where);

        // Size and shape.
        if (len < IvtImage.TableSize)
            r.Findings.Add(where.Image(FindingKind.Layout, $"the image is {len} bytes, shorter than the {IvtImage.TableSize}-byte IVT"));
        if (len % Bundle.Size != 0)
            r.Findings.Add(where.At(FindingKind.Layout, len - len % Bundle.Size, -1,
                $"{len % Bundle.Size} bytes after the last whole bundle: the image is {len} bytes, not a whole number of 16-byte bundles"));
        if (expectedSize is long want && want != len)
            r.Findings.Add(where.Image(FindingKind.Layout, $"the image is {len} bytes but {want} were recorded ({(len < want ? "truncated" : "extended")})"));

        // Decode every bundle once.
        int n = (int)(len / Bundle.Size);
        var facts = BundleFacts.DecodeAll(bytes.Slice(0, n * Bundle.Size), r.Targets);
        r.Facts = facts;

        CheckVectorMap(image, bytes, facts.Length, r, where);
        CheckSymbols(image, len, r, where);
        var sites = CheckRelocations(image, bytes, facts, map, resolved, r, where);

        bool xen = VariantRules.IsXen(image.Variant);
        for (int b = 0; b < n; b++)
        {
            var f = facts[b];
            if (f is null) continue; // ordinary
            long off = (long)b * Bundle.Size;
            if (f.Template is null)
            {
                r.Findings.Add(where.At(FindingKind.Decode, off, -1, $"reserved template 0x{f.Bits.TemplateCode:x2}"));
                continue;
            }
            if (f.Undecodable != 0)
                for (int s = 0; s < 3; s++)
                    if ((f.Undecodable >> s & 1) != 0)
                    {
                        var kind = f.Template.Slots[s];
                        ulong word = f.Bits.Slot(s);
                        r.Findings.Add(where.At(FindingKind.Decode, off, s,
                            $"slot holds 0x{word:x11}, which is no {kind}-unit instruction (template {f.Template.Name})"));
                    }
            if (xen && f.Forbidden != 0)
                for (int s = 0; s < 3; s++)
                    if ((f.Forbidden >> s & 1) != 0)
                    {
                        // The catalogue's own Xen sequences keep one sensitive read (ar.itc in MOV_FROM_ITC): accepted
                        // only inside exactly that sequence, checked by decoding the code around it.
                        if (RetainedReads.IsRetained(bytes, facts, b, s, image.Variant, out _)) continue;
                        var ins = f.Ins(s);
                        string why = ins.Form.Has(InsnFlags.Privileged) ? "privileged" : "sensitive under Xen";
                        r.Findings.Add(where.At(FindingKind.Variant, off, s,
                            $"'{Formatter.Format(ins, (long)map.AddressOf(off))}' is {why}; a {image.Variant} table may hold none"));
                    }
            if (!xen && f.Hypercall != 0)
                for (int s = 0; s < 3; s++)
                    if ((f.Hypercall >> s & 1) != 0)
                        r.Findings.Add(where.At(FindingKind.Variant, off, s,
                            $"'{Formatter.Format(f.Ins(s), (long)map.AddressOf(off))}' is a Xen hyperprivop (break 0x{VariantRules.HyperprivopFirst:x}–0x{VariantRules.HyperprivopLast:x}); a {image.Variant} table may hold none"));
        }
        foreach (var tr in r.Targets)
        {
            long off = (long)tr.Bundle * Bundle.Size;
            ulong site = map.AddressOf(off);
            ulong target = site + (ulong)tr.Displacement;
            if (map.OffsetOf(target, len) >= 0) continue;
            if (sites.TryGetValue(SiteKey(tr.Bundle, tr.Slot), out var ext) && ext.External && ext.Operand == tr.Operand && (ulong)ext.Expected == target)
                continue;
            r.Findings.Add(where.At(FindingKind.Branch, off, tr.Slot,
                $"'{Formatter.Format(BundleFacts.At(facts, bytes, tr.Bundle).Ins(tr.Slot), (long)site)}' targets 0x{target:x}, outside the image ({Ranges(map, len)}) and on no declared external symbol"));
        }
        if (image.Variant == VariantRules.XenAltA) AltAStubs.Check(bytes, facts, map, r, where);
        r.Findings.Sort((a, c) => a.Offset != c.Offset ? a.Offset.CompareTo(c.Offset) : a.Slot.CompareTo(c.Slot));
        return r;
    }

    private static string Ranges(AddressMap map, long len)
    {
        long ivtEnd = Math.Min(len, IvtImage.TableSize);
        string s = $"IVT 0x{map.IvtBase:x}–0x{map.IvtBase + (ulong)ivtEnd:x}";
        if (len > IvtImage.TableSize) s += $", out-of-line 0x{map.OutOfLineBase:x}–0x{map.OutOfLineBase + (ulong)(len - IvtImage.TableSize):x}";
        return s;
    }

    private static void CheckDigest(IvtImage image, ReadOnlySpan<byte> bytes, RunResult r, Locator where)
    {
        var recorded = new byte[32];
        string hex = image.Sha256 ?? "";
        bool parsed = hex.Length == 64;
        for (int i = 0; parsed && i < 32; i++)
        {
            int hiNib = Nibble(hex[2 * i]), loNib = Nibble(hex[2 * i + 1]);
            if (hiNib < 0 || loNib < 0) parsed = false;
            else recorded[i] = (byte)(hiNib << 4 | loNib);
        }
        if (!parsed)
        {
            r.Findings.Add(where.Image(FindingKind.Digest, $"the recorded digest '{hex}' is not a SHA-256 in hex"));
            return;
        }
        var actual = Sha256(bytes);
        for (int i = 0; i < 32; i++)
            if (actual[i] != recorded[i])
            {
                r.Findings.Add(where.Image(FindingKind.Digest, $"SHA-256 of the {bytes.Length} bytes is {Hex(actual)}, the generator recorded {hex.ToLowerInvariant()}"));
                return;
            }
    }

    internal static byte[] Sha256(ReadOnlySpan<byte> bytes)
    {
#if NET
        var d = new byte[32];
        SHA256.HashData(bytes, d);
        return d;
#else
        using var sha = SHA256.Create();
        return sha.ComputeHash(bytes.ToArray());
#endif
    }

    private static int Nibble(char c) => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    internal static string Hex(byte[] b)
    {
        var c = new char[b.Length * 2];
        for (int i = 0; i < b.Length; i++)
        {
            c[2 * i] = "0123456789abcdef"[b[i] >> 4];
            c[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
        }
        return new string(c);
    }

    /// <summary>68 entries at their architected offsets and capacities; each handler within its slot, the rest zero padding.</summary>
    private static void CheckVectorMap(IvtImage image, ReadOnlySpan<byte> bytes, int bundles, RunResult r, Locator where)
    {
        var v = image.Vectors;
        if (v.Count != IvtLayout.EntryCount)
            r.Findings.Add(where.Image(FindingKind.Layout, $"the vector map has {v.Count} entries; the IVT has {IvtLayout.EntryCount}"));
        int count = Math.Min(v.Count, IvtLayout.EntryCount);
        for (int i = 0; i < count; i++)
        {
            var e = v[i];
            int offset = IvtLayout.Offset(i), capacity = IvtLayout.Capacity(i);
            if (e.Index != i || e.Offset != offset || e.Capacity != capacity)
            {
                r.Findings.Add(where.At(FindingKind.Layout, offset, -1,
                    $"the vector map says entry {e.Index} at 0x{e.Offset:x4} with {e.Capacity} bundles; the architected entry {i} is at 0x{offset:x4} with {capacity}"));
                continue;
            }
            if (e.BundlesUsed < 0 || e.BundlesUsed > capacity)
            {
                r.Findings.Add(where.At(FindingKind.Layout, offset, -1,
                    $"handler {e.Handler} uses {e.BundlesUsed} bundles; the slot holds {capacity}"));
                continue;
            }
            if (e.Handler.Length == 0 && e.BundlesUsed != 0)
                r.Findings.Add(where.At(FindingKind.Layout, offset, -1, $"an empty entry that uses {e.BundlesUsed} bundles"));
            // Past the handler, up to the next entry, only zero padding (what .org fills with).
            int first = offset / Bundle.Size + e.BundlesUsed, end = Math.Min(bundles, offset / Bundle.Size + capacity);
            for (int b = first; b < end; b++)
            {
                if (IsZero(bytes.Slice(b * Bundle.Size, Bundle.Size))) continue;
                r.Findings.Add(where.At(FindingKind.Layout, (long)b * Bundle.Size, -1, e.Handler.Length == 0
                    ? "an empty entry holds code (only zero padding expected)"
                    : $"code after the {e.BundlesUsed} bundles the vector map gives handler {e.Handler} (only zero padding expected)"));
                break;
            }
        }
    }

    internal static bool IsZero(ReadOnlySpan<byte> bundle) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(bundle) | BinaryPrimitives.ReadUInt64LittleEndian(bundle.Slice(8))) == 0;

    private static void CheckSymbols(IvtImage image, long len, RunResult r, Locator where)
    {
        bool sawTable = false;
        foreach (var s in image.Symbols)
        {
            if (s.Address < 0 || s.Address >= Math.Max(len, 1) || s.Address % Bundle.Size != 0)
            {
                r.Findings.Add(where.Image(FindingKind.Layout, $"symbol {s.Name} at 0x{s.Address:x} is not a bundle of the {len}-byte image"));
            }
            if (r.Symbols.ContainsKey(s.Name))
            {
                r.Findings.Add(where.Image(FindingKind.Layout, $"symbol {s.Name} is defined twice"));
            }
            else r.Symbols.Add(s.Name, s.Address);
            if (s.Name == image.Table) sawTable = true;
        }
        if (!sawTable || (r.Symbols.TryGetValue(image.Table, out long t) && t != 0))
        {
            r.Findings.Add(where.Image(FindingKind.Layout, $"the table symbol {image.Table} must name offset 0"));
        }
    }

    internal static long SiteKey(int bundle, int slot) => (long)bundle * 4 + slot;

    internal sealed class Site
    {
        public IvtRelocation Record = null!;
        public int Bundle;
        public int Slot;
        public int Operand;
        public Ia64Relocation Type;
        public bool External;
        /// <summary>The value the operand reaches (an address): for a PC-relative one, site + displacement.</summary>
        public long Expected;
        /// <summary>Reached address minus the symbol's address.</summary>
        public long Addend;
    }

    /// <summary>
    /// Each relocation names a bundle and slot holding an instruction whose relocatable operand is of the recorded kind,
    /// and a symbol the image defines or an external; all references to one external reach the same address.
    /// </summary>
    private static Dictionary<long, Site> CheckRelocations(IvtImage image, ReadOnlySpan<byte> bytes, BundleFacts?[] facts, AddressMap map,
        IReadOnlyDictionary<string, long>? resolved, RunResult r, Locator where)
    {
        var sites = new Dictionary<long, Site>();
        foreach (var rel in image.Relocations)
        {
            if (rel.Offset < 0 || rel.Offset % Bundle.Size != 0 || rel.Offset / Bundle.Size >= facts.Length || rel.Slot < 0 || rel.Slot > 2)
            {
                r.Findings.Add(where.Image(FindingKind.Relocation, $"relocation {rel.Kind} {rel.Symbol} at 0x{rel.Offset:x} slot {rel.Slot} names no slot of the image"));
                continue;
            }
            int b = (int)(rel.Offset / Bundle.Size);
            int slot = rel.Slot;
            if (!BundleFacts.TryDecodeSlot(bytes, b, ref slot, out _, out var ins)) continue; // reported as a decode finding
            if (!RelocationSites.TryGet(ins.Form, out int operand, out var type))
            {
                r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot,
                    $"relocation {rel.Kind} {rel.Symbol}: '{Formatter.Format(ins, (long)map.AddressOf(rel.Offset))}' has no relocatable operand"));
                continue;
            }
            if (!RelocationSites.TryParseKind(rel.Kind, out var kind) || kind != type)
            {
                r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot,
                    $"relocation kind {rel.Kind} does not fit '{ins.Form.Mnemonic}' (GNU as emits R_IA64_{RelocationSites.Name(type)})"));
                continue;
            }
            bool external = !r.Symbols.ContainsKey(rel.Symbol);
            long value = ins.Values[operand];
            long reached = RelocationSites.IsPcRelative(type) ? (long)map.AddressOf(rel.Offset) + value : value;
            var site = new Site { Record = rel, Bundle = b, Slot = slot, Operand = operand, Type = type, External = external, Expected = reached };
            if (sites.ContainsKey(SiteKey(b, slot)))
            {
                r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot, $"two relocations for one slot ({rel.Symbol})"));
                continue;
            }
            sites.Add(SiteKey(b, slot), site);
            if (external)
            {
                if (resolved is not null)
                {
                    if (!resolved.TryGetValue(rel.Symbol, out long want))
                        r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot, $"external symbol {rel.Symbol} has no address"));
                    else if (want != reached)
                        r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot,
                            $"reaches 0x{reached:x}, but external symbol {rel.Symbol} is at 0x{want:x}"));
                }
                else if (r.Externals.TryGetValue(rel.Symbol, out long first))
                {
                    if (first != reached)
                        r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot,
                            $"reaches 0x{reached:x}, but other references to external symbol {rel.Symbol} reach 0x{first:x}"));
                }
                else r.Externals.Add(rel.Symbol, reached);
            }
            else
            {
                long symAt = (long)map.AddressOf(r.Symbols[rel.Symbol]);
                site.Addend = reached - symAt;
                if (map.OffsetOf((ulong)reached, facts.Length * (long)Bundle.Size) < 0)
                    r.Findings.Add(where.At(FindingKind.Relocation, rel.Offset, rel.Slot,
                        $"relocation against {rel.Symbol} reaches 0x{reached:x}, outside the image"));
            }
        }
        return sites;
    }

    /// <summary>Names the place of an offset: vector and bundle in the IVT, nearest symbol in the out-of-line code.</summary>
    internal sealed class Locator
    {
        private readonly IvtImage _image;
        private List<IvtSymbol>? _outOfLine;

        public Locator(IvtImage image) => _image = image;

        public IvtFinding Image(FindingKind kind, string reason) => new(kind, -1, -1, "image", -1, -1, reason);

        /// <summary>Where an offset is, in words: "vector 1 ItlbMiss bundle 3", "out-of-line page_fault bundle 0".</summary>
        public string Place(long offset)
        {
            var f = At(FindingKind.Layout, offset, -1, "");
            return f.Region + " bundle " + f.Bundle.ToString(CultureInfo.InvariantCulture);
        }

        public IvtFinding At(FindingKind kind, long offset, int slot, string reason)
        {
            if (offset < IvtImage.TableSize)
            {
                int v = offset < IvtLayout.ShortBase ? (int)(offset / (IvtLayout.LongEntryBundles * Bundle.Size))
                    : IvtLayout.LongEntries + (int)((offset - IvtLayout.ShortBase) / (IvtLayout.ShortEntryBundles * Bundle.Size));
                string name = IvtLayout.Name(v);
                string handler = v < _image.Vectors.Count ? _image.Vectors[v].Handler : "";
                string region = "vector " + v.ToString(CultureInfo.InvariantCulture) + " " + name + (handler.Length > 0 && handler != name ? " (" + handler + ")" : "");
                return new IvtFinding(kind, offset, v, region, (int)((offset - IvtLayout.Offset(v)) / Bundle.Size), slot, reason);
            }
            if (_outOfLine is null)
            {
                _outOfLine = new List<IvtSymbol>();
                foreach (var s in _image.Symbols) if (s.Address >= IvtImage.TableSize) _outOfLine.Add(s);
                _outOfLine.Sort((a, b) => a.Address.CompareTo(b.Address));
            }
            IvtSymbol? at = null;
            foreach (var s in _outOfLine) if (s.Address <= offset) at = s;
            long start = at?.Address ?? IvtImage.TableSize;
            return new IvtFinding(kind, offset, -1, at is null ? "out-of-line" : "out-of-line " + at.Name, (int)((offset - start) / Bundle.Size), slot, reason);
        }
    }
}
