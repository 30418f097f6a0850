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
/// A long source is parsed in chunks on several threads and joined (SourceParser.ParseInChunks). Whatever the cuts,
/// the result must be what parsing from the start gives: these sources are cut every few lines, through bundles,
/// stop lines, .set symbols and numeric labels, and every item, instruction, value and message is compared.
/// </summary>
public sealed class ChunkedParseTests
{
    internal const string Tricky = """
        	.text
        	.explicit
        	k = 5
        start:
        	adds r16=k,r17
        	shl r18=r19,3
        ;;
        ;;
        	add r1=r2,r3
        1:	mov r4=r5 ;;
        	br.cond.sptk.many 1b
        	br.cond.sptk.many 1f ;;
        1:
        { .mii
        	adds r16=8,r17
        	shl r18=r19,3 ;;
        	nop.i 0
        } ;;
        ;;
        	.set k, 7
        	adds r16=k,r17 ;;
        	frob r1=r2
        	adds r1=99999,r2
        { .mib
        	ld8.acq r20=[r16],8
        	mov r21=r22
        	br.cond.sptk.many start ;;
        }
        	nop 0
        	nop 0
        	nop 0 ;;
        later:
        	.align 32
        	movl r8=0x123456789abcdef0 ;;
        	adds r2=fwd,r3 ;;
        fwd = 9
        2:	br.cond.sptk.many 2b ;;
        	.auto
        	add r1=r2,r3
        	add r4=r1,r5
        	.explicit
        {
        	nop.m 0
        """;

    internal static string Listing(int n)
    {
        var sb = new StringBuilder();
        var rng = new Random(7);
        for (int k = 0; k < n; k++)
        {
            if (k % 40 == 0) sb.Append("L").Append(k / 40).Append(":\n");
            sb.Append(rng.Next(4) switch
            {
                0 => $"\tadd r{16 + k % 8}=r{40 + rng.Next(30)},r{40 + rng.Next(30)}",
                1 => $"\tld8 r{16 + k % 8}=[r{40 + rng.Next(30)}]",
                2 => $"\tbr.cond.sptk.few L{rng.Next(n / 40 + 1)}",
                _ => $"\tmovl r{16 + k % 8}=0x{rng.NextInt64():x}",
            });
            sb.Append(k % 3 == 2 ? " ;;\n" : "\n");
        }
        return sb.ToString();
    }

    public static IEnumerable<object[]> Sources() => new[]
    {
        new object[] { "tricky", Tricky },
        new object[] { "tricky-crlf", Tricky.Replace("\n", "\r\n") + "\r\n" },
        new object[] { "listing", Listing(400) },
        new object[] { "listing-then-tricky", Listing(200) + Tricky },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Chunks_give_what_parsing_from_the_start_gives(string name, string source)
    {
        var whole = Dump(d => SourceParser.Parse(source, d, int.MaxValue));
        Assert.NotEmpty(whole);
        Assert.True(whole == Dump(d => SourceParser.Parse(new StringReader(source), d, source.Length, int.MaxValue)), $"{name}, reader, one parser");
        foreach (int chunk in new[] { 1, 10, 37, 100, 400 })
        {
            Assert.True(whole == Dump(d => SourceParser.Parse(source, d, chunk)), $"{name}, string, chunks of {chunk}");
            Assert.True(whole == Dump(d => SourceParser.Parse(new StringReader(source), d, source.Length, chunk)), $"{name}, reader, chunks of {chunk}");
        }
    }

    /// <summary>Everything the parse gives, as text.</summary>
    internal static string Dump(Func<List<AsmDiagnostic>, ParsedSource> parse)
    {
        var diags = new List<AsmDiagnostic>();
        var src = parse(diags);
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        foreach (var item in src.Items)
        {
            sb.Append(inv, $"{item.GetType().Name} {item.Line}:{item.Column}");
            switch (item)
            {
                case LabelItem l: sb.Append(' ').Append(l.Name); break;
                case InstructionsItem r: sb.Append(inv, $" [{r.First}+{r.Count}]"); break;
                case BundleItem b: sb.Append(inv, $" {b.TemplateName} [{b.First}+{b.Count}] broken={b.Broken}"); break;
                case DirectiveItem d: sb.Append(inv, $" {d.Kind} {d.Name} {Value(d.Value)}"); break;
            }
            sb.Append('\n');
        }
        Span<long> values = stackalloc long[ParsedSource.MaxOperands];
        for (int i = 0; i < src.InstructionCount; i++)
        {
            ref var ins = ref src.Instruction(i);
            sb.Append(inv, $"{i}: {ins.Form.Mnemonic}/{ins.Form.Unit} qp{ins.Qp} units{ins.UnitMask} {ins.Line}:{src.ColumnOf(i)} stop={ins.StopAfter} ");
            foreach (var v in src.ValuesOf(i, values)) sb.Append(v).Append(',');
            foreach (var p in src.PendingOf(i) ?? Array.Empty<PendingOperand>()) sb.Append(inv, $" pending {p.Index}@{p.Column}={Value(p.Expr)}");
            sb.Append('\n');
        }
        foreach (var kv in src.AbsoluteSymbols.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append(inv, $"{kv.Key}={kv.Value}\n");
        foreach (var d in diags) sb.Append(d).Append('\n');
        return sb.ToString();
    }

    /// <summary>An expression's value with each symbol standing for a number made from its name.</summary>
    private static string Value(Expr? e)
    {
        if (e is null) return "-";
        var v = e.Evaluate(n => n.Aggregate(17L, (h, c) => h * 31 + c), out string? err);
        return v is null ? "error " + err : v.Value.Constant.ToString(CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_long_source_assembles_as_its_parts_do()
    {
        // Long enough for parsing in chunks and for encoding beside the group checks (Assembler.Layout.Finish).
        const string part = "\tadd r1=r2,r3\n\tadd r1=r4,r5\n\tadd r6=r7,r8 ;;\n"; // one bundle each
        const int parts = 30_000;
        var one = Assembler.Assemble("\t.explicit\n" + part);
        Assert.Single(one.Diagnostics); // WAW on r1
        var all = Assembler.Assemble("\t.explicit\n" + string.Concat(Enumerable.Repeat(part, parts)));
        Assert.False(all.HasErrors);
        Assert.Equal(parts * one.Code.Length, all.Code.Length);
        for (int k = 0; k < parts; k += 997)
            Assert.Equal(one.Code, all.Code.AsSpan(k * one.Code.Length, one.Code.Length).ToArray());
        Assert.Equal(Enumerable.Range(0, parts).Select(k => 3 + 3 * k), all.Diagnostics.Select(d => d.Line));
        Assert.All(all.Diagnostics, d =>
        {
            Assert.Equal(d.Line - 1, d.RelatedLine);
            Assert.Equal(one.Diagnostics[0].Message.Replace("line 2", $"line {d.Line - 1}"), d.Message);
        });
    }
}
