extern alias gen;

using System;
using System.Collections.Generic;
using System.Linq;
using gen::IvtGen.Generator.Model;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Microsoft.CodeAnalysis;
using Xunit;

namespace IvtGen.Tests.Generator;

/// <summary>SlotOverflow.MoveTailOutOfLine: a handler that outgrows its slot only in the Xen variants keeps what fits.</summary>
public sealed class OverflowPolicyTests
{
    private const string Prelude = "using IvtGen.Dsl;\nnamespace T;\n";

    // Twelve CR reads between ALU groups: small natively (one instruction each), each grows to an addl and an ld8
    // separated by a stop in AltB and to a call site plus a stub in AltA.
    private static readonly string Body = string.Concat(Enumerable.Range(0, 12).Select(i =>
        $"pv_mov_from_ifa(r{16 + i}); stop(); add(r{2 + i}, r{16 + i}, r1); stop(); ")) + "pv_rfi(); stop(); ";

    private static string Table(string tableAttribute, string vectorAttribute) =>
        Prelude + $"[{tableAttribute}] public partial class A : IvtCode {{ [{vectorAttribute}] void Big() {{ {Body}}} }}";

    [Fact]
    public void Without_the_policy_the_Xen_overflow_is_an_error_that_names_the_policy()
    {
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs", Table("IvtTable", "Vector(IvtVector.PageNotPresent)"))));
        var errors = run.Diagnostics.Where(d => d.Id == "IVT008").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, d => Assert.Contains("SlotOverflow.MoveTailOutOfLine", d.GetMessage()));
        Assert.DoesNotContain(errors, d => d.GetMessage().Contains("native variant"));
        Assert.Empty(run.Tables.Single().Images);
    }

    [Theory]
    [InlineData("IvtTable(Overflow = SlotOverflow.MoveTailOutOfLine)", "Vector(IvtVector.PageNotPresent)")]
    [InlineData("IvtTable", "Vector(IvtVector.PageNotPresent, Overflow = SlotOverflow.MoveTailOutOfLine)")]
    public void With_the_policy_each_overflowing_variant_moves_its_tail_and_says_so(string tableAttribute, string vectorAttribute)
    {
        string text = Table(tableAttribute, vectorAttribute);
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs", text)));
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var images = run.Tables.Single().Images;
        Assert.Equal(3, images.Count);

        // Natively the handler fits and stays whole; no information about it.
        var native = Vector(images.Single(i => i.Variant == "native"));
        Assert.InRange(native.Used, 1, native.Capacity);
        Assert.Equal(0, native.MovedOutOfLine);

        var infos = run.Diagnostics.Where(d => d.Id == "IVT016").ToList();
        foreach (var image in images.Where(i => i.Variant != "native"))
        {
            var v = Vector(image);
            Assert.InRange(v.Used, 1, v.Capacity);
            Assert.True(v.MovedOutOfLine > 0, image.Variant);
            // One IVT016 per variant, at a statement that follows a stop(), with the same numbers as the metadata.
            var info = Assert.Single(infos, d => d.GetMessage().Contains(image.Variant + " variant"));
            Assert.Equal(DiagnosticSeverity.Info, info.Severity);
            Assert.Contains($"{v.Used} bundles stay in the slot, {v.MovedOutOfLine} moved", info.GetMessage());
            string before = text.Substring(0, info.Location.SourceSpan.Start).TrimEnd();
            Assert.EndsWith("stop();", before);

            // The slot ends with a branch to the tail, which sits out of line after the IVT.
            var tail = Assert.Single(image.Symbols, s => s.Name == "Big.__tail");
            Assert.True(tail.Address >= 0x8000);
            var bundles = Decode(image);
            var lastInSlot = bundles.Single(b => b.Address == v.Offset + (v.Used - 1) * 16L);
            var branch = lastInSlot.Slots.Last(s => !s.IsDefault && !IsNop(s));
            Assert.Equal("br", branch.Form.Mnemonic.Split('.')[0]);
            Assert.EndsWith(" .+" + (tail.Address - lastInSlot.Address), Formatter.Format(branch, lastInSlot.Address));

            // GNU as agrees with the listing byte for byte.
            var gnu = GnuBinutils.Assemble(image.Listing);
            Assert.True(gnu.Text is not null, gnu.Stderr);
            Assert.Equal(image.Bytes.ToArray(), gnu.Text);
        }
        Assert.Equal(2, infos.Count);
    }

    [Fact]
    public void The_moved_handler_runs_the_same_instructions_in_the_same_groups_as_it_would_in_a_large_slot()
    {
        // Reference: the same body in a 64-bundle vector, where every variant fits whole.
        var whole = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs", Table("IvtTable", "Vector(IvtVector.VhptMiss)"))));
        var moved = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs",
            Table("IvtTable(Overflow = SlotOverflow.MoveTailOutOfLine)", "Vector(IvtVector.PageNotPresent)"))));
        var reference = whole.Tables.Single().Images.Single(i => i.Variant == "xen-altb");
        var image = moved.Tables.Single().Images.Single(i => i.Variant == "xen-altb");
        var r = Vector(reference);
        var v = Vector(image);
        var tail = image.Symbols.Single(s => s.Name == "Big.__tail");

        var expected = Groups(Decode(reference), r.Offset, r.Offset + r.Used * 16L);
        var head = Groups(Decode(image), v.Offset, v.Offset + v.Used * 16L);
        var rest = Groups(Decode(image), tail.Address, tail.Address + v.MovedOutOfLine * 16L);
        // The head's last group is the branch to the tail; the rest of the groups are the reference's, in order.
        Assert.Equal(new[] { "br" }, head[^1].Select(Mnemonic).ToArray());
        var actual = head.Take(head.Count - 1).Concat(rest).Select(g => string.Join("; ", g)).ToList();
        Assert.Equal(expected.Select(g => string.Join("; ", g)).ToList(), actual);
    }

    private static VectorInfo Vector(ImageSpec image) => image.Vectors.Single(x => x.Handler == "Big");

    private static List<DecodedBundle> Decode(ImageSpec image)
    {
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(image.Bytes.ToArray(), 0, errors);
        Assert.Empty(errors);
        return bundles;
    }

    private static bool IsNop(Instruction i) => i.Form.Mnemonic.StartsWith("nop", StringComparison.Ordinal);

    private static string Mnemonic(string text) => text.Split(' ', '.')[0];

    /// <summary>The instructions between two addresses as instruction groups (split at stops), nops left out.</summary>
    private static List<List<string>> Groups(List<DecodedBundle> bundles, long from, long to)
    {
        var groups = new List<List<string>> { new() };
        foreach (var b in bundles.Where(b => b.Address >= from && b.Address < to))
            for (int s = 0; s < 3; s++)
            {
                var i = b.Slots[s];
                if (!i.IsDefault && !IsNop(i)) groups[^1].Add(Formatter.Format(i, 0));
                if (b.Template.StopAfter(s) && groups[^1].Count > 0) groups.Add(new());
            }
        if (groups[^1].Count == 0) groups.RemoveAt(groups.Count - 1);
        return groups;
    }
}
