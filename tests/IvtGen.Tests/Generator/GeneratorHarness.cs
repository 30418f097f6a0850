extern alias gen;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using gen::IvtGen.Generator;
using gen::IvtGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IvtGen.Tests.Generator;

/// <summary>Runs the IVT source generator over sources with CSharpGeneratorDriver, as the compiler would.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions Parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> s_refs = new(() =>
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Where(p => Path.GetDirectoryName(p) == framework).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IvtGen.Dsl.IvtCode).Assembly.Location)).ToArray();
    });

    public static readonly CSharpParseOptions ParseXen = Parse.WithPreprocessorSymbols("XEN");

    public static CSharpCompilation Compile(params (string Path, string Text)[] files) => Compile(Parse, files);

    public static CSharpCompilation CompileXen(params (string Path, string Text)[] files) => Compile(ParseXen, files);

    private static CSharpCompilation Compile(CSharpParseOptions options, (string Path, string Text)[] files) =>
        CSharpCompilation.Create("Tables", files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, f.Path)), s_refs.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public sealed record Run(GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output, IReadOnlyList<Diagnostic> Diagnostics, List<BuiltTable> Tables);

    public static GeneratorDriver NewDriver(List<BuiltTable> tables, bool track = true, bool xen = false) =>
        CSharpGeneratorDriver.Create(new[] { new IvtGenerator { OnTableBuilt = tables.Add }.AsSourceGenerator() }, parseOptions: xen ? ParseXen : Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public static Run RunOn(Compilation compilation, GeneratorDriver? driver = null, List<BuiltTable>? tables = null)
    {
        tables ??= new List<BuiltTable>();
        driver ??= NewDriver(tables);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new Run(driver, driver.GetRunResult(), output, diagnostics, tables);
    }

    /// <summary>As a build with XEN defined: native, xen-alta and xen-altb.</summary>
    public static Run RunXen(Compilation compilation)
    {
        var tables = new List<BuiltTable>();
        return RunOn(compilation, NewDriver(tables, xen: true), tables);
    }

    public static string Sample(string name) => File.ReadAllText(Support.Repo.FilePath("samples", "NativeIvt", name));

    public static string PvSample() => File.ReadAllText(Support.Repo.FilePath("samples", "PvIvt", "PvTable.cs"));
}
