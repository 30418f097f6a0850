using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// Compares with an immediate as GNU as reads them: <c>cmp.leu/gtu</c> are <c>cmp.ltu</c> with imm−1 (0 refused, as
/// imm−1 would wrap), and cmp4's unsigned relations read the immediate as 32 bits as well (<c>0xffffffff</c> is −1).
/// Each spelling is assembled by both and the bytes compared; the ones GNU refuses, both refuse.
/// </summary>
public sealed class CmpImmediateTests
{
    [Theory]
    [InlineData("cmp.leu p1,p2=1,r3")]
    [InlineData("cmp.leu p1,p2=128,r3")]
    [InlineData("cmp.leu p1,p2=-127,r3")]
    [InlineData("cmp.leu p1,p2=-1,r3")]
    [InlineData("cmp.leu.unc p1,p2=5,r3")]
    [InlineData("cmp.gtu p1,p2=5,r3")]
    [InlineData("cmp.gtu.unc p6,p7=-5,r9")]
    [InlineData("cmp4.leu p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.leu p1,p2=0x100000000,r3")]
    [InlineData("cmp4.leu p1,p2=7,r3")]
    [InlineData("cmp4.gtu p1,p2=1,r3")]
    [InlineData("cmp4.gtu p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.ltu p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.ltu p1,p2=0xffffff80,r3")]
    [InlineData("cmp4.ltu.unc p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.geu p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.ltu p1,p2=-1,r3")]
    [InlineData("cmp.ltu p1,p2=0xffffffffffffffff,r3")]
    public void Spellings_GNU_takes_encode_as_GNU_encodes_them(string instruction) => GnuSpelling.AssertSameBytes(instruction);

    [Theory]
    [InlineData("cmp.leu p1,p2=0,r3")]
    [InlineData("cmp.gtu p1,p2=0,r3")]
    [InlineData("cmp4.gtu p1,p2=0,r3")]
    [InlineData("cmp.leu p1,p2=129,r3")]
    [InlineData("cmp.leu p1,p2=-128,r3")]
    [InlineData("cmp.leu p1,p2=0xffffffffffffff80,r3")]
    [InlineData("cmp4.leu p1,p2=0xffffff80,r3")]
    [InlineData("cmp4.ltu p1,p2=0xffffff7f,r3")]
    [InlineData("cmp4.ltu p1,p2=0x1ffffffff,r3")]
    [InlineData("cmp4.lt p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.eq p1,p2=0xffffffff,r3")]
    [InlineData("cmp4.eq.or p1,p2=0xffffffff,r3")]
    public void Spellings_GNU_refuses_are_refused(string instruction) => GnuSpelling.AssertBothRefuse(instruction);
}
