using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>Bit counts the netstandard2.0 build has no intrinsic for (net10.0 uses the instruction).</summary>
internal static class BitCount
{
    /// <summary>The number of zero bits below the lowest set bit of <paramref name="x"/> (64 for 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TrailingZeros(ulong x)
    {
#if NET
        return System.Numerics.BitOperations.TrailingZeroCount(x);
#else
        if (x == 0) return 64;
        int n = 0;
        while ((x & 1) == 0)
        {
            x >>= 1;
            n++;
        }
        return n;
#endif
    }
}
