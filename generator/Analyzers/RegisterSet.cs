using System;
using System.Collections.Generic;

namespace IvtGen.Generator.Analyzers;

/// <summary>
/// A set of registers, numbered as <see cref="IvtGen.Isa.DependencyChecker.Resource"/> numbers them (GR 0–127, FR
/// 128–255, PR 256–319, BR 320–327, AR 328–455, CR 456–583): the lattice element of the dataflow analyses.
/// </summary>
internal sealed class RegisterSet : IEquatable<RegisterSet>
{
    public const int Capacity = 584;
    private const int Words = (Capacity + 63) / 64;
    private readonly ulong[] _bits = new ulong[Words];

    public static RegisterSet Full()
    {
        var s = new RegisterSet();
        for (int i = 0; i < Words; i++) s._bits[i] = ulong.MaxValue;
        return s;
    }

    public static RegisterSet Of(IEnumerable<int> regs)
    {
        var s = new RegisterSet();
        foreach (int r in regs) s.Add(r);
        return s;
    }

    public bool Contains(int r) => r >= 0 && r < Capacity && (_bits[r >> 6] & (1UL << (r & 63))) != 0;

    public void Add(int r)
    {
        if (r >= 0 && r < Capacity) _bits[r >> 6] |= 1UL << (r & 63);
    }

    public void Remove(int r)
    {
        if (r >= 0 && r < Capacity) _bits[r >> 6] &= ~(1UL << (r & 63));
    }

    public void UnionWith(RegisterSet o)
    {
        for (int i = 0; i < Words; i++) _bits[i] |= o._bits[i];
    }

    public void IntersectWith(RegisterSet o)
    {
        for (int i = 0; i < Words; i++) _bits[i] &= o._bits[i];
    }

    public void CopyFrom(RegisterSet o) => Array.Copy(o._bits, _bits, Words);

    public RegisterSet Clone()
    {
        var s = new RegisterSet();
        s.CopyFrom(this);
        return s;
    }

    public bool Equals(RegisterSet? o)
    {
        if (o is null) return false;
        for (int i = 0; i < Words; i++)
            if (_bits[i] != o._bits[i]) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is RegisterSet s && Equals(s);

    public override int GetHashCode()
    {
        ulong h = 0;
        foreach (var w in _bits) h = h * 31 + w;
        return h.GetHashCode();
    }
}
