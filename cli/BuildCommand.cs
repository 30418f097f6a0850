extern alias gen;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using gen::IvtGen.Generator;
using gen::IvtGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace IvtGen.Cli;

/// <summary>
/// <c>ivtgen build PATH... [--define SYMBOL]... [--symbol NAME=ADDR]... [-o DIR]</c>: runs the source generator
/// in-process on DSL sources (no project file needed) and writes, per table N and variant V, N.V.bin, N.V.S and
/// manifest.json. Diagnostics print like the compiler's; any error gives exit code 1.
/// </summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "C# DSL source files or folders (searched for *.cs)", Arity = ArgumentArity.OneOrMore };
        var defines = new Option<string[]>("--define", "-d") { Description = "Preprocessor symbol (e.g. XEN); repeatable", AllowMultipleArgumentsPerToken = false };
        var symbols = new Option<string[]>("--symbol", "-s") { Description = "External symbol address NAME=ADDR; repeatable" };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Output folder (default: ivt-out)" };
        var cmd = new Command("build", "Compile IVT tables written in the C# DSL into images, listings and a manifest") { paths, defines, symbols, output };
        cmd.SetAction(p => Run(p.GetValue(paths)!, p.GetValue(defines) ?? Array.Empty<string>(), p.GetValue(symbols) ?? Array.Empty<string>(),
            p.GetValue(output) ?? new DirectoryInfo("ivt-out")));
        return cmd;
    }

    private static int Run(string[] paths, string[] defines, string[] symbolArgs, DirectoryInfo outDir)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) files.AddRange(Directory.GetFiles(p, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f)).OrderBy(f => f, StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else { Console.Error.WriteLine($"{p}: error: no such file or folder"); return 1; }
        }
        if (files.Count == 0) { Console.Error.WriteLine("error: no C# sources found"); return 1; }

        var symbolList = new StringBuilder();
        foreach (var s in symbolArgs)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0 || !Numbers.TryParse(s.Substring(eq + 1), out long addr))
            {
                Console.Error.WriteLine($"error: --symbol '{s}' is not NAME=ADDR");
                return 1;
            }
            symbolList.Append(s.Substring(0, eq)).Append('=').Append("0x").Append(addr.ToString("x", CultureInfo.InvariantCulture)).Append(';');
        }

        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithPreprocessorSymbols(defines);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, path: f)).ToList();
        // A folder may hold a sample's Program.cs: top-level statements make it an executable.
        bool hasMain = trees.Any(t => t.GetRoot().ChildNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create("IvtBuild", trees, References(),
            new CSharpCompilationOptions(hasMain ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var tables = new List<BuiltTable>();
        var generator = new IvtGenerator { OnTableBuilt = tables.Add };
        var driver = CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator() }, parseOptions: parse,
            optionsProvider: new BuildOptionsProvider(new Dictionary<string, string> { ["build_property.IvtSymbols"] = symbolList.ToString() }));
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var updated, out var genDiags);

        // The DSL's own type errors (a register where an immediate belongs) are C# errors: show them too.
        var all = genDiags.Concat(updated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("IVT", StringComparison.Ordinal)))
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToList();
        foreach (var d in all) Console.Error.WriteLine(Format(d));
        int errors = all.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (errors > 0)
        {
            Console.Error.WriteLine($"build failed: {errors} error(s)");
            return 1;
        }
        if (tables.Count == 0)
        {
            Console.Error.WriteLine("error: no [IvtTable] class found in the sources");
            return 1;
        }

        outDir.Create();
        var manifest = new List<object>();
        foreach (var t in tables.OrderBy(t => t.Table.TableName, StringComparer.Ordinal))
        {
            foreach (var image in t.Images)
            {
                string stem = Path.Combine(outDir.FullName, t.Table.TableName + "." + image.Variant);
                File.WriteAllBytes(stem + ".bin", image.Bytes.ToArray());
                File.WriteAllText(stem + ".S", image.Listing);
                if (ObjectOutput.Write(stem + ".o", t.Table.TableName, image) is { } objectError) { Console.Error.WriteLine(objectError); return 1; }
                Console.WriteLine($"{t.Table.TableName}.{image.Variant}: {image.Bytes.Count} bytes ({image.Bytes.Count - 0x8000} out of line), " +
                    $"{image.Vectors.Count(v => v.Handler.Length > 0)} vectors, sha256 {image.Sha256}");
            }
            manifest.Add(new
            {
                table = t.Table.TableName,
                @class = t.Table.Key,
                variants = t.Images.Select(i => new
                {
                    variant = i.Variant,
                    sha256 = i.Sha256,
                    size = i.Bytes.Count,
                    ivtSize = 0x8000,
                    outOfLineSize = i.Bytes.Count - 0x8000,
                    vectors = i.Vectors.Select(v => new { index = v.Index, offset = "0x" + v.Offset.ToString("x4", CultureInfo.InvariantCulture), name = v.Name, handler = v.Handler, bundlesUsed = v.Used, capacity = v.Capacity, paravirtSites = v.ParavirtSites, clobbers = v.Clobbers.ToArray() }),
                    symbols = i.Symbols.Select(s => new { name = s.Name, address = "0x" + s.Address.ToString("x", CultureInfo.InvariantCulture) }),
                    relocations = i.Relocations.Select(r => new { offset = "0x" + r.Offset.ToString("x", CultureInfo.InvariantCulture), slot = r.Slot, kind = r.Kind, symbol = r.Symbol }),
                }),
            });
        }
        File.WriteAllText(Path.Combine(outDir.FullName, "manifest.json"),
            JsonSerializer.Serialize(new { tables = manifest }, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"wrote {outDir.FullName}");
        return 0;
    }

    private static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    /// <summary>The BCL the tool runs on plus IvtGen.Runtime: enough to bind DSL sources.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        foreach (var p in tpa.Where(p => p.Length > 0 && Path.GetDirectoryName(p) == framework))
            yield return MetadataReference.CreateFromFile(p);
        yield return MetadataReference.CreateFromFile(typeof(IvtGen.Dsl.IvtCode).Assembly.Location);
    }

    /// <summary>Compiler style: <c>file(line,col): error IVT008: message</c>.</summary>
    private static string Format(Diagnostic d)
    {
        string severity = d.Severity == DiagnosticSeverity.Error ? "error" : d.Severity == DiagnosticSeverity.Warning ? "warning" : "info";
        if (d.Location == Location.None) return $"{severity} {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
        var span = d.Location.GetLineSpan();
        return $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {severity} {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
    }

    private sealed class BuildOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global;
        public BuildOptionsProvider(Dictionary<string, string> values) => _global = new Options(values);
        public override AnalyzerConfigOptions GlobalOptions => _global;
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());
            private readonly Dictionary<string, string> _values;
            public Options(Dictionary<string, string> values) => _values = values;
            public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
        }
    }
}
