using System;

namespace IvtGen.Isa;

/// <summary>
/// A contiguous run of bits in an instruction. Positions 0–40 address the instruction's own 41-bit slot;
/// positions 41–81 address the L slot that an X-unit instruction also owns (bit 41 = L-slot bit 0).
/// </summary>
public readonly struct BitRange : IEquatable<BitRange>
{
    public readonly byte Pos;
    public readonly byte Len;

    public BitRange(int pos, int len)
    {
        if (pos < 0 || len <= 0 || pos + len > 82 || (pos < 41 && pos + len > 41))
            throw new ArgumentOutOfRangeException(nameof(pos), $"bad bit range {pos}+{len}");
        Pos = (byte)pos;
        Len = (byte)len;
    }

    /// <summary>A range in the L slot of an MLX bundle, numbered from the L slot's bit 0.</summary>
    public static BitRange L(int pos, int len) => new(41 + pos, len);

    public bool InLongSlot => Pos >= 41;

    public ulong Extract(in InsnWord w) => InLongSlot
        ? (w.Long >> (Pos - 41)) & Mask(Len)
        : (w.Slot >> Pos) & Mask(Len);

    public void Insert(ref InsnWord w, ulong value)
    {
        ulong m = Mask(Len);
        if (InLongSlot)
            w.Long = (w.Long & ~(m << (Pos - 41))) | ((value & m) << (Pos - 41));
        else
            w.Slot = (w.Slot & ~(m << Pos)) | ((value & m) << Pos);
    }

    public static ulong Mask(int len) => len >= 64 ? ulong.MaxValue : (1UL << len) - 1;

    public bool Equals(BitRange other) => Pos == other.Pos && Len == other.Len;
    public override bool Equals(object? obj) => obj is BitRange b && Equals(b);
    public override int GetHashCode() => Pos * 128 + Len;
    public override string ToString() => InLongSlot ? $"L{Pos - 41}+{Len}" : $"{Pos}+{Len}";
}

/// <summary>
/// An operand field made of one or more bit ranges, concatenated least-significant piece first
/// (e.g. imm8 of format A3 is <c>imm7b(13..19)</c> then <c>s(36)</c>).
/// </summary>
public sealed class Field
{
    public readonly BitRange[] Pieces;
    public readonly int Width;

    public Field(params BitRange[] pieces)
    {
        Pieces = pieces;
        foreach (var p in pieces) Width += p.Len;
    }

    public static Field Bits(int pos, int len) => new(new BitRange(pos, len));

    public ulong Extract(in InsnWord w)
    {
        ulong v = 0;
        int shift = 0;
        foreach (var p in Pieces)
        {
            v |= p.Extract(w) << shift;
            shift += p.Len;
        }
        return v;
    }

    public void Insert(ref InsnWord w, ulong value)
    {
        int shift = 0;
        foreach (var p in Pieces)
        {
            p.Insert(ref w, shift >= 64 ? 0 : value >> shift);
            shift += p.Len;
        }
    }

    public override string ToString() => string.Join("|", Array.ConvertAll(Pieces, p => p.ToString()));
}

/// <summary>Fixed opcode bits of a form: which bits of the 41-bit slot are fixed (Mask) and to what (Value).</summary>
public readonly struct Pattern
{
    public readonly ulong Value;
    public readonly ulong Mask;

    public Pattern(ulong value, ulong mask)
    {
        Value = value;
        Mask = mask;
    }

    /// <summary>The major opcode, bits 37–40.</summary>
    public static Pattern Major(int op) => default(Pattern).F(37, 4, (ulong)op);

    /// <summary>Fixes <paramref name="len"/> bits at <paramref name="pos"/> to <paramref name="value"/>.</summary>
    public Pattern F(int pos, int len, ulong value)
    {
        if (pos + len > 41) throw new ArgumentOutOfRangeException(nameof(pos));
        ulong m = BitRange.Mask(len);
        if (value > m) throw new ArgumentOutOfRangeException(nameof(value), $"{value} does not fit {len} bits");
        return new Pattern((Value & ~(m << pos)) | (value << pos), Mask | (m << pos));
    }

    public bool Matches(ulong slot) => (slot & Mask) == Value;
}

/// <summary>The raw bits of one instruction: its 41-bit slot, and for X-unit instructions the L slot too.</summary>
public struct InsnWord : IEquatable<InsnWord>
{
    public ulong Slot;
    public ulong Long;

    public InsnWord(ulong slot, ulong @long = 0)
    {
        Slot = slot;
        Long = @long;
    }

    public bool Equals(InsnWord other) => Slot == other.Slot && Long == other.Long;
    public override bool Equals(object? obj) => obj is InsnWord w && Equals(w);
    public override int GetHashCode() => (Slot * 31 + Long).GetHashCode();
    public override string ToString() => Long == 0 ? $"0x{Slot:x11}" : $"0x{Slot:x11}:L0x{Long:x11}";
}
