using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using IvtGen.Isa;
using IvtGen.Paravirt;
using IvtGen.Tables;

namespace IvtGen.Loading;

/// <summary>
/// Xen AltA (out-of-line) paravirtualization, checked by decoding (docs/paravirt.md, <see cref="AltA"/>): a site is a
/// bundle whose slot 1 is <c>(qp) mov rL=ip</c> and whose slot 2 is a direct <c>(qp) br.cond</c>; it must branch to
/// the start of a stub in the out-of-line code, and the stub must begin with the catalogue's prologue for rL
/// (<c>adds rL=16,rL ;; mov b7=rL</c>) and, walking forward, reach an unpredicated <c>br b7</c> in a later instruction
/// group, without branching anywhere else, writing b7 again or moving the register frame (<c>alloc</c>), before the
/// next symbol, the end of the image or <see cref="MaxStubBundles"/> bundles.
/// </summary>
internal static class AltAStubs
{
    /// <summary>The longest walk through one stub (the catalogue's longest, BSW_0/BSW_1, is 13 bundles).</summary>
    public const int MaxStubBundles = 64;

    public static bool IsMovFromIp(Form f) =>
        f.Format == "I25" && f.Operands.Length == 2 && f.Operands[1].Kind == OperandKind.Fixed && f.Operands[1].Text == "ip";

    /// <summary>An IP-relative <c>br.cond</c> (B1 with btype 0): not br.call, br.wexit, br.wtop or the counted loops.</summary>
    public static bool IsDirectBrCond(Form f) => f.Format == "B1" && (f.Pattern.Value >> 6 & 7) == 0 && (f.Pattern.Mask >> 6 & 7) == 7;

    /// <summary>An indirect <c>br.cond</c> (B4 with x6 0x20 and btype 0): not br.ia, br.ret or br.call.</summary>
    private static bool IsIndirectBrCond(Form f) =>
        f.Format == "B4" && (f.Pattern.Value >> 27 & 0x3f) == 0x20 && (f.Pattern.Value >> 6 & 7) == 0 && (f.Pattern.Mask >> 6 & 7) == 7;

    private static bool ReadsReturnBr(in Instruction ins)
    {
        var ops = ins.Form.Operands;
        for (int i = 0; i < ops.Length; i++)
            if (ops[i].Kind == OperandKind.Br && !ops[i].IsOutput) return ins.Values[i] == ReturnBr;
        return false;
    }

    private static bool WritesReturnBr(in Instruction ins)
    {
        var ops = ins.Form.Operands;
        for (int i = 0; i < ops.Length; i++)
            if (ops[i].Kind == OperandKind.Br && ops[i].IsOutput && ins.Values[i] == ReturnBr) return true;
        return false;
    }

    /// <summary>The number of <see cref="AltA.ReturnBr"/> (b7).</summary>
    private static readonly int ReturnBr = int.Parse(AltA.ReturnBr.Substring(1), CultureInfo.InvariantCulture);

    /// <summary>Every AltA site of <paramref name="bytes"/> (a xen-alta image) and the stub it branches to.</summary>
    public static void Check(ReadOnlySpan<byte> bytes, BundleFacts?[] facts, IvtVerifier.AddressMap map,
        IvtVerifier.RunResult r, IvtVerifier.Locator where)
    {
        long len = facts.Length * (long)Bundle.Size;
        // Symbols by offset: a stub starts at one, and its walk must end before the next.
        var byOffset = new SortedList<long, string>();
        foreach (var s in r.Symbols)
            if (s.Value >= 0 && s.Value < len && !byOffset.ContainsKey(s.Value)) byOffset.Add(s.Value, s.Key);
        var walked = new HashSet<long>();
        // A site's branch is an IP-relative operand in slot 2.
        foreach (var tr in r.Targets)
        {
            if (tr.Slot != 2) continue;
            int b = tr.Bundle;
            var bits = Bundle.Read(bytes.Slice(b * Bundle.Size));
            var t = Template.FromCode(bits.TemplateCode);
            if (t is null || t.Slots[1] != SlotKind.I || t.Slots[2] != SlotKind.B) continue;
            var movForm = SlotDecoder.Classify((int)SlotKind.I, bits.Slot(1), 0, out _);
            if (movForm is null || !IsMovFromIp(movForm)) continue;
            var brForm = SlotDecoder.Classify((int)SlotKind.B, bits.Slot(2), 0, out _);
            if (brForm is null || !IsDirectBrCond(brForm)) continue;
            long off = (long)b * Bundle.Size;
            // Read off the bits: the link register (mov's r1) and the two predicates.
            int link = (int)FormInfo.Of(movForm).Operand(0, new InsnWord(bits.Slot(1)));
            int movQp = (int)(bits.Slot(1) & 0x3f), brQp = (int)(bits.Slot(2) & 0x3f);
            if (movQp != brQp)
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, 1,
                    $"{Site(bytes, facts, b, (long)map.AddressOf(off))}: the mov is under p{movQp} and the branch under p{brQp}; both must be, or the stub returns through a stale r{link}"));
                continue;
            }
            long target = map.OffsetOf(map.AddressOf(off) + (ulong)tr.Displacement, len);
            if (target < IvtImage.TableSize)
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, 2, target < 0
                    ? $"{Site(bytes, facts, b, (long)map.AddressOf(off))} branches outside the image, not to a stub"
                    : $"{Site(bytes, facts, b, (long)map.AddressOf(off))} branches into the IVT ({where.Place(target)}), not to a stub in the out-of-line code"));
                continue;
            }
            if (!byOffset.TryGetValue(target, out var stub))
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, 2,
                    $"{Site(bytes, facts, b, (long)map.AddressOf(off))} lands at image offset 0x{target:x} ({where.Place(target)}), inside the out-of-line code but at no stub start"));
                continue;
            }
            if (!walked.Add(target * 128 + link)) continue;
            int next = byOffset.IndexOfKey(target) + 1;
            long end = next < byOffset.Count ? byOffset.Keys[next] : len;
            string? after = next < byOffset.Count ? byOffset.Values[next] : null;
            Walk(bytes, facts, target, end, after, link, stub, off, r, where);
        }
    }

    private static string Site(ReadOnlySpan<byte> bytes, BundleFacts?[] facts, int b, long address)
    {
        var f = BundleFacts.At(facts, bytes, b);
        return $"AltA site '{Formatter.Format(f.Ins(1), address)}; {Formatter.Format(f.Ins(2), address)}'";
    }

    /// <summary>Follows the stub at <paramref name="start"/> (which must end before <paramref name="end"/>) to its return.</summary>
    private static void Walk(ReadOnlySpan<byte> bytes, BundleFacts?[] facts, long start, long end, string? after, int link, string stub,
        long siteOffset, IvtVerifier.RunResult r, IvtVerifier.Locator where)
    {
        string who = $"AltA stub {stub} (branched to from 0x{siteOffset:x})";
        var prologue = Prologue(link);
        var seen = new List<CodeInsn>();
        int b0 = (int)(start / Bundle.Size);
        if (prologue is null)
        {
            r.Findings.Add(where.At(FindingKind.Stub, start, -1, $"{who}: the AltA prologue for r{link} does not assemble"));
            return;
        }
        var walk = new CodeWalker(bytes, facts);
        if (!walk.Forward(b0, 0, prologue.Length, skipNops: true, seen) || !CodeWalk.Same(prologue, seen) ||
            seen[seen.Count - 1].Bundle * (long)Bundle.Size >= end)
        {
            r.Findings.Add(where.At(FindingKind.Stub, start, -1,
                $"{who} does not begin with the AltA prologue '{CodeWalk.Show(prologue, 0, prologue.Length)}' for the site's link register r{link} (found '{CodeWalk.Show(seen, 0, seen.Count)}')"));
            return;
        }
        var last = seen[seen.Count - 1];
        int b = last.Bundle, s = last.Slot;
        walk.TryGet(b, s, out _, out bool stopSinceB7);
        while (true)
        {
            int pb = b, ps = s;
            if (!walk.Next(ref b, ref s))
            {
                r.Findings.Add(where.At(FindingKind.Stub, (long)pb * Bundle.Size, ps, $"{who} runs off the end of the image without returning through {AltA.ReturnBr}"));
                return;
            }
            if ((long)b * Bundle.Size >= end)
            {
                r.Findings.Add(where.At(FindingKind.Stub, (long)pb * Bundle.Size, ps,
                    $"{who} runs into {after ?? "the end of the image"} without returning through {AltA.ReturnBr}"));
                return;
            }
            if (b - b0 >= MaxStubBundles)
            {
                r.Findings.Add(where.At(FindingKind.Stub, (long)pb * Bundle.Size, ps,
                    $"{who} does not return through {AltA.ReturnBr} within {MaxStubBundles} bundles"));
                return;
            }
            long off = (long)b * Bundle.Size;
            if (!walk.TryGet(b, s, out var ins, out bool stopAfter))
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, s, $"{who} reaches a slot that holds no instruction before returning"));
                return;
            }
            string Text() => Formatter.Format(ins, off);
            if (IsIndirectBrCond(ins.Form) && ReadsReturnBr(ins))
            {
                if (ins.Qp != 0)
                    r.Findings.Add(where.At(FindingKind.Stub, off, s, $"{who} returns only under p{ins.Qp} ('{Text()}'): otherwise it falls through"));
                else if (!stopSinceB7)
                    r.Findings.Add(where.At(FindingKind.Stub, off, s,
                        $"{who} returns ('{Text()}') in the instruction group that writes {AltA.ReturnBr}: a stop must separate them"));
                return;
            }
            if (ins.Form.Has(InsnFlags.Branch))
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, s, $"{who} branches elsewhere ('{Text()}') before returning through {AltA.ReturnBr}"));
                return;
            }
            if (WritesReturnBr(ins))
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, s, $"{who} overwrites {AltA.ReturnBr} ('{Text()}') before returning through it"));
                return;
            }
            if (ins.Form.Mnemonic == "alloc")
            {
                r.Findings.Add(where.At(FindingKind.Stub, off, s, $"{who} moves the register frame ('{Text()}') while the interrupted context's is live"));
                return;
            }
            stopSinceB7 |= stopAfter;
        }
    }

    private static readonly CodeInsn[]?[] s_prologues = new CodeInsn[]?[128];

    /// <summary>The catalogue's stub prologue for link register r<paramref name="link"/>, decoded.</summary>
    private static CodeInsn[]? Prologue(int link) =>
        Volatile.Read(ref s_prologues[link & 127]) ??
        (s_prologues[link & 127] = CodeWalk.Assemble(AltA.StubPrologue.Select(l => l.Replace("{link}", "r" + link.ToString(CultureInfo.InvariantCulture)))));
}
