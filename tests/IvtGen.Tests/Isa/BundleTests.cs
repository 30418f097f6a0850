using System;
using IvtGen.Isa;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>Replacing a slot of a bundle (fixups, relocations) changes that slot and nothing else.</summary>
public sealed class BundleTests
{
    [Fact]
    public void With_replaces_one_slot_or_the_L_and_X_pair()
    {
        var rng = new Random(20260413);
        for (int n = 0; n < 2000; n++)
        {
            ulong s0 = Random41(rng), s1 = Random41(rng), s2 = Random41(rng);
            int template = rng.Next(32), slot = rng.Next(3);
            bool isLong = rng.Next(2) == 0;
            // Bits above the 41st of a word are not the slot's: they must not leak into the others.
            var word = new InsnWord(Random41(rng) | (ulong)rng.Next(1, 1 << 20) << 41, Random41(rng));
            var bundle = Bundle.Create(template, s0, s1, s2);
            var expected = isLong && slot >= 1
                ? Bundle.Create(template, s0, word.Long, word.Slot)
                : Bundle.Create(template, slot == 0 ? word.Slot : s0, slot == 1 ? word.Slot : s1, slot == 2 ? word.Slot : s2);
            Assert.Equal(expected, bundle.With(slot, word, isLong));
        }
    }

    private static ulong Random41(Random rng) => ((ulong)rng.Next() << 20 ^ (ulong)rng.Next()) & Bundle.SlotMask;
}
