extern alias gen;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using IvtGen.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Analyzer = gen::IvtGen.Generator.Analyzers.IvtTableAnalyzer;

namespace IvtGen.Tests.Analyzers;

/// <summary>
/// Microsoft.CodeAnalysis.Testing for the IvtGen analyzer and a code fix: sources with <c>{|IVT0xx:…|}</c> markup, the
/// running framework's assemblies and IvtGen.Runtime as references (nothing fetched at test time), C# latest, and
/// optional preprocessor symbols (XEN) and build properties (IvtVariants, IvtSymbols) as the SDK passes them.
/// </summary>
public sealed class IvtAnalyzerTest<TFix> : CSharpCodeFixTest<Analyzer, TFix, DefaultVerifier> where TFix : CodeFixProvider, new()
{
    private static readonly Lazy<MetadataReference[]> s_refs = new(() =>
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Where(p => Path.GetDirectoryName(p) == framework).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IvtGen.Dsl.IvtCode).Assembly.Location)).ToArray();
    });

    public List<string> Defines { get; } = new();
    public Dictionary<string, string> BuildProperties { get; } = new();

    /// <summary>What the checks threw (the analyzer swallows it, so a silent table would pass unchecked): must stay empty.</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<Exception> _internalErrors = new();

    protected override IEnumerable<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> GetDiagnosticAnalyzers() =>
        new[] { new Analyzer { OnInternalError = _internalErrors.Enqueue } };

    public IvtAnalyzerTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(s_refs.Value);
        FixedState.AdditionalReferences.AddRange(s_refs.Value);
        SolutionTransforms.Add((solution, projectId) =>
        {
            var parse = (CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!;
            return solution.WithProjectParseOptions(projectId, parse.WithLanguageVersion(LanguageVersion.Latest).WithPreprocessorSymbols(Defines));
        });
    }

    public new async Task RunAsync(System.Threading.CancellationToken cancellationToken = default)
    {
        if (BuildProperties.Count > 0)
        {
            string config = "is_global = true\n" + string.Concat(BuildProperties.Select(kv => $"build_property.{kv.Key} = {kv.Value}\n"));
            TestState.AnalyzerConfigFiles.Add(("/.globalconfig", config));
            if (FixedState.Sources.Count > 0) FixedState.AnalyzerConfigFiles.Add(("/.globalconfig", config));
        }
        await base.RunAsync(cancellationToken);
        Assert.True(_internalErrors.IsEmpty, "the checks failed: " + string.Join("\n", _internalErrors));
    }
}

/// <summary>Shorthands: sources are handler bodies or whole tables in the DSL.</summary>
public static class Ivt
{
    public const string Prelude = "using IvtGen.Dsl;\nnamespace T;\n";

    /// <summary>A table with one vector handler (0x0000, 64 bundles) whose body is <paramref name="body"/>.</summary>
    public static string Table(string body, string members = "") =>
        Prelude + "[IvtTable] public partial class A : IvtCode\n{\n    [Vector(0)]\n    void V()\n    {\n" + body + "\n    }\n" + members + "}\n";

    /// <summary>The markup removed: what the compiler and the generator see.</summary>
    public static string Plain(string markup) => System.Text.RegularExpressions.Regex.Replace(markup, @"\{\|IVT\d+:|\|\}", "");

    /// <summary>
    /// The generator on <paramref name="source"/> (with <paramref name="defines"/>, e.g. XEN for every variant): no error,
    /// and the images build. How a test shows that the code a fix produced builds.
    /// </summary>
    public static IReadOnlyList<gen::IvtGen.Generator.Model.BuiltTable> AssertBuilds(string source, params string[] defines)
    {
        var parse = GeneratorHarness.Parse.WithPreprocessorSymbols(defines);
        var compilation = GeneratorHarness.Compile().AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, parse, "A.cs"));
        var tables = new List<gen::IvtGen.Generator.Model.BuiltTable>();
        var driver = CSharpGeneratorDriver.Create(new[] { new gen::IvtGen.Generator.IvtGenerator { OnTableBuilt = tables.Add }.AsSourceGenerator() }, parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.NotEmpty(Assert.Single(tables).Images); // every variant lowered and assembled
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return tables;
    }
}
