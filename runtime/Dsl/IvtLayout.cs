using System;

namespace IvtGen.Dsl;

/// <summary>The architected IVT layout: where each of the 68 entries starts and how many bundles it holds.</summary>
public static class IvtLayout
{
    public const int TableSize = 0x8000;
    public const int Alignment = 0x8000;
    public const int EntryCount = 68;
    public const int LongEntries = 20;
    public const int LongEntryBundles = 64;
    public const int ShortEntryBundles = 16;
    public const int ShortBase = 0x5000;

    /// <summary>The offset of entry <paramref name="index"/> (0–67).</summary>
    public static int Offset(int index) =>
        (uint)index >= EntryCount ? throw new ArgumentOutOfRangeException(nameof(index))
        : index < LongEntries ? index * LongEntryBundles * 16 : ShortBase + (index - LongEntries) * ShortEntryBundles * 16;

    /// <summary>The entry that starts at <paramref name="offset"/>, or −1 when no entry starts there.</summary>
    public static int IndexOf(int offset)
    {
        if (offset < 0 || offset >= TableSize) return -1;
        if (offset < ShortBase) return offset % (LongEntryBundles * 16) == 0 ? offset / (LongEntryBundles * 16) : -1;
        int rel = offset - ShortBase;
        return rel % (ShortEntryBundles * 16) == 0 ? LongEntries + rel / (ShortEntryBundles * 16) : -1;
    }

    /// <summary>Bundles available to entry <paramref name="index"/>.</summary>
    public static int Capacity(int index) => index < LongEntries ? LongEntryBundles : ShortEntryBundles;

    /// <summary>The entry's name as <see cref="IvtVector"/> spells it.</summary>
    public static string Name(int index) => ((IvtVector)Offset(index)).ToString();
}
