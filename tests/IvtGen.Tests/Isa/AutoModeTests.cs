using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// In .auto mode the assembler inserts the stops dependencies need, and a label does not end an instruction group: the
/// stop a dependency across a label needs goes before the label, as GNU as puts it. The oracle: our code, disassembled
/// and assembled again by GNU as with its dependency checks on (-x), draws no dependency-violation warning.
/// </summary>
public sealed class AutoModeTests
{
    [Fact]
    public void A_dependency_across_a_label_gets_a_stop_before_the_label()
    {
        const string source = "\t.text\n\t.auto\n\tadd r1=r2,r3\nL1:\n\tadd r4=r1,r5\n\tadd r6=r7,r8\nL2:\n\tadd r9=r10,r11\n\tbr.cond.sptk.few L1\n";
        var r = Assembler.Assemble(source);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        // GNU as: a stop ends the first bundle (before L1); none is needed before L2.
        var gnu = GnuBinutils.Assemble(source);
        Assert.NotNull(gnu.Text);
        Assert.Equal(gnu.Text![0] & 1, r.Code[0] & 1);
        Assert.Equal(1, r.Code[0] & 1);
        Assert.Equal(r.Labels["L2"], r.Labels["L1"] + 16);
        AssertNoViolations(r);
    }

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 6).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Auto_mode_code_with_labels_everywhere_has_no_dependency_violation(int seed)
    {
        // Few registers, so nearly every pair of neighbours depends; labels every few instructions, sometimes two in a
        // row; post-increment loads, compares and predicated branches.
        var rng = new Random(seed);
        var sb = new StringBuilder("\t.text\n\t.auto\n");
        int labels = 0;
        for (int k = 0; k < 400; k++)
        {
            if (rng.Next(3) == 0) sb.Append(CultureInfo.InvariantCulture, $"L{labels++}:\n");
            if (rng.Next(12) == 0) sb.Append(CultureInfo.InvariantCulture, $"L{labels++}:\n");
            int a = 1 + rng.Next(6), b = 1 + rng.Next(6), c = 1 + rng.Next(6);
            sb.Append(rng.Next(6) switch
            {
                0 => $"\tadd r{a}=r{b},r{c}\n",
                1 => $"\tld8 r{a}=[r{(a == b ? b % 6 + 1 : b)}],8\n", // the base must not be the target
                2 => $"\tcmp.eq p{a},p{a + 6}=r{b},r{c}\n",
                3 => $"\t(p{a}) br.cond.sptk.few L{rng.Next(labels + 1)}\n",
                4 => $"\tmov r{a}=b{rng.Next(8)}\n",
                _ => $"\tadds r{a}={rng.Next(-100, 100)},r{b}\n",
            });
        }
        sb.Append(CultureInfo.InvariantCulture, $"L{labels}:\n\tnop.m 0\n");
        var r = Assembler.Assemble(sb.ToString());
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics.Take(5)));
        AssertNoViolations(r);
    }

    [Theory]
    [InlineData("\tnop.m 0\n\t.explicit\n\tnop.i 0 ;;\n", 1)]
    [InlineData("\tnop.m 0\n\t.auto\n\tnop.i 0\n", 1)]
    [InlineData("\t.auto\n\tnop.m 0\n\t.explicit\n\tnop.i 0 ;;\n", 1)]
    [InlineData("\tadd r1=r2,r3; add r4=r5,r6 ;;\n\tnop.m 0; nop.i 0\n\t.align 16; nop.m 0\n\t.explicit; (p6) mov r8=r9;;\n\tbr.ret.sptk.many b0 ;;\n", 4)]
    public void A_mode_directive_does_not_end_the_bundle(string code, int bundles)
    {
        // GNU as packs across .auto and .explicit; so must we, never needing more bundles than it does.
        string source = "\t.text\n" + code;
        var r = Assembler.Assemble(source);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var gnu = GnuBinutils.Assemble(source);
        Assert.NotNull(gnu.Text);
        Assert.True(r.Code.Length <= gnu.Text!.Length, $"{r.Code.Length / 16} bundles, GNU as {gnu.Text.Length / 16}");
        Assert.Equal(bundles, r.Code.Length / 16);
    }

    [Fact]
    public void An_auto_instruction_in_a_group_begun_in_explicit_mode_gets_its_stop()
    {
        // add r4 reads r1, which add r1 wrote in explicit mode in the same group: GNU as puts a stop between them.
        const string source = "\t.text\n\t.explicit\n\tadd r1=r2,r3\n\t.auto\n\tadd r4=r1,r5\n\t.explicit\n\tnop.i 0 ;;\n";
        var r = Assembler.Assemble(source);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Empty(r.Diagnostics);
        var gnu = GnuBinutils.Assemble(source);
        Assert.NotNull(gnu.Text);
        Assert.Equal(gnu.Text!.AsSpan(0, 16).ToArray(), r.Code);
        AssertNoViolations(r);
    }

    private static void AssertNoViolations(AssemblyResult r)
    {
        var errors = new List<DecodeError>();
        var text = Disassembler.ToSource(Disassembler.Decode(r.Code, 0, errors));
        Assert.Empty(errors);
        var gnu = GnuBinutils.Assemble(text);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        Assert.Equal(r.Code, gnu.Text);
        var violations = gnu.Messages.Where(m => m.Text.Contains("violates", StringComparison.Ordinal)).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations.Take(5).Select(m => $"{m.Line}: {m.Text}")));
    }
}
