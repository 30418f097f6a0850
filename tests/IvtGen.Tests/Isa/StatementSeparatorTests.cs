using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// GNU as reads ';' as a statement separator, and Linux's IVT writes the spill notes that way
/// (<c>.mem.offset 0,0; st8.spill [r16]=r8,16</c>). Statements so joined assemble as on lines of their own, which GNU
/// as takes too; <c>.mem.offset</c> itself makes no code, inside a bundle or out, and takes two constants as GNU does.
/// </summary>
public sealed class StatementSeparatorTests
{
    [Theory]
    [InlineData("\tadd r1=r2,r3; add r4=r5,r6 ;;\n\tnop.m 0; nop.i 0\n")]
    [InlineData("\t.align 16; nop.m 0\n\t.explicit; (p6) mov r8=r9;;\n")]
    [InlineData("{ .mii; nop.m 0; nop.i 0; nop.i 0 }\n\tbr.ret.sptk.many b0; ;\n")]
    [InlineData("1: ld8 r1=[r2]; br.cond.sptk.few 1b ;;\n")]
    [InlineData("\t.mem.offset 0,0; st8.spill [r16]=r8,16\n\t.mem.offset 8,0; st8.spill [r17]=r9,16 ;;\n")]
    public void Joined_statements_assemble_as_separate_lines(string joined)
    {
        string source = "\t.text\n" + joined;
        Assert.True(GnuBinutils.Assemble(source).Text is not null, "GNU as refuses: " + GnuBinutils.Assemble(source).Stderr);
        var together = Assembler.Assemble(source);
        Assert.False(together.HasErrors, string.Join("\n", together.Diagnostics));
        // The same statements a line each (a numeric label's line keeps its label).
        var apart = Assembler.Assemble(source.Replace("; ", "\n\t").Replace("1: ", "1:\n\t"));
        Assert.False(apart.HasErrors, string.Join("\n", apart.Diagnostics));
        Assert.Equal(apart.Code, together.Code);
    }

    [Fact]
    public void Spill_notes_make_no_code_inside_a_bundle_or_out()
    {
        GnuSpelling.AssertSameBytes("{ .mmi\n\t.mem.offset 0,0\n\tst8.spill [r2]=r8,16\n\t.mem.offset 8,0\n\tst8.spill [r3]=r9,16\n\tnop.i 0\n}");
        GnuSpelling.AssertSameBytes(".mem.offset 8+8,1; st8.spill [r2]=r8");
        GnuSpelling.AssertSameBytes(".mem.offset -8,0; ld8.fill r8=[r2]");
    }

    [Theory]
    [InlineData(".mem.offset 0", "expected '.mem.offset offset, base'")]
    [InlineData(".mem.offset", "expected '.mem.offset offset, base'")]
    [InlineData(".mem.offset 0,0,0", "expected '.mem.offset offset, base'")]
    [InlineData(".mem.offset x,0", "undefined symbol 'x'")]
    public void Spill_notes_GNU_refuses_are_refused(string directive, string message) =>
        Assert.Contains(message, GnuSpelling.AssertBothRefuse(directive + "\n\tst8.spill [r2]=r8"));
}
