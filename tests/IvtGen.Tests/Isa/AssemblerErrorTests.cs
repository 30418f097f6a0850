using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>Bad input gives an error at the right line and column with a message that says what is wrong.</summary>
public sealed class AssemblerErrorTests
{
    [Theory]
    [InlineData("\tfrob r1=r2", 1, 2, "unknown mnemonic 'frob'")]
    [InlineData("\tadds r14=100000,r2", 1, 11, "out of range [-8192, 8191]")]
    [InlineData("\tadd r1=b0,r2", 1, 9, "expected a general register, found branch register")]
    [InlineData("\tadd r0=r1,r2", 1, 6, "r0 cannot be a destination")]
    [InlineData("\tld8 r1=r2", 1, 9, "operand 2 of 'ld8': expected a memory operand [rN], found general register")]
    [InlineData("\tld8 r1", 1, 2, "wrong operands for 'ld8': expected 'r=[r]'")]
    [InlineData("\tbr.cond.sptk.few nowhere ;;", 1, 19, "undefined symbol 'nowhere'")]
    [InlineData("\tbr.cond.sptk.few .+0x2000000 ;;", 1, 19, "branch target out of range")]
    [InlineData("\tbr.cond.sptk.few 1b ;;", 1, 19, "no earlier local label 1")]
    [InlineData("{ .mii\n\tbr.ret.sptk.many b0\n}", 2, 2, "cannot go in slot 0 (M) of .mii")]
    [InlineData("{ .mii\n\tnop.m 0\n", 1, 1, "unterminated bundle")]
    [InlineData("{ .mmi\n\tnop.m 0\n\tnop.m 0 ;;\n\tnop.i 0\n}", 1, 1, "has no form with stops after slot 1")]
    [InlineData("\tadd r1=r2,r3 $", 1, 15, "unexpected character '$'")]
    [InlineData("\t.frob 3", 1, 2, "unsupported directive '.frob'")]
    [InlineData("a:\na:\n\tnop.m 0", 2, 1, "label 'a' is already defined")]
    [InlineData("\tmov r1=0x", 1, 9, "bad number")]
    [InlineData("\t(p6 add r1=r2,r3", 1, 6, "expected ')', found 'add'")]
    [InlineData("\tnop.m 0\n\t.org 0", 2, 2, "would move the location counter back")]
    public void Reports_error_at_location(string source, int line, int column, string message)
    {
        var r = Assembler.Assemble("\t.text\n\t.explicit\n" + source);
        var errors = r.Diagnostics.Where(d => d.Severity == AsmSeverity.Error).ToList();
        Assert.True(errors.Count > 0, "no error for: " + source);
        var e = errors[0];
        Assert.Contains(message, e.Message);
        Assert.Equal(line + 2, e.Line);
        Assert.Equal(column, e.Column);
        Assert.True(r.HasErrors);
    }

    [Fact]
    public void Truncated_and_reserved_template_bytes_are_reported_with_offsets()
    {
        var code = new byte[16 * 2 + 5];
        code[0] = 0x08;          // MMI, slots all zero: break.m 0 / break.m 0 / break.i 0
        code[16] = 0x06;         // reserved template
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(code, 0, errors);
        Assert.Single(bundles);
        Assert.Contains(errors, e => e.Offset == 16 && e.Message.Contains("reserved template 0x06"));
        Assert.Contains(errors, e => e.Offset == 32 && e.Message.Contains("truncated bundle"));
    }
}
