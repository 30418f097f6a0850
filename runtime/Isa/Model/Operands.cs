using System;

namespace IvtGen.Isa;

/// <summary>What an operand denotes, and so how it is written in assembly.</summary>
public enum OperandKind : byte
{
    /// <summary>General register rN.</summary>
    Gr,
    /// <summary>Floating-point register fN.</summary>
    Fr,
    /// <summary>Predicate register pN.</summary>
    Pr,
    /// <summary>Branch register bN.</summary>
    Br,
    /// <summary>Application register ar.NAME / arN.</summary>
    Ar,
    /// <summary>Control register cr.NAME / crN.</summary>
    Cr,
    /// <summary>Memory reference [rN].</summary>
    Mem,
    /// <summary>Indirect register file access FILE[rN] (rr, pkr, dbr, ibr, pmc, pmd, cpuid, itr, dtr).</summary>
    Indirect,
    /// <summary>An integer immediate.</summary>
    Imm,
    /// <summary>An immediate drawn from a small set (fetchadd's inc3): the field holds an index into <see cref="OperandSpec.ValueSet"/>.</summary>
    ImmSet,
    /// <summary>A named value (mux1's @rev): the field holds an index into <see cref="OperandSpec.Symbols"/>.</summary>
    Symbolic,
    /// <summary>An IP-relative target: a label, encoded as a displacement from the bundle address.</summary>
    Target,
    /// <summary>A fixed token with no field: ar.ccv, ar.pfs, ar.csd, ip, pr, pr.rot, psr, psr.l, psr.um.</summary>
    Fixed,
}

/// <summary>How the stored field value relates to the value written in assembly.</summary>
public enum ValueMap : byte
{
    /// <summary>stored = value &gt;&gt; Shift.</summary>
    None,
    /// <summary>stored = value − K (e.g. len4 stores len−1).</summary>
    Bias,
    /// <summary>stored = K − value (e.g. dep's cpos6 stores 63−pos).</summary>
    Complement,
}

/// <summary>Which application registers an AR operand accepts: the M and I units reach different ones.</summary>
public enum ArUnit : byte
{
    Any,
    M,
    I,
}

/// <summary>One operand of an instruction form: its kind, the bits it lives in and how its value maps to them.</summary>
public sealed class OperandSpec
{
    public OperandKind Kind { get; private set; }
    public Field? Field { get; private set; }
    public bool Signed { get; private set; }
    public int Shift { get; private set; }
    public ValueMap Map { get; private set; }
    public long K { get; private set; }
    /// <summary>For <see cref="OperandKind.Fixed"/> the token; for <see cref="OperandKind.Indirect"/> the file name.</summary>
    public string? Text { get; private set; }
    public ArUnit ArUnit { get; private set; }
    public string[]? Symbols { get; private set; }
    public long[]? ValueSet { get; private set; }
    /// <summary>A second field that must hold the same value (shl r1=r2,n is dep.z with pos and len both from n).</summary>
    public Field? Mirror { get; private set; }
    public ValueMap MirrorMap { get; private set; }
    public long MirrorK { get; private set; }
    /// <summary>Print in hex rather than decimal (masks, 64-bit immediates).</summary>
    public bool Hex { get; private set; }
    /// <summary>Set by the table builder for operands left of '=' (and the updated base of a post-increment).</summary>
    public bool IsOutput { get; internal set; }
    /// <summary>Lowest register number accepted (e.g. rotating constraints); fields bound the highest.</summary>
    public int MinReg { get; private set; }
    /// <summary>The <see cref="Shift"/> low bits are dropped rather than required zero (mov pr's mask: bit 0 is pr0, always 1).</summary>
    public bool IgnoresLowBits { get; private set; }
    /// <summary>A <see cref="Signed"/> field that also takes the unsigned values of its width (GNU as reads mov pr's mask either way).</summary>
    public bool EitherSign { get; private set; }
    /// <summary>
    /// A 32-bit unsigned immediate (cmp4.ltu/geu/leu/gtu): 0x80000000…0xffffffff, after any bias, stand for the negative
    /// values of their 32 bits, as GNU as reads them (cmp4.ltu p1,p2=0xffffffff,r3 is imm8 −1).
    /// </summary>
    public bool Wraps32 { get; private set; }
    /// <summary>A written value the operand does not take (GNU's cmp.leu/gtu with an immediate refuse 0: imm−1 would wrap).</summary>
    public long? Excluded { get; private set; }

    private OperandSpec() { }

    public static OperandSpec Reg(OperandKind kind, Field field) => new() { Kind = kind, Field = field };
    public static OperandSpec Ar(Field field, ArUnit unit) => new() { Kind = OperandKind.Ar, Field = field, ArUnit = unit };
    public static OperandSpec Fixed(string token) => new() { Kind = OperandKind.Fixed, Text = token };
    public static OperandSpec Indirect(string file, Field field) => new() { Kind = OperandKind.Indirect, Text = file, Field = field };
    public static OperandSpec Mem(Field field) => new() { Kind = OperandKind.Mem, Field = field };

    public static OperandSpec Imm(Field field, bool signed, int shift = 0, bool hex = false) =>
        new() { Kind = OperandKind.Imm, Field = field, Signed = signed, Shift = shift, Hex = hex };

    /// <summary>
    /// A mask as GNU as reads mov pr's: a signed field holding bits <paramref name="shift"/> and up, whose low bits are
    /// dropped (not required zero) and which takes the unsigned values of its width too (0x1ffff as well as -1).
    /// </summary>
    public static OperandSpec Mask(Field field, int shift) =>
        new() { Kind = OperandKind.Imm, Field = field, Signed = true, Shift = shift, Hex = true, IgnoresLowBits = true, EitherSign = true };

    /// <summary>stored = value − k (e.g. len4 stores len−1; cmp.le's imm8 stores imm−1, signed).</summary>
    public static OperandSpec ImmBias(Field field, long k, bool signed = false) =>
        new() { Kind = OperandKind.Imm, Field = field, Map = ValueMap.Bias, K = k, Signed = signed };

    /// <summary>stored = k − value (unsigned field).</summary>
    public static OperandSpec ImmComplement(Field field, long k) =>
        new() { Kind = OperandKind.Imm, Field = field, Map = ValueMap.Complement, K = k };

    public static OperandSpec ImmSet(Field field, params long[] values) =>
        new() { Kind = OperandKind.ImmSet, Field = field, ValueSet = values };

    public static OperandSpec Symbolic(Field field, params string[] symbols) =>
        new() { Kind = OperandKind.Symbolic, Field = field, Symbols = symbols };

    /// <summary>An immediate with no field of its own: the form's <see cref="IFormCodec"/> encodes it (alloc's i,l,o,r).</summary>
    public static OperandSpec Coded(bool hex = false) => new() { Kind = OperandKind.Imm, Hex = hex };

    public static OperandSpec Target(Field field) =>
        new() { Kind = OperandKind.Target, Field = field, Signed = true, Shift = 4 };

    /// <summary>This operand, also written into <paramref name="mirror"/> with its own mapping.</summary>
    public OperandSpec WithMirror(Field mirror, ValueMap map, long k)
    {
        var c = Copy();
        c.Mirror = mirror;
        c.MirrorMap = map;
        c.MirrorK = k;
        return c;
    }

    /// <summary>This immediate, read as a 32-bit unsigned value as well (<see cref="Wraps32"/>).</summary>
    public OperandSpec AsUnsigned32()
    {
        var c = Copy();
        c.Wraps32 = true;
        return c;
    }

    /// <summary>This immediate, refusing the written value <paramref name="value"/>.</summary>
    public OperandSpec Excluding(long value)
    {
        var c = Copy();
        c.Excluded = value;
        return c;
    }

    public OperandSpec WithMinReg(int min)
    {
        var c = Copy();
        c.MinReg = min;
        return c;
    }

    internal OperandSpec AsOutput()
    {
        if (IsOutput) return this;
        // One output copy per spec: the table marks the same shared operands (O.R1, O.P1…) as outputs in hundreds of rows.
        if (_asOutput is null)
        {
            var c = Copy();
            c.IsOutput = true;
            _asOutput = c;
        }
        return _asOutput;
    }

    private OperandSpec? _asOutput;

    /// <summary>A copy to change (not sharing this one's output copy, which the change would not reach).</summary>
    private OperandSpec Copy()
    {
        var c = (OperandSpec)MemberwiseClone();
        c._asOutput = null;
        return c;
    }

    /// <summary>Whether this operand occupies instruction bits (everything but fixed tokens).</summary>
    public bool HasField => Field is not null;

    /// <summary>Maps an assembly value to the field's stored value; false when it cannot be represented.</summary>
    public bool TryToStored(long value, out ulong stored) => TryMap(value, Field!, Map, K, out stored);

    /// <summary>Maps a stored field value back to the assembly value.</summary>
    public long FromStored(ulong stored) => Unmap(stored, Field!, Map, K);

    public bool TryToMirror(long value, out ulong stored) => TryMap(value, Mirror!, MirrorMap, MirrorK, out stored);

    private bool TryMap(long value, Field field, ValueMap map, long k, out ulong stored)
    {
        stored = 0;
        int width = field.Width;
        switch (Kind)
        {
            case OperandKind.ImmSet:
                int i = Array.IndexOf(ValueSet!, value);
                if (i < 0) return false;
                stored = (ulong)i;
                return true;
            case OperandKind.Symbolic:
                // The value is the index into Symbols (the parser resolves the name to it); "" marks an invalid code.
                if (value < 0 || value >= Symbols!.Length || Symbols[value].Length == 0) return false;
                stored = (ulong)value;
                return true;
        }
        if (value == Excluded) return false;
        long v = map switch
        {
            ValueMap.Bias => value - k,
            ValueMap.Complement => k - value,
            _ => value,
        };
        if (Wraps32 && v >= 0x80000000L && v <= 0xffffffffL) v -= 1L << 32;
        if (Shift > 0)
        {
            if (!IgnoresLowBits && (v & ((1L << Shift) - 1)) != 0) return false;
            v >>= Shift;
        }
        if (Signed)
        {
            if (width < 64)
            {
                long min = -(1L << (width - 1)), max = EitherSign ? (1L << width) - 1 : (1L << (width - 1)) - 1;
                if (v < min || v > max) return false;
            }
            stored = (ulong)v & BitRange.Mask(width);
        }
        else
        {
            if (width < 64 && (v < 0 || (ulong)v > BitRange.Mask(width))) return false;
            stored = (ulong)v;
        }
        return true;
    }

    private long Unmap(ulong stored, Field field, ValueMap map, long k)
    {
        switch (Kind)
        {
            case OperandKind.ImmSet:
                return stored < (ulong)ValueSet!.Length ? ValueSet[stored] : long.MinValue;
        }
        int width = field.Width;
        long v = Signed && width < 64 && (stored >> (width - 1) & 1) != 0
            ? (long)(stored | ~BitRange.Mask(width))
            : (long)stored;
        v <<= Shift;
        return map switch
        {
            ValueMap.Bias => v + k,
            ValueMap.Complement => k - v,
            _ => v,
        };
    }

    public override string ToString() => Kind switch
    {
        OperandKind.Fixed => Text!,
        OperandKind.Indirect => $"{Text}[{Field}]",
        _ => $"{Kind}({Field})",
    };
}
