using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// <c>mov pr=r2,mask</c> takes its mask as GNU as does: any value from -65536 to 0x1ffff, signed or unsigned, with bit 0
/// dropped (pr0 is always 1). Linux's ivt.S writes <c>mov pr=r31,-1</c>. Each spelling is assembled by both and the
/// bytes compared; the ones GNU refuses, both refuse.
/// </summary>
public sealed class MovPrMaskTests
{
    [Theory]
    [InlineData("-1")]
    [InlineData("-2")]
    [InlineData("-3")]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("0xffff")]
    [InlineData("0x10000")]
    [InlineData("0x1ffff")]
    [InlineData("-65536")]
    [InlineData("0xfffffffffffffffe")]
    public void Masks_GNU_takes_encode_as_GNU_encodes_them(string mask) => GnuSpelling.AssertSameBytes($"mov pr=r31,{mask}");

    [Theory]
    [InlineData("0x20000")]
    [InlineData("-65537")]
    [InlineData("0xfffffffffffe0000")]
    public void Masks_GNU_refuses_are_refused(string mask) =>
        Assert.Contains("out of range [-65536, 131071]", GnuSpelling.AssertBothRefuse($"mov pr=r31,{mask}"));
}
