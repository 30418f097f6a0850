extern alias gen;

using System;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using gen::IvtGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IvtGen.Bench;

/// <summary>
/// The source generator on a table with all 68 vectors populated: a cold run (new driver) and the incremental run
/// after one handler's immediate changes (what the IDE does on a keystroke).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;
    private static readonly CSharpParseOptions s_parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>68 handlers of 8–40 instructions each, in the shape of TLB-miss and fault vectors.</summary>
    public static string Table(int immediate)
    {
        var sb = new StringBuilder("using IvtGen.Dsl;\nnamespace Bench;\n[IvtTable(\"bench_ivt\")]\npublic partial class BenchTable : IvtCode\n{\n");
        for (int v = 0; v < 68; v++)
        {
            int offset = v < 20 ? v * 0x400 : 0x5000 + (v - 20) * 0x100;
            int groups = v < 20 ? 12 : 2;
            sb.Append($"    [Vector(0x{offset:x4})] void V{v}()\n    {{\n");
            for (int g = 0; g < groups; g++)
            {
                int imm = v == 0 && g == 0 ? immediate : g;
                sb.Append($"        mov(r16, cr.ifa); stop(); adds(r17, {imm}, r16); stop(); ld8(r18, [r17]); stop();\n");
            }
            sb.Append("        rfi(); stop();\n    }\n");
        }
        return sb.Append("}\n").ToString();
    }

    private static CSharpCompilation Compile(string text)
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == framework).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IvtGen.Dsl.IvtCode).Assembly.Location));
        return CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText(text, s_parse, "Bench.cs") }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new IvtGenerator().AsSourceGenerator() }, parseOptions: s_parse);

    [GlobalSetup]
    public void Setup()
    {
        _compilation = Compile(Table(8));
        _edited = _compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(Table(16), s_parse, "Bench.cs"));
        _warm = NewDriver().RunGenerators(_compilation);
        var r = _warm.GetRunResult();
        if (r.Diagnostics.Length > 0 || r.Results[0].GeneratedSources.Length != 1)
            throw new InvalidOperationException("benchmark table does not generate cleanly: " + string.Join("; ", r.Diagnostics));
    }

    /// <summary>First build: parse 68 handlers, assemble, render.</summary>
    [Benchmark]
    public int Cold() => NewDriver().RunGenerators(_compilation).GetRunResult().Results[0].GeneratedSources.Length;

    /// <summary>After one handler's immediate changed: the table is re-parsed, re-assembled and re-rendered.</summary>
    [Benchmark]
    public int OneHandlerEdited() => _warm.RunGenerators(_edited).GetRunResult().Results[0].GeneratedSources.Length;
}
