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

    /// <summary>A listing long enough to be assembled in parts (several hundred KB), with labels and branches across them.</summary>
    private static string LongListing(int n)
    {
        var sb = new System.Text.StringBuilder("\t.text\n\t.explicit\n");
        var rng = new Random(11);
        for (int k = 0; k < n; k++)
        {
            if (k % 30 == 0) sb.Append("L").Append(k / 30).Append(":\n");
            int d = 16 + k % 3 * 8 + rng.Next(8);
            sb.Append((k % 30 == 29 ? 4 : rng.Next(4)) switch
            {
                0 => $"\tadd r{d}=r{40 + rng.Next(30)},r{40 + rng.Next(30)}",
                1 => $"\tld8 r{d}=[r{40 + rng.Next(30)}]",
                2 => $"\tadds r{d}={rng.Next(-8192, 8191)},r{40 + rng.Next(30)}",
                _ => $"\tbr.cond.sptk.few L{rng.Next(n / 30)}",
            });
            sb.Append(k % 3 == 2 ? " ;;\n" : "\n");
        }
        return sb.ToString();
    }

    [Fact]
    public void Asm_of_a_long_file_is_the_whole_source_assembled_and_reports_lines_of_the_whole_file()
    {
        string source = LongListing(60_000);
        Assert.True(source.Length > 1 << 20);
        string s = Path.Combine(_dir, "long.s"), bin = Path.Combine(_dir, "long.bin");
        // A byte order mark and CRLF line ends, as some editors write: read as File.ReadAllText reads them.
        File.WriteAllText(s, source.Replace("\n", "\r\n"), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var (code, _, err) = Ivtgen("asm", s, "-o", bin);
        Assert.True(code == 0, err);
        // The bytes of the whole source assembled in one piece (itself checked against GNU as in BundlingTests), and no
        // more bundles than GNU as makes of it.
        var whole = IvtGen.Isa.Assembler.Assemble(source, int.MaxValue / 4, out _);
        Assert.False(whole.HasErrors);
        Assert.Equal(whole.Code, File.ReadAllBytes(bin));
        var gnu = GnuBinutils.Assemble(source);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        Assert.True(whole.Code.Length <= gnu.Text!.Length, $"{whole.Code.Length / 16} bundles, GNU as {gnu.Text.Length / 16}");

        // A mistake deep in the file is reported at its line, as counted from the file's start.
        var lines = source.Split('\n');
        int bad = lines.Length * 3 / 4;
        while (!lines[bad].StartsWith("\tadd ", StringComparison.Ordinal)) bad++;
        lines[bad] = "\tadd r0=r1,r2";
        File.WriteAllText(s, string.Join("\n", lines));
        (code, _, err) = Ivtgen("asm", s, "-o", bin);
        Assert.Equal(1, code);
        Assert.Contains($"{s}:{bad + 1}:", err);
        Assert.Contains("r0 cannot be a destination", err);
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

    [Fact]
    public void Build_without_its_companion_says_so_and_fails()
    {
        // ivtgen alone, as if only the native executable had been copied somewhere: build needs ivtgen-build beside it.
        string lone = Path.Combine(_dir, "lone");
        Directory.CreateDirectory(lone);
        foreach (var f in new[] { "ivtgen.dll", "ivtgen.runtimeconfig.json", "ivtgen.deps.json", "IvtGen.Runtime.dll", "System.CommandLine.dll" })
            File.Copy(Path.Combine(AppContext.BaseDirectory, f), Path.Combine(lone, f));
        var (code, _, err) = Run("dotnet", _dir, Path.Combine(lone, "ivtgen.dll"), "build", "samples");
        Assert.Equal(1, code);
        Assert.Contains("'build' runs in the companion ivtgen-build.dll, which is not in", err);
        Assert.DoesNotContain("   at ", err);
    }
}
