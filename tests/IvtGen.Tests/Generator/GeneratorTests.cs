extern alias gen;

using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Tests.Gnu;
using Microsoft.CodeAnalysis;
using Xunit;

namespace IvtGen.Tests.Generator;

/// <summary>The source generator on the sample table and on broken tables.</summary>
public sealed class GeneratorTests
{
    [Fact]
    public void Sample_table_generates_without_diagnostics_and_the_output_compiles()
    {
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("NativeTable.cs", GeneratorHarness.Sample("NativeTable.cs"))));
        Assert.Empty(run.Diagnostics);
        Assert.Null(run.Result.Results[0].Exception);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var table = Assert.Single(run.Tables);
        var image = Assert.Single(table.Images);
        Assert.Equal("native", image.Variant);
        Assert.True(image.Bytes.Count >= 0x8000);
        Assert.Equal(68, image.Vectors.Count);
        var vhpt = image.Vectors.Single(v => v.Offset == 0);
        Assert.Equal("VhptMiss", vhpt.Handler);
        Assert.InRange(vhpt.Used, 1, 64);
        Assert.Contains(image.Symbols, s => s.Name == "page_fault" && s.Address >= 0x8000);
        Assert.Contains(image.Relocations, r => r.Symbol == "ia64_do_page_fault" && r.Kind == "PCREL60B");
        Assert.Contains(run.Result.Results[0].GeneratedSources, s => s.HintName == "Samples.NativeTable.g.cs");
    }

    [Fact]
    public void The_generated_listing_assembles_with_GNU_as_to_exactly_the_image()
    {
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("NativeTable.cs", GeneratorHarness.Sample("NativeTable.cs"))));
        var image = run.Tables.Single().Images.Single();
        var gnu = GnuBinutils.Assemble(image.Listing);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        Assert.Empty(gnu.Messages);
        Assert.Equal(image.Bytes.ToArray(), gnu.Text);
    }

    [Fact]
    public void Two_runs_give_byte_identical_output()
    {
        string Generate() => string.Join("\n---\n", GeneratorHarness
            .RunOn(GeneratorHarness.Compile(("NativeTable.cs", GeneratorHarness.Sample("NativeTable.cs"))), tables: new())
            .Result.Results[0].GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText));
        Assert.Equal(Generate(), Generate());
    }

    private const string Prelude = "using IvtGen.Dsl;\nnamespace T;\n";

    /// <summary>Each case marks the expected location with /*!*/ right before it.</summary>
    [Theory]
    [InlineData("IVT001", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { adds(r1, /*!*/System.Environment.TickCount, r2); stop(); } }")]
    [InlineData("IVT002", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { /*!*/if (true) { rfi(); } } }")]
    [InlineData("IVT003", "[IvtTable] public partial class A : IvtCode { [/*!*/Vector(0x0410)] void V() { rfi(); stop(); } }")]
    [InlineData("IVT004", "[IvtTable] public partial class A : IvtCode { [Vector(IvtVector.ItlbMiss)] void V() { rfi(); stop(); } [/*!*/Vector(0x400)] void W() { rfi(); stop(); } }")]
    [InlineData("IVT005", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { br_cond_sptk_many(/*!*/\"nowhere\"); stop(); } }")]
    [InlineData("IVT006", "[IvtTable, IvtExtern(\"far\", 0x70000000)] public partial class A : IvtCode { [Vector(0)] void V() { /*!*/br_cond_sptk_many(\"far\"); stop(); } }")]
    [InlineData("IVT007", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { /*!*/adds(r1, 100000, r2); stop(); } }")]
    [InlineData("IVT007", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { /*!*/cmp_gt_and(p1, p2, r5, r3); stop(); } }")]
    [InlineData("IVT009", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { add(r1, r2, r3); /*!*/add(r4, r1, r5); stop(); } }")]
    [InlineData("IVT010", "[IvtTable] public class /*!*/A : IvtCode { }")]
    [InlineData("IVT012", "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { label(\"x\"); /*!*/label(\"x\"); rfi(); stop(); } }")]
    public void Broken_table_reports_at_the_exact_location(string id, string source)
    {
        string text = Prelude + source;
        int at = text.IndexOf("/*!*/", StringComparison.Ordinal) + "/*!*/".Length;
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("A.cs", text)));
        Assert.Null(run.Result.Results[0].Exception);
        var d = run.Diagnostics.FirstOrDefault(x => x.Id == id);
        Assert.True(d is not null, $"no {id}; got: {string.Join("; ", run.Diagnostics)}");
        Assert.Equal("A.cs", d!.Location.GetLineSpan().Path);
        Assert.Equal(at, d.Location.SourceSpan.Start);
    }

    [Fact]
    public void A_handler_that_overflows_its_slot_is_an_error_at_the_handler_with_used_and_capacity()
    {
        // 40 groups of one ALU instruction: the bundler fits two per bundle (MI;I;), so 20 bundles for a 16-bundle slot.
        string body = string.Concat(Enumerable.Repeat("add(r1, r2, r3); stop(); ", 40));
        string text = Prelude + "[IvtTable] public partial class A : IvtCode { [Vector(IvtVector.PageNotPresent)] void /*!*/Big() { " + body + "} }";
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("A.cs", text)));
        var d = Assert.Single(run.Diagnostics, x => x.Id == "IVT008");
        Assert.Equal(text.IndexOf("/*!*/", StringComparison.Ordinal) + 5, d.Location.SourceSpan.Start);
        Assert.Contains("needs 20 bundles", d.GetMessage());
        Assert.Contains("slot holds 16", d.GetMessage());
        Assert.Empty(run.Result.Results[0].GeneratedSources);
    }

    [Fact]
    public void Relocation_kinds_are_the_ones_GNU_as_emits_for_each_instruction()
    {
        string text = Prelude + "[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { chk_s_m(r2, \"fix\"); stop(); br_sptk_many(\"fix\"); stop(); }"
            + " [Routine(\"fix\")] void Fix() { rfi(); stop(); } }";
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("A.cs", text)));
        Assert.Empty(run.Diagnostics);
        var kinds = run.Tables.Single().Images.Single().Relocations.Select(r => r.Kind).ToList();
        Assert.Equal(new[] { "PCREL21M", "PCREL21B" }, kinds);
    }

    [Fact]
    public void Mangled_sources_never_make_the_generator_throw()
    {
        string sample = GeneratorHarness.Sample("NativeTable.cs");
        var rng = new Random(5);
        for (int k = 0; k < 60; k++)
        {
            // Cut a random span out of the sample: half-finished edits as an IDE sees them.
            int start = rng.Next(sample.Length), len = rng.Next(1, 40);
            string text = sample.Remove(start, Math.Min(len, sample.Length - start));
            var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("NativeTable.cs", text)));
            Assert.Null(run.Result.Results[0].Exception);
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "IVT099");
        }
    }
}
