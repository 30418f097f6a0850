using System;
using System.Collections.Generic;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>The verifier's narrowed decoder and its extraction-free classification must answer exactly as the ISA core's decoder does.</summary>
public sealed class SlotDecoderTests
{
    private static readonly SlotKind[] s_kinds = { SlotKind.M, SlotKind.I, SlotKind.F, SlotKind.B, SlotKind.X };

    private static void Same(SlotKind kind, InsnWord w)
    {
        bool a = InstructionDecoder.TryDecode(kind, w, out var x);
        bool b = SlotDecoder.TryDecode(kind, w, out var y);
        Assert.True(a == b, $"{kind} {w}: core {a}, verifier {b}");
        if (a) Assert.True(x.Equals(y), $"{kind} {w}: core '{x}', verifier '{y}'");
        // The classification without extraction names the same form (or none).
        var f = SlotDecoder.Classify(kind, w);
        Assert.True(ReferenceEquals(a ? x.Form : null, f), $"{kind} {w}: core {(a ? x.Form.ToString() : "none")}, classified {f?.ToString() ?? "none"}");
        if (a)
        {
            var info = FormInfo.Of(x.Form);
            foreach (int t in info.Targets) Assert.Equal(x.Values[t], info.Operand(t, w));
            if (info.BreakImmediate >= 0) Assert.Equal(x.Values[info.BreakImmediate], info.Operand(info.BreakImmediate, w));
        }
    }

    [Fact]
    public void Every_slot_of_the_test_images_decodes_the_same()
    {
        int n = 0;
        foreach (var image in new[] { TestImages.Sample(), TestImages.NativeWithRelocations().Image, TestImages.XenLike().Image })
            for (int off = 0; off + 16 <= image.Bytes.Length; off += 16)
            {
                var b = Bundle.Read(image.Bytes.Slice(off));
                var t = Template.FromCode(b.TemplateCode)!;
                for (int s = 0; s < 3; s++)
                {
                    if (t.Slots[s] == SlotKind.L) continue;
                    Same(t.Slots[s], t.Slots[s] == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(s)));
                    n++;
                }
            }
        Assert.True(n > 18000);
    }

    [Fact]
    public void Random_words_of_every_unit_decode_the_same()
    {
        var rnd = new Random(5);
        foreach (var kind in s_kinds)
            for (int i = 0; i < 40_000; i++)
            {
                ulong slot = (ulong)rnd.NextInt64() & Bundle.SlotMask, l = (ulong)rnd.NextInt64() & Bundle.SlotMask;
                // Half of them with sparse bits, which land on real encodings far more often.
                if ((i & 1) == 0) { slot &= (ulong)rnd.NextInt64() & (ulong)rnd.NextInt64(); l &= (ulong)rnd.NextInt64(); }
                Same(kind, new InsnWord(slot, kind == SlotKind.X ? l : 0));
            }
    }

    [Fact]
    public void Words_made_from_every_form_decode_the_same()
    {
        var rnd = new Random(11);
        foreach (var f in InstructionTable.Forms)
            foreach (var kind in s_kinds)
            {
                if (!f.Unit.FitsIn(kind)) continue;
                for (int i = 0; i < 12; i++)
                {
                    ulong free = (ulong)rnd.NextInt64() & Bundle.SlotMask;
                    if (i % 3 == 0) free &= (ulong)rnd.NextInt64();          // sparser operands
                    if (i == 0) free = 0;                                    // the all-zero corner
                    ulong slot = (free & ~f.Pattern.Mask) | f.Pattern.Value;
                    Same(kind, new InsnWord(slot, kind == SlotKind.X ? (ulong)rnd.NextInt64() & Bundle.SlotMask & (i == 0 ? 0 : ulong.MaxValue) : 0));
                }
            }
    }
}
