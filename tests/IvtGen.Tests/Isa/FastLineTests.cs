using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// SourceParser reads the common instruction line through FastLine, and every other line as before. The fast path
/// must change nothing: each source here is parsed with it and without it, and everything the parse gives (items,
/// forms, values, lines, columns, stops, messages) and everything the assembler makes of it must be the same. The
/// lines are every form of the table, printed as GNU as syntax and then respelled, broken and moved about; and the
/// fast path must actually take the lines it is for, or it could pass by declining everything.
/// </summary>
public sealed class FastLineTests
{
    private readonly ITestOutputHelper _out;

    public FastLineTests(ITestOutputHelper output) => _out = output;

    /// <summary>Runs <paramref name="action"/> with the fast path on or off; returns what it gave and the lines it was offered and took.</summary>
    private static (T Result, FastLine.Switch Counts) With<T>(bool fast, Func<T> action)
    {
        var counts = new FastLine.Switch { Enabled = fast };
        var saved = FastLine.Testing.Value;
        FastLine.Testing.Value = counts;
        try { return (action(), counts); }
        finally { FastLine.Testing.Value = saved; }
    }

    /// <summary>
    /// Parses <paramref name="source"/> both ways and requires the same result; returns the fast run's counts. The
    /// fast path also reads the source's UTF-8 bytes, as it reads a mapped file, and must give the same as the general
    /// path on the string (when UTF-8 holds the string exactly).
    /// </summary>
    private static FastLine.Switch AssertSameParse(string source, int chunkChars = int.MaxValue)
    {
        var (general, off) = With(false, () => ChunkedParseTests.Dump(d => SourceParser.Parse(source, d, int.MaxValue)));
        Assert.Equal(0, off.Hits);
        var (fast, counts) = With(true, () => ChunkedParseTests.Dump(d => SourceParser.Parse(source, d, chunkChars)));
        AssertSameDump(general, fast, $"chunks of {chunkChars}");

        var utf8 = Encoding.UTF8.GetBytes(source);
        if (Encoding.UTF8.GetString(utf8) != source) return counts; // a lone surrogate: these bytes are other text
        var (generalAlone, _) = With(false, () => ChunkedParseTests.Dump(d => Alone(d, SourceParser.ParseAlone(source, null, 0, source.Length, 1, true, 64))));
        var (fastBytes, byteCounts) = With(true, () => ChunkedParseTests.Dump(d => Alone(d, SourceParser.ParseAlone(utf8, 1, true, 64))));
        AssertSameDump(generalAlone, fastBytes, "UTF-8");
        // Bytes or characters, the fast path takes the same lines.
        var (_, charCounts) = With(true, () => ChunkedParseTests.Dump(d => Alone(d, SourceParser.ParseAlone(source, null, 0, source.Length, 1, true, 64))));
        Assert.Equal(charCounts.Hits, byteCounts.Hits);
        return counts;
    }

    /// <summary>What a part parsed alone gave, its messages into <paramref name="diags"/>.</summary>
    private static ParsedSource Alone(List<AsmDiagnostic> diags, SourceParser parser)
    {
        diags.AddRange(parser.Diagnostics);
        return parser.Parsed;
    }

    private static void AssertSameDump(string general, string fast, string how)
    {
        if (general == fast) return;
        var g = general.Split('\n');
        var f = fast.Split('\n');
        int k = 0;
        while (k < g.Length && k < f.Length && g[k] == f[k]) k++;
        Assert.Fail($"the fast path differs ({how}) at dump line {k}:\n general: {(k < g.Length ? g[k] : "<end>")}\n fast:    {(k < f.Length ? f[k] : "<end>")}");
    }

    private void Report(string what, FastLine.Switch c) =>
        _out.WriteLine($"{what}: {c.Hits} of {c.Lines} lines through the fast path ({100.0 * c.Hits / Math.Max(c.Lines, 1):F1}%)");

    [Fact]
    public void The_bench_listing_goes_through_the_fast_path()
    {
        var source = IvtGen.Bench.Listing.Make(20_000);
        var counts = AssertSameParse(source);
        Report("bench listing", counts);
        // Only its labels, branches (to labels) and two directives are left to the general path.
        Assert.True(counts.Hits >= 0.95 * counts.Lines, $"{counts.Hits} of {counts.Lines}");
    }

    [Fact]
    public void Every_form_printed_parses_the_same()
    {
        var rng = new Random(20260301);
        var plain = new StringBuilder();
        foreach (var f in InstructionTable.Forms)
            for (int mode = 0; mode < 4; mode++)
                if (FormSamples.Make(f, rng, mode) is { } ins)
                    plain.Append('\t').Append(Formatter.Format(ins, 0)).Append('\n');
        var counts = AssertSameParse(plain.ToString());
        Report("every form as printed", counts);
        // Left to the general path: forms with ar/cr, FILE[rN], @names, branch targets, and shapes a branch target shares.
        Assert.True(counts.Hits >= 0.5 * counts.Lines, $"{counts.Hits} of {counts.Lines}");
    }

    [Fact]
    public void Respelled_and_broken_lines_parse_the_same()
    {
        var source = Mutated(new Random(20260302), samplesPerForm: 3);
        var counts = AssertSameParse(source);
        Report("respelled and broken", counts);
        Assert.True(counts.Hits >= 0.2 * counts.Lines, $"{counts.Hits} of {counts.Lines}");
        // Cut into chunks parsed on several threads, joined, and some parsed again: still the same.
        AssertSameParse(source.Substring(0, source.IndexOf('\n', 200_000) + 1), chunkChars: 5000);
    }

    [Fact]
    public void Tricky_sources_parse_the_same_whole_and_in_chunks()
    {
        foreach (var source in new[] { ChunkedParseTests.Tricky, ChunkedParseTests.Listing(400) + ChunkedParseTests.Tricky, ChunkedParseTests.Tricky.Replace("\n", "\r\n") })
            foreach (int chunk in new[] { int.MaxValue, 1, 37, 400 })
                AssertSameParse(source, chunk);
    }

    [Fact]
    public void Branch_targets_named_by_symbols_parse_the_same()
    {
        // Every form with a branch target, the target written as a name: plain labels, names the lexer reads as one
        // identifier, and names that are registers, reserved tokens or not names at all, which the general path reads
        // otherwise (and mostly refuses). Labels are defined so that the plain ones resolve.
        var rng = new Random(20261203);
        var names = new[]
        {
            "L12", "loop", "_x", "x.y", "x@y", "Later", "a1b2", "R5", "r128", "b0", "gp", "ip", "pr", "psr.l", "ar.bspstore",
            "cr.iva", "ar.ccv", "1b", "2f", ".", "@rev", "L12+16", "L12:", "(L12)", "L1é", "Lé",
        };
        var sb = new StringBuilder("L12:\nloop:\n_x:\nx.y:\n1:\n");
        int forms = 0;
        foreach (var f in InstructionTable.Forms)
        {
            int target = Array.FindIndex(f.Operands, o => o.Kind == OperandKind.Target);
            if (target < 0 || FormSamples.Make(f, rng, 0) is not { } ins) continue;
            forms++;
            var p = Parts.Of(Formatter.Format(ins, 0));
            foreach (var name in names.Where((_, k) => k < 6 || rng.Next(3) == 0))
            {
                var n = p.Copy();
                n.Ops[target] = name;
                sb.Append('\t').Append(n.Join()).Append(rng.Next(3) == 0 ? " ;;" : "").Append('\n');
            }
        }
        sb.Append("2:\n");
        Assert.True(forms > 20, $"{forms} forms with a branch target");
        var counts = AssertSameParse(sb.ToString());
        Report("branch targets named", counts);
        // The plain names at least (six of every form's lines) go through the fast path.
        Assert.True(counts.Hits >= forms * 5, $"{counts.Hits} of {counts.Lines}");
    }

    [Fact]
    public void Line_ends_parse_the_same()
    {
        // A file's lines are read where they are, to their '\n': the last line without one, '\r's before it (and elsewhere,
        // which the lexer reads as blanks), a comment running to it, a mnemonic right at the end of the text.
        foreach (var source in new[]
        {
            "\tadd r1=r2,r3", "\tadd r1=r2,r3\r", "\tadd r1=r2,r3\r\r\n\tadd r4=r5,r6 ;; // c\r\n\tnop.i 0", "\tbr.cond.sptk.few L1\nL1:\n\tbreak.i 0",
            "\tadd r1=r2,r3\rr4\n", "\tadd r1=r2,r3 \r ;;\n", "\tadd r1\r=r2,r3\n", "\tnop.m 0 # x\r\n\tnop.m 0", "\tbr.ret.sptk.many b0\n\tmov r8=r9",
            "\tand\n", "\tfetchadd4.acq.nt1 r1=[r2],1", "L2:\n\tld8.c.clr.acq.nta r1=[r2]", "\t(p6) cmp4.ne.or.andcm p1,p2=r0,r3",
        })
        {
            AssertSameParse(source);
            AssertSameParse(source + "\n");
        }
    }

    [Fact]
    public void Mnemonic_and_register_ends_parse_the_same()
    {
        // The mnemonic is read eight bytes at a time to the first blank, line end or ';', and a register through its
        // letter's class: whatever else may end or continue either must be read as the lexer reads it, or declined.
        var mnemonics = new[]
        {
            "rfi", "RFI", "Flushrs", "srlz.d", "nop.i 0", "br.ret.sptk.many b0", "BR.RET.SPTK.MANY b0", "fetchadd4.acq.nt1 r1=[r2],1",
            "ld8.c.clr.acq.nta r1=[r2]", "cmp4.ne.or.andcm p1,p2=r0,r3", "mov.m ar.lc=r1", "addp4 r1=r2,r3", "frob.frob.frob.frob.frob r1=r2",
        };
        var after = new[] { "", ";;", " ;;", "//c", "#c", "=r1", ",r1", ":", "(p1)", "é", "\t", "\r", ";", "; ;" };
        var sb = new StringBuilder();
        foreach (var m in mnemonics)
            foreach (var a in after)
            {
                int space = m.IndexOf(' ');
                sb.Append('\t').Append(space < 0 ? m + a : m.Substring(0, space) + a + m.Substring(space)).Append('\n');
            }
        foreach (var op in new[] { "R5", "r128", "r127", "p64", "P63", "b8", "B7", "r01", "r0", "r1é", "r1_", "r1.", "r1@", "f127", "F128", "r12x", "r1234", "rx", "r", "ar.lc", "loc1" })
        {
            sb.Append("\tmov r1=").Append(op).Append('\n');
            sb.Append("\tld8 r1=[").Append(op).Append("]\n");
            sb.Append("\tadd ").Append(op).Append("=r2,r3 ;;\n");
        }
        var source = sb.ToString();
        var counts = AssertSameParse(source);
        Report("mnemonic and register ends", counts);
        Assert.True(counts.Hits > 0);
        // Every line again as the last of the text, where the mnemonic is read a byte at a time.
        foreach (var line in source.Split('\n', StringSplitOptions.RemoveEmptyEntries)) AssertSameParse(line);
    }

    [Fact]
    public void Lone_surrogates_parse_the_same()
    {
        // A part of a string is read as UTF-8 when it has an exact encoding; one with a lone surrogate (which UTF-8
        // cannot hold) is read as characters, and what it says of the character is the same.
        var source = ChunkedParseTests.Listing(200) + "\tadd r1=r2,r3 // \ud800\n\t\udc00add r1=r2,r3\n\tadd r\ud83d\ude00=r2,r3\n" + ChunkedParseTests.Listing(200);
        foreach (int chunk in new[] { int.MaxValue, 400, 4096 }) AssertSameParse(source, chunk);
    }

    [Fact]
    public void Made_up_mnemonics_past_the_shape_cache_parse_the_same()
    {
        // More distinct shapes than FastLine keeps: the ones past its limit are worked out each time, as they must be.
        var sb = new StringBuilder();
        for (int k = 0; k < 20_000; k++) sb.Append("\tfrob").Append(k).Append(" r1=r2 ;;\n\tadd r1=r2,r3\n");
        var counts = AssertSameParse(sb.ToString());
        Assert.Equal(20_000, counts.Hits);
    }

    [Fact]
    public void Assembling_gives_the_same_bytes_and_messages()
    {
        var sources = new[]
        {
            IvtGen.Bench.Listing.Make(40_000), // long enough to be parsed in chunks
            ChunkedParseTests.Tricky,
            ChunkedParseTests.Listing(400) + ChunkedParseTests.Tricky,
            Mutated(new Random(20260303), samplesPerForm: 1),
        };
        foreach (var source in sources)
        {
            var (general, _) = With(false, () => Describe(Assembler.Assemble(source)));
            var (fast, counts) = With(true, () => Describe(Assembler.Assemble(source)));
            Assert.True(counts.Hits > 0);
            Assert.True(general == fast, "Assemble(string) differs with the fast path");
            var (reader, _) = With(true, () => Describe(Assembler.Assemble(new StringReader(source), source.Length)));
            Assert.True(general == reader, "Assemble(reader) differs with the fast path");
        }
    }

    private static string Describe(AssemblyResult r)
    {
        var sb = new StringBuilder(Convert.ToBase64String(r.Code)).Append('\n');
        foreach (var d in r.Diagnostics) sb.Append(d).Append(" related ").Append(d.RelatedLine).Append('\n');
        return sb.ToString();
    }

    // ---- Lines to parse: each form printed, respelled and broken ----

    /// <summary>A source of every form's samples in many spellings, good and bad, some in explicit bundles.</summary>
    private static string Mutated(Random rng, int samplesPerForm)
    {
        var sb = new StringBuilder();
        foreach (var f in InstructionTable.Forms)
            for (int mode = 0; mode < samplesPerForm; mode++)
            {
                if (FormSamples.Make(f, rng, mode) is not { } ins) continue;
                var lines = Variants(Formatter.Format(ins, 0), rng).ToList();
                if (rng.Next(8) == 0)
                {
                    // Inside a bundle: the open bundle, not the run, takes the instructions and their stops.
                    sb.Append(rng.Next(2) == 0 ? "{ .mii\n" : "{\n");
                    foreach (var l in lines.Take(3)) sb.Append(l).Append('\n');
                    sb.Append(rng.Next(2) == 0 ? "}\n" : "} ;;\n");
                    lines = lines.Skip(3).ToList();
                }
                foreach (var l in lines) sb.Append(l).Append('\n');
            }
        return sb.ToString();
    }

    /// <summary>A printed instruction cut into its qp, mnemonic, operands and the separators before each operand.</summary>
    private sealed class Parts
    {
        public string Qp = "", Mnemonic = "";
        public List<string> Ops = new(), Seps = new();

        public static Parts Of(string text)
        {
            var p = new Parts();
            if (text.StartsWith("(", StringComparison.Ordinal))
            {
                int close = text.IndexOf(')');
                p.Qp = text.Substring(0, close + 1);
                text = text.Substring(close + 1).TrimStart();
            }
            int sp = text.IndexOf(' ');
            p.Mnemonic = sp < 0 ? text : text.Substring(0, sp);
            if (sp < 0) return p;
            var rest = text.Substring(sp + 1);
            int start = 0;
            string sep = "";
            for (int i = 0; i <= rest.Length; i++)
            {
                if (i < rest.Length && rest[i] != ',' && rest[i] != '=') continue;
                p.Seps.Add(sep);
                p.Ops.Add(rest.Substring(start, i - start));
                if (i < rest.Length) sep = rest[i].ToString();
                start = i + 1;
            }
            return p;
        }

        public string Join(string qpSpace = " ", string afterMnemonic = " ", string aroundSep = "")
        {
            var sb = new StringBuilder();
            if (Qp.Length > 0) sb.Append(Qp).Append(qpSpace);
            sb.Append(Mnemonic);
            for (int i = 0; i < Ops.Count; i++)
            {
                if (i == 0) sb.Append(afterMnemonic);
                else sb.Append(aroundSep).Append(Seps[i]).Append(aroundSep);
                sb.Append(Ops[i]);
            }
            return sb.ToString();
        }

        public Parts Copy() => new() { Qp = Qp, Mnemonic = Mnemonic, Ops = new List<string>(Ops), Seps = new List<string>(Seps) };
    }

    private static bool IsRegister(string op) =>
        op.Length > 1 && op[0] is 'r' or 'f' or 'p' or 'b' && op.Skip(1).All(char.IsAsciiDigit);

    private static bool IsNumber(string op, out long value)
    {
        value = 0;
        bool neg = op.StartsWith("-", StringComparison.Ordinal);
        var s = neg ? op.Substring(1) : op;
        bool ok = s.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong u)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out u);
        value = neg ? unchecked(-(long)u) : (long)u;
        return ok;
    }

    private static IEnumerable<string> Variants(string text, Random rng)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = Parts.Of(text);
        yield return "\t" + text;
        yield return "\t" + text + " ;;";
        yield return text + ";;// stop";
        yield return "  " + text + "\t# comment ;; r1";
        yield return "\t" + p.Join(afterMnemonic: "\t", aroundSep: " ") + " ;; ";
        yield return "\t\t" + p.Join(qpSpace: "", afterMnemonic: "  ", aroundSep: "\t") + "\t;;\t// x";
        var upper = p.Copy();
        upper.Mnemonic = upper.Mnemonic.ToUpperInvariant();
        yield return "\t" + upper.Join();
        upper.Mnemonic = char.ToUpperInvariant(p.Mnemonic[0]) + p.Mnemonic.Substring(1);
        upper.Ops = p.Ops.Select(o => IsRegister(o) || o.StartsWith("[r", StringComparison.Ordinal) ? o.ToUpperInvariant() : o).ToList();
        yield return "\t" + upper.Join();
        // The qualifying predicate: added, removed, p0, spelled as GNU as refuses it.
        var q = p.Copy();
        q.Qp = "(p" + rng.Next(64).ToString(inv) + ")";
        yield return "\t" + q.Join();
        q.Qp = "( p0 )";
        yield return q.Join(qpSpace: "");
        q.Qp = "(P" + rng.Next(1, 64).ToString(inv) + ")";
        yield return "\t" + q.Join();
        q.Qp = "(p" + (64 + rng.Next(10)).ToString(inv) + ")";
        yield return "\t" + q.Join();
        q.Qp = "(r1)";
        yield return "\t" + q.Join();
        q.Qp = "";
        yield return "\t" + q.Join();

        // Numbers respelled (hex, decimal, leading zeros, upper-case X), and pushed out of range.
        for (int i = 0; i < p.Ops.Count; i++)
        {
            if (!IsNumber(p.Ops[i], out long v)) continue;
            var n = p.Copy();
            n.Ops[i] = v < 0 ? "-0x" + (-v).ToString("x", inv) : "0x" + v.ToString("X", inv);
            yield return "\t" + n.Join();
            n.Ops[i] = v < 0 ? "- " + (-v).ToString(inv) : "000" + ((ulong)v).ToString(inv);
            yield return "\t" + n.Join();
            n.Ops[i] = "0X" + ((ulong)v).ToString("x16", inv);
            yield return "\t" + n.Join();
            long[] wrong = { v + 1, v - 1, v + (1L << rng.Next(1, 40)), -v - 1, long.MinValue, long.MaxValue, 1L << 62, 3 };
            foreach (var w in wrong)
            {
                n.Ops[i] = w.ToString(inv);
                yield return "\t" + n.Join();
            }
            n.Ops[i] = "18446744073709551615";
            yield return "\t" + n.Join();
            n.Ops[i] = "18446744073709551616"; // overflows
            yield return "\t" + n.Join();
            n.Ops[i] = "0x" + new string('f', 17);
            yield return "\t" + n.Join();
            n.Ops[i] = "0x";
            yield return "\t" + n.Join();
            n.Ops[i] = v.ToString(inv) + "x";
            yield return "\t" + n.Join();
            n.Ops[i] = "1b";
            yield return "\t" + n.Join();
            n.Ops[i] = v.ToString(inv) + "+0";
            yield return "\t" + n.Join();
            n.Ops[i] = "+" + v.ToString(inv);
            yield return "\t" + n.Join();
            n.Ops[i] = "--" + v.ToString(inv);
            yield return "\t" + n.Join();
            n.Ops[i] = "r" + (v & 127).ToString(inv);
            yield return "\t" + n.Join();
        }

        // Registers: r0/f0/f1 written, other files, aliases, leading zeros, out of range, as memory operands.
        for (int i = 0; i < p.Ops.Count; i++)
        {
            string o = p.Ops[i];
            bool mem = o.StartsWith("[r", StringComparison.Ordinal) && o.EndsWith("]", StringComparison.Ordinal);
            string reg = mem ? o.Substring(1, o.Length - 2) : o;
            if (!IsRegister(reg)) continue;
            char file = reg[0];
            int num = int.Parse(reg.Substring(1), inv);
            string Put(string r) => mem ? "[" + r + "]" : r;
            var n = p.Copy();
            foreach (var r in new[] { file + "0", file + "1", file + "2", "r0", "f1", "p0", "b0", "r32", "r127", "r128", "f127", "f128", "p63", "p64", "b7", "b8" })
            {
                n.Ops[i] = Put(r);
                yield return "\t" + n.Join();
            }
            foreach (var r in new[] { "gp", "sp", "tp", "rp", "ret0", "ret3", "ret4", "ar.ccv", "ar65", "cr.iva", "r1.x", "r01", "fp", "SP", "r1@" })
            {
                n.Ops[i] = Put(r);
                yield return "\t" + n.Join();
            }
            n.Ops[i] = mem ? reg : "[" + reg + "]";
            yield return "\t" + n.Join();
            n.Ops[i] = mem ? "[ " + reg + " ]" : reg + "+1";
            yield return "\t" + n.Join();
            n.Ops[i] = mem ? "[" + reg : "(" + reg + ")";
            yield return "\t" + n.Join();
            n.Ops[i] = file + (num + 1).ToString(inv);
            yield return "\t" + n.Join();
        }

        // Operand lists too long, too short, with a second '=', with '=' moved, empty operands.
        var m = p.Copy();
        m.Ops.Add("r1");
        m.Seps.Add(",");
        yield return "\t" + m.Join();
        m.Seps[m.Seps.Count - 1] = "=";
        yield return "\t" + m.Join();
        if (p.Ops.Count > 0)
        {
            m = p.Copy();
            m.Ops.RemoveAt(m.Ops.Count - 1);
            m.Seps.RemoveAt(m.Seps.Count - 1);
            yield return "\t" + m.Join();
            yield return "\t" + p.Join() + ",";
            yield return "\t" + p.Join() + "=";
            yield return "\t" + p.Join() + " r2";
            m = p.Copy();
            for (int i = 1; i < m.Seps.Count; i++) m.Seps[i] = ",";
            yield return "\t" + m.Join();
            m.Seps[m.Seps.Count - 1] = "=";
            yield return "\t" + m.Join();
        }
        else yield return "\t" + p.Join() + " 0";

        // Around the line: labels, more statements, stops and semicolons, blanks and odd spaces.
        yield return "x" + rng.Next(1000).ToString(inv) + ": " + text;
        yield return "\t" + text + " ;; " + text;
        yield return "\t" + text + " ; " + text;
        yield return "\t" + text + " ;";
        yield return "\t" + text + " ;;;";
        yield return "\t" + text + " ;; ;;";
        yield return "\t" + text + " }";
        yield return "\t" + text + " / 2";
        yield return "\t" + text + "\u00a0";
        yield return "\t" + text + " // é";
        yield return "\u00a0" + text;
        yield return "\t" + text.Replace(" ", "\v", StringComparison.Ordinal);
        int at = text.IndexOf(p.Mnemonic, StringComparison.Ordinal) + p.Mnemonic.Length;
        yield return "\t" + text.Substring(0, at) + "é" + text.Substring(at);
        yield return "\t." + text;
        yield return "\t" + p.Mnemonic + " = 5";
        yield return "\t" + p.Mnemonic + ":";
        yield return "";
        yield return ";;";
        yield return "\t// " + text;
    }
}
