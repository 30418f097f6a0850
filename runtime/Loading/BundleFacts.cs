using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>An IP-relative operand of a decoded slot: which bundle, slot and operand, and its byte displacement from the bundle.</summary>
internal readonly struct TargetSite
{
    public readonly int Bundle;
    public readonly byte Slot;
    public readonly byte Operand;
    public readonly long Displacement;

    public TargetSite(int bundle, int slot, int operand, long displacement)
    {
        Bundle = bundle;
        Slot = (byte)slot;
        Operand = (byte)operand;
        Displacement = displacement;
    }
}

/// <summary>
/// What verification needs to know about one bundle value. Only a bundle that needs a closer look (a reserved
/// template, an undecodable slot, a forbidden instruction, a hyperprivop) gets its own instance; every other bundle is
/// <see cref="Ordinary"/> (null in <see cref="DecodeAll"/>'s array), so verifying ordinary code allocates and stores
/// nothing per bundle. IP-relative operands go to one list for the whole image (<see cref="TargetSite"/>).
/// Slots are classified (which form, if any) without building instructions; <see cref="Ins"/> builds one when a
/// finding or a relocation needs its operands.
/// </summary>
internal sealed class BundleFacts
{
    /// <summary>Every slot decodes and nothing in the bundle needs a check: its details are re-derived on demand (<see cref="At"/>).</summary>
    public static readonly BundleFacts Ordinary = new();

    public Bundle Bits;
    /// <summary>Null for a reserved template.</summary>
    public Template? Template;
    /// <summary>Per slot, the form it decodes as; null for the L slot of MLX and for an undecodable slot.</summary>
    public Form? Form0, Form1, Form2;
    /// <summary>Bit s: slot s holds no instruction of its unit.</summary>
    public byte Undecodable;
    /// <summary>Bit s: slot s is privileged or sensitive (forbidden on Xen).</summary>
    public byte Forbidden;
    /// <summary>Bit s: slot s is a hyperprivop break (forbidden on native).</summary>
    public byte Hypercall;
    private Instruction[]? _slots;

    public bool IsOrdinary => ReferenceEquals(this, Ordinary);

    public Form? FormAt(int s) => s == 0 ? Form0 : s == 1 ? Form1 : Form2;

    public InsnWord Word(int s) => Word(Template!, Bits, s);

    private static InsnWord Word(Template t, Bundle b, int s) => t.Slots[s] == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(s));

    /// <summary>The decoded instruction in slot <paramref name="s"/> (default when it holds none).</summary>
    public Instruction Ins(int s)
    {
        var slots = _slots;
        if (slots is null)
        {
            slots = new Instruction[3];
            for (int i = 0; i < 3; i++)
                if (FormAt(i) is not null) SlotDecoder.TryDecode(Template!.Slots[i], Word(i), out slots[i]);
            _slots = slots;
        }
        return slots[s];
    }

    /// <summary>
    /// The instruction in <paramref name="slot"/> of bundle <paramref name="b"/> (slots 1 and 2 of MLX both name its
    /// X-unit instruction, which <paramref name="slot"/> then becomes 2). False for a reserved template or a slot that holds none.
    /// </summary>
    public static bool TryDecodeSlot(ReadOnlySpan<byte> code, int b, ref int slot, out Template? template, out Instruction ins)
    {
        var bits = Bundle.Read(code.Slice(b * Bundle.Size));
        template = Template.FromCode(bits.TemplateCode);
        ins = default;
        if (template is null) return false;
        if (template.IsLong && slot >= 1) slot = 2;
        var kind = template.Slots[slot];
        var word = kind == SlotKind.X ? new InsnWord(bits.Slot(2), bits.Slot(1)) : new InsnWord(bits.Slot(slot));
        return SlotDecoder.TryDecode(kind, word, out ins);
    }

    /// <summary>The facts of bundle <paramref name="b"/>: the recorded ones, or for an ordinary bundle its full facts decoded again from <paramref name="code"/>.</summary>
    public static BundleFacts At(BundleFacts?[] facts, ReadOnlySpan<byte> code, int b) =>
        facts[b] ?? Analyze(Bundle.Read(code.Slice(b * Bundle.Size)), always: true, null, b);

    /// <summary>
    /// Classifies each slot; returns <see cref="Ordinary"/> when nothing needs a check, unless <paramref name="always"/>.
    /// The IP-relative operands go to <paramref name="targets"/> (when given) as those of bundle <paramref name="index"/>.
    /// </summary>
    public static BundleFacts Analyze(Bundle b, bool always, List<TargetSite>? targets, int index)
    {
        var t = Template.FromCode(b.TemplateCode);
        if (t is null) return new BundleFacts { Bits = b };
        var kinds = t.Slots;
        SlotKind k0 = kinds[0], k1 = kinds[1], k2 = kinds[2];
        ulong s0 = (b.Lo >> 5) & Bundle.SlotMask, s1 = ((b.Lo >> 46) | (b.Hi << 18)) & Bundle.SlotMask, s2 = (b.Hi >> 23) & Bundle.SlotMask;
        // The three slots unrolled: this runs for every distinct bundle, and the common outcome is "nothing to check".
        var f0 = SlotDecoder.Classify((int)k0, s0, 0, out int flags0);
        Form? f1 = null;
        int flags1 = 0;
        if (k1 != SlotKind.L) f1 = SlotDecoder.Classify((int)k1, s1, 0, out flags1);
        var f2 = SlotDecoder.Classify((int)k2, s2, k2 == SlotKind.X ? s1 : 0, out int flags2);
        int undecodable = (f0 is null ? 1 : 0) | (f1 is null && k1 != SlotKind.L ? 2 : 0) | (f2 is null ? 4 : 0);
        const int worthALook = FormInfo.FlagForbidden | FormInfo.FlagBreak | FormInfo.FlagTargets;
        if (!always && undecodable == 0 && ((flags0 | flags1 | flags2) & worthALook) == 0) return Ordinary;
        return Closer(b, t, f0, f1, f2, undecodable, always, targets, index);
    }

    /// <summary>The facts of a bundle with a forbidden form, a break, an IP-relative operand or an undecodable slot.</summary>
    private static BundleFacts Closer(Bundle b, Template t, Form? f0, Form? f1, Form? f2, int undecodable, bool always,
        List<TargetSite>? targets, int index)
    {
        int forbidden = 0, hypercall = 0;
        for (int s = 0; s < 3; s++)
        {
            var form = s == 0 ? f0 : s == 1 ? f1 : f2;
            if (form is null) continue;
            var info = FormInfo.Of(form);
            if (info.Forbidden) forbidden |= 1 << s;
            if (info.BreakImmediate >= 0)
            {
                long imm = info.Operand(info.BreakImmediate, Word(t, b, s));
                if (imm >= VariantRules.HyperprivopFirst && imm <= VariantRules.HyperprivopLast) hypercall |= 1 << s;
            }
            if (targets is not null)
                foreach (int op in info.Targets) targets.Add(new TargetSite(index, s, op, info.Operand(op, Word(t, b, s))));
        }
        // A branch, or a break outside Xen's range, alone needs no facts of its own.
        if (!always && (undecodable | forbidden | hypercall) == 0) return Ordinary;
        return new BundleFacts
        {
            Bits = b, Template = t, Form0 = f0, Form1 = f1, Form2 = f2,
            Undecodable = (byte)undecodable, Forbidden = (byte)forbidden, Hypercall = (byte)hypercall,
        };
    }

    /// <summary>
    /// The facts of every bundle of <paramref name="code"/> (whose length is a multiple of 16), in order; null for an
    /// ordinary bundle (most of them: the array is left as allocated rather than filled with <see cref="Ordinary"/>).
    /// Every IP-relative operand goes to <paramref name="targets"/>, in bundle order.
    /// </summary>
    public static BundleFacts?[] DecodeAll(ReadOnlySpan<byte> code, List<TargetSite> targets)
    {
        int n = code.Length / Bundle.Size;
        var facts = new BundleFacts?[n];
        ulong lastLo = 0, lastHi = 0;
        var last = Ordinary; // the all-zero bundle (padding: break.m 0; break.i 0; break.i 0) is ordinary
        int lastTargets = targets.Count, lastTargetCount = 0;
        for (int i = 0; i < n; i++)
        {
            var span = code.Slice(i * Bundle.Size, Bundle.Size);
            ulong lo = BinaryPrimitives.ReadUInt64LittleEndian(span);
            ulong hi = BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(8));
            if ((lo | hi) == 0) continue;
            if (lo != lastLo || hi != lastHi)
            {
                int before = targets.Count;
                last = Analyze(new Bundle(lo, hi), always: false, targets, i);
                lastLo = lo;
                lastHi = hi;
                lastTargets = before;
                lastTargetCount = targets.Count - before;
            }
            else
                for (int t = 0; t < lastTargetCount; t++)
                {
                    var x = targets[lastTargets + t];
                    targets.Add(new TargetSite(i, x.Slot, x.Operand, x.Displacement));
                }
            if (!last.IsOrdinary) facts[i] = last;
        }
        return facts;
    }
}
