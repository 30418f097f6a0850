extern alias gen;

using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using ApprovalTests;
using ApprovalTests.Reporters;
using IvtGen.Isa;
using IvtGen.Paravirt;
using IvtGen.Tests.Gnu;
using IvtGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace IvtGen.Tests.Generator;

/// <summary>One handler source, several tables: variants per compile symbol, each a full image GNU as agrees with.</summary>
[UseReporter(typeof(QuietReporter))]
public sealed class VariantTests
{
    /// <summary>A table that uses every operation of the catalogue, each in a routine of its own.</summary>
    internal static string EveryOperationTable()
    {
        var sb = new StringBuilder("using IvtGen.Dsl;\nnamespace T;\n[IvtTable(\"every_op\")]\npublic partial class EveryOp : IvtCode\n{\n");
        sb.Append("    [Vector(IvtVector.ExternalInterrupt)] void V() { br_sptk_many(\"").Append(ParavirtCatalog.All[0].Name).Append("\"); stop(); }\n");
        foreach (var op in ParavirtCatalog.All)
        {
            int gr = 32, pr = 6; // r32+: bsw's clobbers may not be banked registers
            var args = op.Operands.Select(o => o.Kind switch
            {
                PvOperandKind.Pr => "p" + pr++,
                PvOperandKind.Gr => "r" + gr++,
                _ => "ar.k1",
            });
            sb.Append($"    [Routine(\"{op.Name}\")] void R_{op.Name}() {{ {op.DslName}({string.Join(", ", args)}); stop(); br_ret_sptk_many(b0); stop(); }}\n");
        }
        return sb.Append("}\n").ToString();
    }

    [Fact]
    public void Without_XEN_only_native_with_XEN_all_three_variants()
    {
        var plain = GeneratorHarness.RunOn(GeneratorHarness.Compile(("PvTable.cs", GeneratorHarness.PvSample())));
        Assert.Empty(plain.Diagnostics);
        Assert.Equal(new[] { "native" }, plain.Tables.Single().Images.Select(i => i.Variant));

        var xen = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("PvTable.cs", GeneratorHarness.PvSample())));
        Assert.Empty(xen.Diagnostics);
        Assert.Equal(new[] { "native", "xen-alta", "xen-altb" }, xen.Tables.Single().Images.Select(i => i.Variant));
        Assert.Empty(xen.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        // The native image does not depend on whether XEN is defined.
        Assert.Equal(plain.Tables.Single().Images[0].Sha256, xen.Tables.Single().Images[0].Sha256);
    }

    [Fact]
    public void Every_variant_of_every_operation_assembles_with_GNU_to_its_image_and_Xen_images_hold_nothing_sensitive()
    {
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("EveryOp.cs", EveryOperationTable())));
        Assert.True(run.Diagnostics.Count == 0, string.Join("\n", run.Diagnostics));
        foreach (var image in run.Tables.Single().Images)
        {
            var gnu = GnuBinutils.Assemble(image.Listing);
            Assert.True(gnu.Text is not null, image.Variant + ": " + gnu.Stderr);
            Assert.Equal(image.Bytes.ToArray(), gnu.Text);
            var errors = new System.Collections.Generic.List<DecodeError>();
            var bundles = Disassembler.Decode(image.Bytes.ToArray(), 0, errors);
            Assert.Empty(errors);
            var sensitive = bundles.SelectMany(b => b.Slots).Where(i => !i.IsDefault && i.Form.Has(InsnFlags.Privileged | InsnFlags.Sensitive)).ToList();
            // The one sensitive instruction a Xen lowering keeps on purpose: mov_from_itc's read of ar.itc (see docs/paravirt.md).
            if (image.Variant.StartsWith("xen", StringComparison.Ordinal))
                Assert.All(sensitive, i => Assert.EndsWith("=ar.itc", Formatter.Format(i, 0)));
            else Assert.NotEmpty(sensitive);
        }
        var alta = run.Tables.Single().Images.Single(i => i.Variant == "xen-alta");
        Assert.Contains(alta.Symbols, s => s.Name.StartsWith("__pv", StringComparison.Ordinal) || s.Address >= 0x8000);
    }

    [Theory]
    [InlineData("native")]
    [InlineData("xen-alta")]
    [InlineData("xen-altb")]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Listing_of_every_operation(string variant)
    {
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("EveryOp.cs", EveryOperationTable())));
        using (ApprovalTests.Namers.ApprovalResults.ForScenario(variant))
            Approvals.Verify(run.Tables.Single().Images.Single(i => i.Variant == variant).Listing);
    }

    [Fact]
    public void A_raw_privileged_instruction_in_a_table_built_with_XEN_is_IVT015_at_its_statement()
    {
        string text = "using IvtGen.Dsl;\nnamespace T;\n[IvtTable] public partial class A : IvtCode { [Vector(0)] void V() { /*!*/mov(r16, cr.ifa); stop(); pv_rfi(); stop(); } }";
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("A.cs", text)));
        var d = Assert.Single(run.Diagnostics, x => x.Id == "IVT015");
        Assert.Equal(text.IndexOf("/*!*/", StringComparison.Ordinal) + 5, d.Location.SourceSpan.Start);
        Assert.Empty(run.Result.Results[0].GeneratedSources);
        // Natively the same source is fine.
        Assert.DoesNotContain(GeneratorHarness.RunOn(GeneratorHarness.Compile(("A.cs", text))).Diagnostics, x => x.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Dotnet_build_with_and_without_XEN_emits_the_matching_variants()
    {
        string project = Repo.FilePath("samples", "PvIvt", "PvIvt.csproj");
        string Generated(bool xen)
        {
            var (code, so, se) = Processes.Run("dotnet", Repo.Root, "build", project, "-c", "Release", "-nologo", "-v", "q", "-p:IvtXen=" + (xen ? "true" : "false"));
            Assert.True(code == 0, so + se);
            return File.ReadAllText(Directory.GetFiles(Repo.FilePath("samples", "PvIvt", "obj", "Release"), "Samples.Pv.PvTable.g.cs", SearchOption.AllDirectories).Single());
        }
        string plain = Generated(false);
        Assert.Contains("NativeSha256", plain);
        Assert.DoesNotContain("XenAltASha256", plain);
        string xen = Generated(true);
        Assert.Contains("NativeSha256", xen);
        Assert.Contains("XenAltASha256", xen);
        Assert.Contains("XenAltBSha256", xen);
        Assert.Equal(Regex.Match(plain, "NativeSha256 = \"(\\w+)\"").Groups[1].Value, Regex.Match(xen, "NativeSha256 = \"(\\w+)\"").Groups[1].Value);
    }
}
