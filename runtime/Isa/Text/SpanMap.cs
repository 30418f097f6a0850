using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// A fixed map from strings to values that can be looked up with a span of source text (ordinal), so the
/// parser finds mnemonics and register names without cutting a substring per token. Dictionary's alternate
/// lookup does the same on .NET 9+, but the runtime also targets netstandard2.0, and one code path keeps
/// both frameworks' behaviour identical.
/// </summary>
internal sealed class SpanMap<T>
{
    private readonly string[] _keys;
    private readonly T[] _values;
    // Open addressing, power-of-two size, at most half full: slot holds index+1 into _keys, 0 when empty.
    private readonly int[] _slots;

    public SpanMap(IEnumerable<KeyValuePair<string, T>> items)
    {
        var keys = new List<string>();
        var values = new List<T>();
        foreach (var kv in items)
        {
            keys.Add(kv.Key);
            values.Add(kv.Value);
        }
        _keys = keys.ToArray();
        _values = values.ToArray();
        int size = 4;
        while (size < _keys.Length * 2) size *= 2;
        _slots = new int[size];
        for (int k = 0; k < _keys.Length; k++)
        {
            int i = Hash(_keys[k].AsSpan()) & (size - 1);
            while (_slots[i] != 0)
            {
                if (_keys[_slots[i] - 1] == _keys[k]) throw new ArgumentException($"duplicate key '{_keys[k]}'");
                i = (i + 1) & (size - 1);
            }
            _slots[i] = k + 1;
        }
    }

    public IEnumerable<string> Keys => _keys;

    public bool TryGetValue(ReadOnlySpan<char> key, out T value)
    {
        int mask = _slots.Length - 1;
        for (int i = Hash(key) & mask; _slots[i] != 0; i = (i + 1) & mask)
        {
            int k = _slots[i] - 1;
            if (key.SequenceEqual(_keys[k].AsSpan()))
            {
                value = _values[k];
                return true;
            }
        }
        value = default!;
        return false;
    }

    public bool TryGetValue(ReadOnlySpan<char> key, out string storedKey, out T value)
    {
        int mask = _slots.Length - 1;
        for (int i = Hash(key) & mask; _slots[i] != 0; i = (i + 1) & mask)
        {
            int k = _slots[i] - 1;
            if (key.SequenceEqual(_keys[k].AsSpan()))
            {
                storedKey = _keys[k];
                value = _values[k];
                return true;
            }
        }
        storedKey = null!;
        value = default!;
        return false;
    }

    private static int Hash(ReadOnlySpan<char> s)
    {
        // FNV-1a, then a final mix so that the low bits (the bucket) depend on every character.
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        h ^= h >> 15;
        h *= 0x2c1b3c6d;
        h ^= h >> 12;
        return (int)(h & 0x7fffffff);
    }
}
