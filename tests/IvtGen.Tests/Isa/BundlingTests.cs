using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// Loose code (no braces) bundled by us and by GNU as from the same source: we use no more bundles, and both
/// outputs hold the same instructions in the same order with the same instruction-group boundaries.
/// </summary>
public sealed class BundlingTests
{
    private readonly ITestOutputHelper _out;
    public BundlingTests(ITestOutputHelper output) => _out = output;

    /// <summary>Random forms of every unit, with a stop after about a third of them and labels now and then.</summary>
    private static string RandomSource(int seed, int count, out int labels)
    {
        var rng = new Random(seed);
        var forms = InstructionTable.Forms
            .Where(f => !f.Has(InsnFlags.FirstInGroup) && !f.Has(InsnFlags.LastInGroup) && !f.Mnemonic.StartsWith("nop", StringComparison.Ordinal))
            .ToList();
        var sb = new StringBuilder("\t.text\n\t.explicit\nL0:\n");
        labels = 1;
        for (int k = 0; k < count; k++)
        {
            if (rng.Next(40) == 0) sb.Append("L").Append(labels++).Append(":\n");
            var f = forms[rng.Next(forms.Count)];
            var ins = FormSamples.Make(f, rng, 2);
            if (ins is null) continue;
            // Targets name the latest label: close enough for brp's 13-bit tag.
            string target = "L" + (labels - 1);
            sb.Append('\t').Append(Formatter.Format(ins.Value, 0, (_, _) => target));
            if (rng.Next(3) == 0 || f.Unit == Unit.B) sb.Append(" ;;");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static readonly System.Text.RegularExpressions.Regex UnitLess = new(@"\b(mov|chk\.s|break|hint)\.[imbf] ");
    private static readonly System.Text.RegularExpressions.Regex Decimal = new(@"\b((?:break|hint) )(\d+)$");

    /// <summary>Instructions (nops left out) and the group boundaries between them, from raw bundles.</summary>
    private static List<string> Stream(byte[] code)
    {
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(code, 0, errors);
        Assert.Empty(errors);
        var list = new List<string>();
        foreach (var b in bundles)
        {
            for (int s = 0; s < 3; s++)
            {
                if (b.Template.Slots[s] == SlotKind.L) continue;
                var ins = b.Slots[s];
                // Displacements differ between two layouts; compare branch forms by everything else.
                // Unit-less spellings land on either unit (mov ar48-63/ar112-127, chk.s): the same operation either way.
                // So do break and hint (GNU's IA64_TYPE_DYN): break.i and break.m are one operation in different slots.
                // (hint.m prints its immediate in decimal, hint.i in hex: one spelling for both.)
                if (!Nops.IsNop(ins)) list.Add(Decimal.Replace(UnitLess.Replace(Formatter.Format(ins, 0, (_, _) => "T"), "$1 "),
                    m => m.Groups[1].Value + "0x" + long.Parse(m.Groups[2].Value).ToString("x")));
                if (b.Template.StopAfter(s) && list.Count > 0 && list[^1] != ";;") list.Add(";;");
            }
        }
        return list;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Auto_bundling_is_at_least_as_dense_as_GNU_and_keeps_order_and_groups(int seed)
    {
        string source = RandomSource(seed, 1500, out _);
        var gnu = GnuBinutils.Assemble(source);
        Assert.True(gnu.Text is not null, "GNU as rejected the generated source: " + gnu.Stderr);
        var ours = Assembler.Assemble(source);
        Assert.False(ours.HasErrors, string.Join("\n", ours.Diagnostics.Take(10)));
        int gnuBundles = gnu.Text!.Length / 16, ourBundles = ours.Code.Length / 16;
        _out.WriteLine($"bundles: ours {ourBundles}, GNU {gnuBundles} ({100.0 * (gnuBundles - ourBundles) / gnuBundles:F1}% fewer)");
        Assert.True(ourBundles <= gnuBundles, $"we used {ourBundles} bundles, GNU {gnuBundles}");
        var a = Stream(ours.Code);
        var b = Stream(gnu.Text);
        // GNU closes the last group with a stop at the end of the section; compare up to that.
        if (b.Count > 0 && b[^1] == ";;" && (a.Count == 0 || a[^1] != ";;")) b.RemoveAt(b.Count - 1);
        Assert.Equal(b, a);
    }

    [Fact]
    public void The_sample_vector_table_fragment_assembles_like_GNU_as()
    {
        string source = System.IO.File.ReadAllText(Support.Repo.FilePath("samples", "asm", "ivt-fragment.s"));
        var gnu = GnuBinutils.Assemble(source);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        var ours = Assembler.Assemble(source);
        Assert.False(ours.HasErrors, string.Join("\n", ours.Diagnostics));
        Assert.Empty(ours.Diagnostics);
        Assert.Equal(gnu.Text!.Length, ours.Code.Length);
        // Explicit bundles are byte-identical; loose code may be packed differently but holds the same stream.
        Assert.Equal(gnu.Text.AsSpan(0x400, 0x400).ToArray(), ours.Code.AsSpan(0x400, 0x400).ToArray());
        Assert.Equal(Stream(gnu.Text), Stream(ours.Code));
    }

    [Fact]
    public void Our_disassembly_of_bundled_code_reassembles_with_GNU_to_the_same_bytes()
    {
        string source = RandomSource(7, 1500, out _);
        var ours = Assembler.Assemble(source);
        Assert.False(ours.HasErrors, string.Join("\n", ours.Diagnostics.Take(10)));
        var errors = new List<DecodeError>();
        string text = Disassembler.ToSource(Disassembler.Decode(ours.Code, 0, errors));
        Assert.Empty(errors);
        var gnu = GnuBinutils.Assemble(text);
        Assert.True(gnu.Text is not null, "GNU as rejected our disassembly: " + gnu.Stderr);
        Assert.Equal(ours.Code.Length, gnu.Text!.Length);
        for (int off = 0; off < ours.Code.Length; off += 16)
        {
            if (ours.Code.AsSpan(off, 16).SequenceEqual(gnu.Text.AsSpan(off, 16))) continue;
            var e2 = new List<DecodeError>();
            string mine = Disassembler.ToListing(Disassembler.Decode(ours.Code.AsSpan(off, 16), off, e2));
            string theirs = Disassembler.ToListing(Disassembler.Decode(gnu.Text.AsSpan(off, 16), off, e2));
            Assert.Fail($"bundle at 0x{off:x} differs:\nours:\n{mine}\nGNU from our disassembly:\n{theirs}");
        }
    }
}
