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
/// bits (targets are displacements, not addresses), so identical bundles share one instance.
/// </summary>
internal sealed class BundleFacts
{
    private static readonly TargetRef[] s_noTargets = new TargetRef[0];

    public Bundle Bits;
    /// <summary>Null for a reserved template.</summary>
    public Template? Template;
    /// <summary>Per slot; default for the L slot of MLX and for an undecodable slot.</summary>
    public readonly Instruction[] Slots = new Instruction[3];
    /// <summary>Bit s: slot s holds no instruction of its unit.</summary>
    public byte Undecodable;
    /// <summary>Bit s: slot s is privileged or sensitive (forbidden on Xen).</summary>
    public byte Forbidden;
    /// <summary>Bit s: slot s is a hyperprivop break (forbidden on native).</summary>
    public byte Hypercall;
    public TargetRef[] Targets = s_noTargets;

    /// <summary>Whether any check beyond "it decoded" needs to look at this bundle.</summary>
    public bool Interesting;

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
            if (!InstructionDecoder.TryDecode(kind, word, out f.Slots[s]))
            {
                f.Undecodable |= (byte)(1 << s);
                continue;
            }
            var ins = f.Slots[s];
            var form = ins.Form;
            if (VariantRules.ForbiddenOnXen(form)) f.Forbidden |= (byte)(1 << s);
            if (VariantRules.IsHypercall(ins)) f.Hypercall |= (byte)(1 << s);
            var ops = form.Operands;
            for (int i = 0; i < ops.Length; i++)
            {
                if (ops[i].Kind != OperandKind.Target) continue;
                targets ??= new TargetRef[4];
                if (nTargets == targets.Length) Array.Resize(ref targets, nTargets * 2);
                targets[nTargets++] = new TargetRef(s, i, ins.Values[i]);
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
    private readonly BundleFacts _zero;

    public BundleDecoder(int expectedBundles)
    {
        int cap = 64;
        while (cap < expectedBundles) cap <<= 1;
        _lo = new ulong[cap];
        _hi = new ulong[cap];
        _facts = new BundleFacts?[cap];
        _mask = cap - 1;
        _zero = BundleFacts.Decode(default);
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
            into[at + i] = (lo | hi) == 0 ? _zero : Lookup(lo, hi);
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
