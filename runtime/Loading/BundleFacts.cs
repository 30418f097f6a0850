using System;
using System.Buffers.Binary;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>An IP-relative operand of a decoded slot: which slot and operand, and its byte displacement from the bundle.</summary>
internal readonly struct TargetRef
{
    public readonly byte Slot;
    public readonly byte Operand;
    public readonly long Displacement;

    public TargetRef(int slot, int operand, long displacement)
    {
        Slot = (byte)slot;
        Operand = (byte)operand;
        Displacement = displacement;
    }
}

/// <summary>
/// What verification needs to know about one bundle value, decoded once. Everything here depends only on the 128
/// bits (targets are displacements, not addresses), so identical bundles share one instance. Slots are classified
/// (which form, if any) without building instructions; <see cref="Ins"/> builds one when a finding or a relocation
/// needs its operands.
/// </summary>
internal sealed class BundleFacts
{
    private static readonly TargetRef[] s_noTargets = new TargetRef[0];

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
    public TargetRef[] Targets = s_noTargets;
    /// <summary>Whether any check beyond "it decoded" needs to look at this bundle.</summary>
    public bool Interesting;
    private Instruction[]? _slots;

    public Form? FormAt(int s) => s == 0 ? Form0 : s == 1 ? Form1 : Form2;

    public InsnWord Word(int s) => Template!.Slots[s] == SlotKind.X ? new InsnWord(Bits.Slot(2), Bits.Slot(1)) : new InsnWord(Bits.Slot(s));

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

    public static BundleFacts Decode(Bundle b)
    {
        var f = new BundleFacts { Bits = b };
        var t = Template.FromCode(b.TemplateCode);
        f.Template = t;
        if (t is null)
        {
            f.Interesting = true;
            return f;
        }
        TargetRef[]? targets = null;
        int nTargets = 0;
        for (int s = 0; s < 3; s++)
        {
            var kind = t.Slots[s];
            if (kind == SlotKind.L) continue;
            var word = kind == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(s));
            var form = SlotDecoder.Classify(kind, word);
            if (form is null)
            {
                f.Undecodable |= (byte)(1 << s);
                continue;
            }
            if (s == 0) f.Form0 = form; else if (s == 1) f.Form1 = form; else f.Form2 = form;
            var info = FormInfo.Of(form);
            if (info.Forbidden) f.Forbidden |= (byte)(1 << s);
            if (info.BreakImmediate >= 0)
            {
                long imm = info.Operand(info.BreakImmediate, word);
                if (imm >= VariantRules.HyperprivopFirst && imm <= VariantRules.HyperprivopLast) f.Hypercall |= (byte)(1 << s);
            }
            var ts = info.Targets;
            for (int i = 0; i < ts.Length; i++)
            {
                targets ??= new TargetRef[2];
                if (nTargets == targets.Length) Array.Resize(ref targets, nTargets * 2);
                targets[nTargets++] = new TargetRef(s, ts[i], info.Operand(ts[i], word));
            }
        }
        if (targets is not null)
        {
            if (nTargets != targets.Length) Array.Resize(ref targets, nTargets);
            f.Targets = targets;
        }
        f.Interesting = f.Undecodable != 0 || f.Forbidden != 0 || f.Hypercall != 0 || nTargets != 0;
        return f;
    }
}

/// <summary>
/// Decodes every bundle of a code region once: identical bundles (padding, nops, repeated sequences) share one
/// <see cref="BundleFacts"/>, found through an open-addressing table keyed by the 128 bits.
/// </summary>
internal sealed class BundleDecoder
{
    private ulong[] _lo;
    private ulong[] _hi;
    private BundleFacts?[] _facts;
    private int _mask;
    private int _count;
    // The all-zero bundle (padding: break.m 0; break.i 0; break.i 0) is decoded once per process.
    private static readonly BundleFacts s_zero = BundleFacts.Decode(default);

    public BundleDecoder(int expectedBundles)
    {
        int cap = 64;
        while (cap < expectedBundles) cap <<= 1;
        _lo = new ulong[cap];
        _hi = new ulong[cap];
        _facts = new BundleFacts?[cap];
        _mask = cap - 1;
    }

    public int Unique => _count + 1;

    /// <summary>The facts of each bundle of <paramref name="code"/> (whose length is a multiple of 16), in order.</summary>
    public void DecodeAll(ReadOnlySpan<byte> code, BundleFacts[] into, int at)
    {
        int n = code.Length / Bundle.Size;
        for (int i = 0; i < n; i++)
        {
            var span = code.Slice(i * Bundle.Size, Bundle.Size);
            ulong lo = BinaryPrimitives.ReadUInt64LittleEndian(span);
            ulong hi = BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(8));
            into[at + i] = (lo | hi) == 0 ? s_zero : Lookup(lo, hi);
        }
    }

    private BundleFacts Lookup(ulong lo, ulong hi)
    {
        int h = (int)((lo * 0x9E3779B97F4A7C15UL ^ hi * 0xC2B2AE3D27D4EB4FUL) >> 40) & _mask;
        while (true)
        {
            var f = _facts[h];
            if (f is null) break;
            if (_lo[h] == lo && _hi[h] == hi) return f;
            h = (h + 1) & _mask;
        }
        var facts = BundleFacts.Decode(new Bundle(lo, hi));
        _lo[h] = lo;
        _hi[h] = hi;
        _facts[h] = facts;
        if (++_count * 2 > _facts.Length) Grow();
        return facts;
    }

    private void Grow()
    {
        var oldLo = _lo;
        var oldHi = _hi;
        var oldFacts = _facts;
        int cap = oldFacts.Length * 2;
        _lo = new ulong[cap];
        _hi = new ulong[cap];
        _facts = new BundleFacts?[cap];
        _mask = cap - 1;
        for (int i = 0; i < oldFacts.Length; i++)
        {
            var f = oldFacts[i];
            if (f is null) continue;
            int h = (int)((oldLo[i] * 0x9E3779B97F4A7C15UL ^ oldHi[i] * 0xC2B2AE3D27D4EB4FUL) >> 40) & _mask;
            while (_facts[h] is not null) h = (h + 1) & _mask;
            _lo[h] = oldLo[i];
            _hi[h] = oldHi[i];
            _facts[h] = f;
        }
    }
}
