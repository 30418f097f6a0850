using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// A long source is assembled in parts side by side and linked (Assembler.Segments). Whatever the cuts, the result
/// must be what assembling the source whole gives: code, labels and every message in order. Sources are cut every
/// few dozen characters, both as strings and as the UTF-8 bytes of a file, through everything that makes a part
/// depend on what came before it (then the source is assembled whole). The clean listings must really be linked
/// from parts, or these tests would prove nothing.
/// </summary>
public sealed class SegmentedAssemblyTests
{
    private const int Whole = int.MaxValue / 4;
    private static readonly int[] s_cuts = { 40, 97, 256, 1000, 4096 };

    /// <summary>Labels, forward and backward branches, movl of labels, compares and predicated branches: what a generated listing has.</summary>
    private static string Listing(int n, int seed = 3)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("\t.text\n\t.explicit\n");
        int labels = (n + 11) / 12; // L0 … the last one defined
        for (int k = 0; k < n; k++)
        {
            if (k % 12 == 0) sb.Append(CultureInfo.InvariantCulture, $"L{k / 12}:\n");
            int dst = 16 + k % 3 * 8 + rng.Next(8);
            sb.Append(rng.Next(8) switch
            {
                0 => $"\tadd r{dst}=r{40 + rng.Next(30)},r{40 + rng.Next(30)}",
                1 => $"\tld8 r{dst}=[r{40 + rng.Next(30)}]",
                2 => $"\tmovl r{dst}=L{rng.Next(labels)}",
                3 => $"\tcmp.eq p{6 + k % 3 * 2},p{7 + k % 3 * 2}=r{40 + rng.Next(30)},r{40 + rng.Next(30)}",
                4 => $"\tadds r{dst}={rng.Next(-8192, 8191)},r{40 + rng.Next(30)}",
                5 => $"\t(p{1 + rng.Next(5)}) br.cond.dptk.many L{rng.Next(labels)}",
                6 => $"\tbr.cond.sptk.few L{rng.Next(labels)}",
                _ => $"\tshl r{dst}=r{40 + rng.Next(30)},{rng.Next(1, 63)}",
            });
            sb.Append(k % 3 == 2 || k % 12 == 11 ? " ;;\n" : "\n");
        }
        return sb.ToString();
    }

    /// <summary>Each thing that makes a part depend on what came before it, somewhere in a listing.</summary>
    public static IEnumerable<object[]> Sources()
    {
        var clean = Listing(600);
        yield return new object[] { "listing", clean, true };
        yield return new object[] { "listing-crlf-bom", "\uFEFF" + clean.Replace("\n", "\r\n"), true };
        // Lines that each take a bundle: more bytes of code than of text, so the linked code outgrows its first buffer.
        yield return new object[] { "short-lines", string.Concat(Enumerable.Range(0, 20_000).Select(k => (k % 12 == 0 ? $"B{k}:\n" : "") + "\tnop.b 0 ;;\n")), true };
        yield return new object[] { "listing-non-ascii-comments", clean.Replace(" ;;\n", " ;; // grüße, ∀x\n"), true };
        // Messages: dependency violations (warnings), a bad operand, an undefined label, a branch out of range.
        yield return new object[] { "messages", Listing(300) + "L999:\n\tadd r1=r2,r3\n\tadd r1=r4,r5 ;;\n\tadds r1=99999,r2\n\tbr.cond.sptk.few nowhere ;;\n" + Listing(300, 4).Replace("L", "M"), false };
        // .auto from the top: each part is laid out in the mode the parts before it leave on, as their parses tell (the
        // listing's groups all end in stops, so nothing reaches across a cut); a ".explicit" in a comment is no directive.
        yield return new object[] { "auto-listing", clean.Replace("\t.explicit\n", "\t.auto\n"), true };
        yield return new object[] { "auto-listing-comment-says-explicit", clean.Replace("\t.explicit\n", "\t.auto\n").Replace("L20:\n", "L20:\t// not .explicit here\n"), true };
        yield return new object[] { "modes-switching", clean.Replace("L10:\n", "L10:\n\t.auto\n").Replace("L30:\n", "L30:\n\t.explicit\n").Replace("L40:\n", "L40:\n\t.auto\n"), false };
        yield return new object[] { "auto-mode-at-end", Listing(300) + "\t.auto\n\tadd r1=r2,r3\n\tadd r4=r1,r5\n" + Listing(200, 5).Replace("L", "N"), false };
        yield return new object[] { "auto-mode-in-middle", Listing(300) + "\t.auto\n\tadd r1=r2,r3\n\tadd r4=r1,r5\n\t.explicit\n" + Listing(200, 5).Replace("L", "N"), false };
        yield return new object[] { "label-defined-twice", Listing(300) + Listing(300), false };
        yield return new object[] { "label-is-a-later-symbol", Listing(300) + "L3 = 5\n" + Listing(100, 6).Replace("L", "P"), false };
        yield return new object[] { "set-used-after", "k = 7\n" + Listing(300).Replace("adds r", "adds r").Replace("shl r16=r40,", "shl r16=r40,k+") + "\tadds r2=k,r3 ;;\n", false };
        yield return new object[] { "align-and-org", Listing(300) + "\t.align 64\nQ:\n\tnop.m 0 ;;\n\t.org 0x100000\nR:\n\tbr.cond.sptk.many Q ;;\n" + Listing(100, 7).Replace("L", "S"), false };
        yield return new object[] { "stop-after-label", Listing(300).Replace("L7:\n", "L7:\n;;\n").Replace("L20:\n", "L20:\n\t;;\n"), false };
        yield return new object[] { "group-across-label", Listing(300).Replace(" ;;\nL9:", "\nL9:").Replace(" ;;\nL30:", "\nL30:"), false };
        yield return new object[] { "numeric-labels", Listing(300).Replace("L5:\n", "1:\n").Replace("L40:\n", "1:\n\tbr.cond.sptk.few 1b\n\tbr.cond.sptk.few 1f ;;\n1:\n"), false };
        yield return new object[] { "open-bundle", Listing(300) + "{ .mii\n\tadd r1=r2,r3\n", false };
        yield return new object[] { "bundles", Listing(300).Replace("L8:\n", "L8:\n{ .mib\n\tnop.m 0\n\tnop.i 0\n\tbr.cond.sptk.many L3 ;;\n}\n"), false };
        // Writes that wait for serialization across labels, so across the cuts: a part that ends with one pending cannot
        // be linked (the next part's reads of it were checked without it); each is settled further on, or read.
        var pending = Listing(300);
        foreach (int k in new[] { 4, 9, 15, 22 })
            pending = pending.Replace($"L{k}:\n", $"\trsm psr.dt ;;\n\tmov cr.iva=r9 ;;\nL{k}:\n\tld8 r90=[r91] ;;\n\tmov r92=cr.iva ;;\n\tsrlz.i ;;\n");
        yield return new object[] { "serialization-pending", pending, false };
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Parts_linked_give_what_assembling_whole_gives(string name, string source, bool mustLink)
    {
        var whole = Dump(Assembler.Assemble(source, Whole, out int wholeParts));
        Assert.Equal(0, wholeParts);
        var bytes = new UTF8Encoding(false).GetBytes(source);
        // A file is read as File.ReadAllText reads it: a byte order mark is not text.
        var wholeFile = Dump(Assembler.Assemble(new StreamReader(new MemoryStream(bytes), Encoding.UTF8, true).ReadToEnd(), Whole, out _));
        int linked = 0;
        foreach (int cut in s_cuts)
        {
            var s = Assembler.Assemble(source, cut, out int parts);
            Assert.True(whole == Dump(s), $"{name}: string in parts of {cut} ({parts} linked)");
            var b = Assembler.AssembleUtf8(bytes, bytes.Length, cut, out int byteParts);
            Assert.True(wholeFile == Dump(b), $"{name}: UTF-8 in parts of {cut} ({byteParts} linked)");
            if (parts > 1 && byteParts > 1) linked++;
        }
        if (mustLink) Assert.Equal(s_cuts.Length, linked);
    }

    [Fact]
    public void A_write_waiting_for_serialization_at_a_cut_is_checked_against_the_code_after_it()
    {
        var source = Listing(300).Replace("L9:\n", "\trsm psr.dt ;;\nL9:\n\tld8 r90=[r91] ;;\n");
        int line = source.Split('\n').TakeWhile(l => !l.StartsWith("\tld8 r90", StringComparison.Ordinal)).Count() + 1;
        foreach (int cut in s_cuts)
        {
            var r = Assembler.Assemble(source, cut, out _);
            Assert.Contains(r.Diagnostics, d => d.Line == line && d.Message.StartsWith("RAW dependency violation on psr.dt", StringComparison.Ordinal)
                && d.Message.Contains("srlz.d"));
        }
    }

    [Fact]
    public void The_bundle_view_of_a_linked_source_is_the_whole_one()
    {
        var source = Listing(400);
        var whole = Assembler.Assemble(source, Whole, out _);
        var linked = Assembler.Assemble(source, 300, out int parts);
        Assert.True(parts > 1);
        Assert.Equal(whole.Bundles.Count, linked.Bundles.Count);
        for (int i = 0; i < whole.Bundles.Count; i++)
        {
            Assert.Equal(whole.Bundles[i].Address, linked.Bundles[i].Address);
            Assert.Equal(whole.Bundles[i].Bits, linked.Bundles[i].Bits);
            Assert.Equal(whole.Bundles[i].Lines, linked.Bundles[i].Lines);
            Assert.Equal(whole.Bundles[i].Symbols, linked.Bundles[i].Symbols);
        }
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_read_as_a_stream_reader_reads_them()
    {
        // Comments with a stray 0xFF, a sequence cut short right before the line end, and one cut at a part's end.
        var text = Listing(600).Replace(" ;;\n", " ;; // x\n");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        for (int i = bytes.Count - 2, k = 0; i > 0; i--)
            if (bytes[i] == (byte)'x' && bytes[i + 1] == (byte)'\n' && k++ % 7 == 0)
                bytes.InsertRange(i + 1, k % 2 == 0 ? new byte[] { 0xFF } : new byte[] { 0xE2, 0x82 });
        var file = bytes.ToArray();
        var reference = Dump(Assembler.Assemble(new StreamReader(new MemoryStream(file), Encoding.UTF8, true).ReadToEnd(), Whole, out _));
        foreach (int cut in s_cuts)
        {
            var r = Assembler.AssembleUtf8(file, file.Length, cut, out int parts);
            Assert.True(parts > 1, $"parts of {cut}: not linked");
            Assert.True(reference == Dump(r), $"parts of {cut}");
        }
    }

    [Fact]
    public void A_file_in_another_encoding_is_read_as_its_byte_order_mark_says()
    {
        var source = Listing(300);
        var utf16 = new UnicodeEncoding(bigEndian: false, byteOrderMark: true);
        var bytes = utf16.GetPreamble().Concat(utf16.GetBytes(source)).ToArray();
        var r = Assembler.AssembleUtf8(bytes, bytes.Length, 100, out int parts);
        Assert.Equal(0, parts);
        Assert.Equal(Dump(Assembler.Assemble(source, Whole, out _)), Dump(r));
    }

    private static string Dump(AssemblyResult r)
    {
        var sb = new StringBuilder();
        sb.Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(r.Code))).Append(' ').Append(r.Code.Length).Append('\n');
        foreach (var kv in r.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}\n");
        foreach (var d in r.Diagnostics) sb.Append(CultureInfo.InvariantCulture, $"{d} related {d.RelatedLine}\n");
        return sb.ToString();
    }
}
