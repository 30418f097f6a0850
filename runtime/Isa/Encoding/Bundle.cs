using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>
/// A 128-bit bundle: template in bits 0–4, slot 0 in 5–45, slot 1 in 46–86, slot 2 in 87–127, stored little-endian.
/// </summary>
public readonly struct Bundle : IEquatable<Bundle>
{
    public const int Size = 16;
    public const ulong SlotMask = (1UL << 41) - 1;

    public readonly ulong Lo;
    public readonly ulong Hi;

    public Bundle(ulong lo, ulong hi)
    {
        Lo = lo;
        Hi = hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Bundle Create(int template, ulong s0, ulong s1, ulong s2)
    {
        ulong lo = (ulong)(uint)(template & 0x1f) | (s0 & SlotMask) << 5 | (s1 & SlotMask) << 46;
        ulong hi = (s1 & SlotMask) >> 18 | (s2 & SlotMask) << 23;
        return new Bundle(lo, hi);
    }

    public int TemplateCode => (int)(Lo & 0x1f);

    /// <summary>
    /// This bundle with <paramref name="word"/> in <paramref name="slot"/>; in an MLX bundle (<paramref name="isLong"/>)
    /// the X-unit instruction of slot 1 or 2 takes both, its L part in slot 1.
    /// </summary>
    public Bundle With(int slot, in InsnWord word, bool isLong) =>
        isLong && slot >= 1 ? WithSlot(1, word.Long).WithSlot(2, word.Slot) : WithSlot(slot, word.Slot);

    /// <summary>This bundle with slot <paramref name="i"/> holding <paramref name="bits"/>, the others as they are.</summary>
    public Bundle WithSlot(int i, ulong bits)
    {
        bits &= SlotMask;
        return i switch
        {
            0 => new Bundle(Lo & ~(SlotMask << 5) | bits << 5, Hi),
            1 => new Bundle(Lo & ~(SlotMask << 46) | bits << 46, Hi & ~(SlotMask >> 18) | bits >> 18),
            2 => new Bundle(Lo, Hi & ~(SlotMask << 23) | bits << 23),
            _ => throw new ArgumentOutOfRangeException(nameof(i)),
        };
    }

    public ulong Slot(int i) => i switch
    {
        0 => (Lo >> 5) & SlotMask,
        1 => ((Lo >> 46) | (Hi << 18)) & SlotMask,
        2 => (Hi >> 23) & SlotMask,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    public static Bundle Read(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Lo);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.Slice(8), Hi);
    }

    public bool Equals(Bundle other) => Lo == other.Lo && Hi == other.Hi;
    public override bool Equals(object? obj) => obj is Bundle b && Equals(b);
    public override int GetHashCode() => (Lo ^ Hi * 31).GetHashCode();
    public override string ToString() => $"{Hi:x16}{Lo:x16}";
}
