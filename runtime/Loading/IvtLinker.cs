using System;
using System.Collections.Generic;
using IvtGen.Dsl;
using IvtGen.Isa;
using IvtGen.Tables;

namespace IvtGen.Loading;

/// <summary>Where to place a verified image and what the external symbols are.</summary>
public sealed class IvtLinkOptions
{
    /// <summary>The IVA: where the 32 KiB table goes (32 KiB aligned; the CPU ignores IVA's low 15 bits).</summary>
    public ulong Iva { get; set; }
    /// <summary>Where the out-of-line code goes (16-byte aligned); null: right after the table, at IVA + 0x8000.</summary>
    public ulong? OutOfLineAddress { get; set; }
    /// <summary>External symbols, name → address. An external the image references and this omits keeps the address the image was built with.</summary>
    public IDictionary<string, ulong> Symbols { get; set; } = new Dictionary<string, ulong>(StringComparer.Ordinal);
}

/// <summary>A linked image: the table's bytes for IVA, the out-of-line code's bytes for its address, and every symbol's final address.</summary>
public sealed class LinkedIvt
{
    internal LinkedIvt(VerifiedIvt source, ulong iva, byte[] ivt, ulong outOfLineAddress, byte[] outOfLine,
        IReadOnlyDictionary<string, ulong> symbols, IReadOnlyList<string> notes, int patched)
    {
        Source = source;
        Iva = iva;
        Ivt = ivt;
        OutOfLineAddress = outOfLineAddress;
        OutOfLine = outOfLine;
        Symbols = symbols;
        Notes = notes;
        PatchedSlots = patched;
    }

    public VerifiedIvt Source { get; }
    public ulong Iva { get; }
    /// <summary>The 32 KiB table as it must sit at <see cref="Iva"/>.</summary>
    public byte[] Ivt { get; }
    public ulong OutOfLineAddress { get; }
    public byte[] OutOfLine { get; }
    /// <summary>The image's symbols and the externals it references, at their final addresses.</summary>
    public IReadOnlyDictionary<string, ulong> Symbols { get; }
    /// <summary>What the linker decided on its own: externals kept at their build-time address, symbols given but unused.</summary>
    public IReadOnlyList<string> Notes { get; }
    /// <summary>How many slots the linker rewrote.</summary>
    public int PatchedSlots { get; }
    /// <summary>Whether the out-of-line code follows the table directly.</summary>
    public bool IsContiguous => OutOfLineAddress == Iva + IvtImage.TableSize;

    /// <summary>Table and out-of-line code as one block from <see cref="Iva"/>; only when <see cref="IsContiguous"/>.</summary>
    public byte[] ToContiguous()
    {
        if (!IsContiguous) throw new InvalidOperationException($"the out-of-line code is at 0x{OutOfLineAddress:x}, not right after the table at 0x{Iva:x}");
        var all = new byte[Ivt.Length + OutOfLine.Length];
        Buffer.BlockCopy(Ivt, 0, all, 0, Ivt.Length);
        Buffer.BlockCopy(OutOfLine, 0, all, Ivt.Length, OutOfLine.Length);
        return all;
    }
}

/// <summary>
/// Places a verified image: the table at IVA, the out-of-line code at its address; rewrites every relocation
/// (IP-relative branches, <c>movl</c>/<c>addl</c> of addresses, external symbols) and every IP-relative operand that
/// crosses between the two parts; then verifies the result again. Failures throw <see cref="IvtVerificationException"/>.
/// </summary>
public static class IvtLinker
{
    public static LinkedIvt Link(VerifiedIvt verified, IvtLinkOptions options)
    {
        var image = verified.Image;
        var where = new IvtVerifier.Locator(image);
        var findings = new List<IvtFinding>();
        var notes = new List<string>();
        long len = image.Bytes.Length;
        long oolLen = len - IvtImage.TableSize;
        ulong iva = options.Iva;
        ulong ool = options.OutOfLineAddress ?? iva + IvtImage.TableSize;

        if (iva % IvtLayout.Alignment != 0)
            findings.Add(where.Image(FindingKind.Layout, $"IVA 0x{iva:x} is not 32 KiB aligned (the CPU ignores IVA's low 15 bits)"));
        if (iva > ulong.MaxValue - IvtImage.TableSize + 1)
            findings.Add(where.Image(FindingKind.Layout, $"the table at 0x{iva:x} runs past the end of the address space"));
        if (oolLen > 0)
        {
            if (ool % Bundle.Size != 0) findings.Add(where.Image(FindingKind.Layout, $"out-of-line address 0x{ool:x} is not 16-byte aligned"));
            if (ool > ulong.MaxValue - (ulong)oolLen + 1) findings.Add(where.Image(FindingKind.Layout, $"the out-of-line code at 0x{ool:x} runs past the end of the address space"));
            else if (ool < iva + IvtImage.TableSize && iva < ool + (ulong)oolLen)
                findings.Add(where.Image(FindingKind.Layout, $"the out-of-line code (0x{ool:x}, {oolLen} bytes) overlaps the table (0x{iva:x}, 32 KiB)"));
        }

        // Externals: given, or kept where the image was built to reach them.
        var resolved = new Dictionary<string, long>(StringComparer.Ordinal);
        var final = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var map = new IvtVerifier.AddressMap(iva, ool);
        foreach (var kv in verified.SymbolAddresses) final[kv.Key] = map.AddressOf(kv.Value);
        foreach (var kv in options.Symbols)
        {
            if (verified.SymbolAddresses.ContainsKey(kv.Key))
                findings.Add(where.Image(FindingKind.Relocation, $"symbol {kv.Key} is defined by the image; it cannot be given an address"));
            else if (!verified.ExternalAddresses.ContainsKey(kv.Key))
                notes.Add($"symbol {kv.Key} is not referenced by {image.Table}.{image.Variant}");
        }
        foreach (var kv in verified.ExternalAddresses)
        {
            if (options.Symbols.TryGetValue(kv.Key, out ulong given)) resolved[kv.Key] = (long)given;
            else
            {
                resolved[kv.Key] = kv.Value;
                notes.Add($"external {kv.Key} keeps its build-time address 0x{kv.Value:x}");
            }
            final[kv.Key] = (ulong)resolved[kv.Key];
        }
        if (findings.Count > 0) throw new IvtVerificationException(image.Table, image.Variant, findings);

        var bytes = image.Bytes.ToArray();
        var facts = verified.Facts;
        var done = new HashSet<long>();
        int patched = 0;

        // Relocation records: the reached address becomes the symbol's final address plus the addend.
        foreach (var rel in image.Relocations)
        {
            int b = (int)(rel.Offset / Bundle.Size);
            int slot = rel.Slot;
            BundleFacts.TryDecodeSlot(image.Bytes, b, ref slot, out _, out var ins);
            RelocationSites.TryGet(ins.Form, out int operand, out var type);
            bool pc = RelocationSites.IsPcRelative(type);
            long reachedAt0 = pc ? rel.Offset + ins.Values[operand] : ins.Values[operand];
            long target;
            if (verified.SymbolAddresses.TryGetValue(rel.Symbol, out long symAt0))
                target = (long)map.AddressOf(symAt0) + (reachedAt0 - symAt0);
            else
                target = resolved[rel.Symbol];
            long site = (long)map.AddressOf(rel.Offset);
            Patch(bytes, b, slot, operand, pc ? target - site : target, $"{RelocationSites.Name(type)} {rel.Symbol}");
            done.Add(IvtVerifier.SiteKey(b, slot));
        }

        // IP-relative operands with no record that cross between the table and the out-of-line code.
        if (oolLen > 0 && ool != iva + IvtImage.TableSize)
            foreach (var tr in verified.Targets)
            {
                int b = tr.Bundle;
                if (done.Contains(IvtVerifier.SiteKey(b, tr.Slot))) continue;
                long off = (long)b * Bundle.Size;
                long targetOff = off + tr.Displacement;
                if (targetOff < 0 || targetOff >= len) continue; // an external with no record: verification rejected it already
                if ((off < IvtImage.TableSize) == (targetOff < IvtImage.TableSize)) continue;
                long disp = (long)map.AddressOf(targetOff) - (long)map.AddressOf(off);
                Patch(bytes, b, tr.Slot, tr.Operand, disp, "IP-relative target across the table and the out-of-line code");
            }

        void Patch(byte[] into, int b, int slot, int operand, long value, string what)
        {
            var span = new Span<byte>(into, b * Bundle.Size, Bundle.Size);
            var cur = Bundle.Read(span);
            // Decode the current bits: an earlier patch of another slot of this bundle must survive.
            var t = Template.FromCode(cur.TemplateCode)!;
            var word = t.Slots[slot] == SlotKind.X ? new InsnWord(cur.Slot(2), cur.Slot(1)) : new InsnWord(cur.Slot(slot));
            InstructionDecoder.TryDecode(t.Slots[slot], word, out var ins);
            var err = RelocationSites.TryPatch(cur, t, slot, ins, operand, value, out var next);
            if (err is not null)
            {
                findings.Add(where.At(FindingKind.Relocation, (long)b * Bundle.Size, slot, $"{what}: cannot write 0x{value:x} into '{ins.Form.Mnemonic}': {err}"));
                return;
            }
            next.Write(span);
            patched++;
        }

        if (findings.Count > 0) throw new IvtVerificationException(image.Table, image.Variant, findings);

        // Verify again, as placed: structure, variant rules, every target inside the placed image or on an external's address.
        var again = IvtVerifier.Run(image, bytes, map, resolved, checkDigest: false, expectedSize: null);
        findings.AddRange(again.Findings);
        // And only relocated slots changed.
        var original = image.Bytes;
        for (int b = 0; b < facts.Length; b++)
        {
            var was = Bundle.Read(original.Slice(b * Bundle.Size));
            var now = Bundle.Read(new ReadOnlySpan<byte>(bytes, b * Bundle.Size, Bundle.Size));
            if (was.Equals(now)) continue;
            var before = BundleFacts.At(facts, original, b);
            var after = BundleFacts.At(again.Facts, bytes, b);
            for (int s = 0; s < 3; s++)
            {
                if (before.Template!.Slots[s] == SlotKind.L) continue;
                bool changed = before.Template!.IsLong && s == 2 ? was.Slot(1) != now.Slot(1) || was.Slot(2) != now.Slot(2) : was.Slot(s) != now.Slot(s);
                if (!changed) continue;
                var a = before.Ins(s);
                var c = after.Template is null ? default : after.Ins(s);
                bool sameShape = !c.IsDefault && ReferenceEquals(a.Form, c.Form) && a.Qp == c.Qp;
                for (int i = 0; sameShape && i < a.Values.Length; i++)
                    if (a.Values[i] != c.Values[i] && a.Form.Operands[i].Kind != OperandKind.Target && !IsRelocated(a.Form, i)) sameShape = false;
                if (!sameShape)
                    findings.Add(where.At(FindingKind.Relocation, (long)b * Bundle.Size, s, "linking changed more than the relocated operand"));
            }
        }
        if (findings.Count > 0) throw new IvtVerificationException(image.Table, image.Variant + " (linked)", findings);

        var ivtBytes = new byte[IvtImage.TableSize];
        Buffer.BlockCopy(bytes, 0, ivtBytes, 0, IvtImage.TableSize);
        var oolBytes = new byte[Math.Max(0, oolLen)];
        if (oolLen > 0) Buffer.BlockCopy(bytes, IvtImage.TableSize, oolBytes, 0, (int)oolLen);
        return new LinkedIvt(verified, iva, ivtBytes, ool, oolBytes, final, notes, patched);
    }

    private static bool IsRelocated(Form form, int operand) => RelocationSites.TryGet(form, out int op, out _) && op == operand;
}
