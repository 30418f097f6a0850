using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// GNU as's named constants (@nat, @pause, @rev, @clz…) are values in any expression, as GNU reads them: each name's
/// value, and the places they are written (fclass's classes or-ed together, hint.i and the unit-less hint, tf, an
/// immediate, a branch target), are assembled by both and the bytes compared. A name GNU does not know, or spells
/// otherwise, stays a symbol (an undefined one, here).
/// </summary>
public sealed class PseudoConstantTests
{
    public static IEnumerable<object[]> Names => PseudoConstants.All.Keys.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_name_has_GNUs_value(string name)
    {
        GnuSpelling.AssertSameBytes($"movl r1={name}");
        GnuSpelling.AssertSameBytes($"adds r1={name}+1,r2");
    }

    [Theory]
    [InlineData("fclass.m p6,p7=f8,@nat|@qnan|@snan")]
    [InlineData("fclass.m.unc p6,p7=f8,@pos|@neg|@zero")]
    [InlineData("fclass.nm p6,p7=f8,@natval")]
    [InlineData("fclass.m p6,p7=f8,@inf|@norm|@unorm")]
    [InlineData("fclass.m p6,p7=f8,@nat+1")]
    [InlineData("hint.i @pause")]
    [InlineData("hint.i @priority")]
    [InlineData("hint.m @pause")]
    [InlineData("hint.x @priority")]
    [InlineData("hint @priority")]
    [InlineData("{ .mii\n\tnop.m 0\n\thint @pause\n\tnop.i 0\n}")] // the unit-less hint in an I slot, as GNU puts it
    [InlineData("tf.z p6,p7=@clz")]
    [InlineData("tf.nz.unc p6,p7=@mpy")]
    [InlineData("tf.z.and p6,p7=@datahints")]
    [InlineData("mux1 r1=r2,@rev")] // mux1 names its own values: matched by name, as before
    [InlineData("mux1 r1=r2,@shuf")]
    [InlineData("mov r1=@rev")]
    [InlineData("br.cond.sptk.few @nat")]
    public void Where_GNU_takes_them_they_encode_as_GNU_encodes_them(string instruction) => GnuSpelling.AssertSameBytes(instruction);

    [Theory]
    [InlineData("@NAT")] // case matters: another symbol
    [InlineData("@nan")]
    [InlineData("@foo")]
    public void Other_names_are_symbols(string name)
    {
        var result = Assembler.Assemble($"\t.text\n\tmovl r1={name} ;;\n");
        Assert.Contains(result.Diagnostics, d => d.Message.Contains($"undefined symbol '{name}'"));
    }
}
