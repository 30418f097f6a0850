using System;
using System.IO;
using IvtGen.Tests.Gnu;
using static IvtGen.Tests.Support.Processes;
using Xunit;

namespace IvtGen.Tests.Cli;

/// <summary>The ivtgen tool as a user runs it: files in, files and messages out, exit codes.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ivtgen-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private const string Source = """
        	.text
        	.explicit
        start:
        { .mii
        	adds r16=8,r17
        	shl r18=r19,3 ;;
        	nop.i 0
        }
        1:
        { .mib
        	ld8.acq r20=[r16],8
        	mov r21=r22
        	br.cond.sptk.many 1b ;;
        }
        { .mlx
        	nop.m 0
        	movl r8=0x123456789abcdef0 ;;
        }
        """;

    [Fact]
    public void Asm_writes_the_bytes_GNU_as_makes_and_disasm_reads_them_back()
    {
        string s = Path.Combine(_dir, "a.s"), bin = Path.Combine(_dir, "a.bin");
        File.WriteAllText(s, Source);
        var (code, _, err) = Ivtgen("asm", s, "-o", bin);
        Assert.True(code == 0, err);
        var gnu = GnuBinutils.Assemble(Source);
        Assert.NotNull(gnu.Text);
        Assert.Equal(gnu.Text, File.ReadAllBytes(bin));

        var (dcode, text, derr) = Ivtgen("disasm", bin);
        Assert.True(dcode == 0, derr);
        var again = GnuBinutils.Assemble(text);
        Assert.True(again.Text is not null, again.Stderr);
        Assert.Equal(gnu.Text, again.Text);

        var (lcode, listing, _) = Ivtgen("disasm", "--listing", bin);
        Assert.Equal(0, lcode);
        Assert.Contains("[MII]", listing);
        Assert.Contains("movl r8=0x123456789abcdef0", listing);
    }

    [Fact]
    public void Asm_errors_are_compiler_style_with_exit_code_1_and_no_stack_trace()
    {
        string s = Path.Combine(_dir, "bad.s");
        File.WriteAllText(s, "\t.text\n\tadd r1=r2,r3 ;;\n\tfrob r1=r2\n\tadds r1=99999,r2\n");
        var (code, _, err) = Ivtgen("asm", s, "-o", Path.Combine(_dir, "bad.bin"));
        Assert.Equal(1, code);
        Assert.Contains($"{s}:3:2: error: unknown mnemonic 'frob'", err);
        Assert.Contains($"{s}:4:10: error: operand 2 of 'adds'", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(Path.Combine(_dir, "bad.bin")));
    }

    [Fact]
    public void Disasm_of_bad_bytes_reports_offsets_and_exit_code_1()
    {
        string bin = Path.Combine(_dir, "bad.bin");
        var bytes = new byte[21];
        bytes[0] = 0x1e; // reserved template
        File.WriteAllBytes(bin, bytes);
        var (code, _, err) = Ivtgen("disasm", bin);
        Assert.Equal(1, code);
        Assert.Contains("offset 0x0: error: reserved template 0x1e", err);
        Assert.Contains("offset 0x10: error: truncated bundle", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Missing_input_file_is_a_clear_error()
    {
        var (code, _, err) = Ivtgen("asm", Path.Combine(_dir, "nope.s"));
        Assert.Equal(1, code);
        Assert.Contains("error", err);
        Assert.DoesNotContain("   at ", err);
    }
}
