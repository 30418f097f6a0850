using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Emit;
using IvtGen.Generator.Lowering;
using IvtGen.Generator.Model;
using IvtGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace IvtGen.Generator;

/// <summary>
/// Compiles [IvtTable] classes into IA-64 interruption vector tables.
/// Pipeline: <see cref="Steps.Parse"/> (syntax and symbols → <see cref="ParseResult"/>: a location-free
/// <see cref="TableSpec"/> plus its locations and diagnostics) → <see cref="Steps.Spec"/> (the spec alone: the cache
/// boundary, so edits that do not change what a table means stop here) → <see cref="Steps.Build"/> (assemble each
/// variant with the ISA core) → source output (render). Diagnostics are a separate output that joins the built
/// tables with the parse step's locations, so moving code re-reports without re-building.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class IvtGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (tests assert how each step ran).</summary>
    public static class Steps
    {
        public const string Parse = nameof(Parse);
        public const string Spec = nameof(Spec);
        public const string Options = nameof(Options);
        public const string Build = nameof(Build);
        public const string Diagnostics = nameof(Diagnostics);
    }

    /// <summary>
    /// Called with every table the pipeline builds (images, listings, metadata): how `ivtgen build` gets the bytes
    /// without re-parsing generated C#, and how tests inspect the model.
    /// </summary>
    public Action<BuiltTable>? OnTableBuilt { get; init; }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var onBuilt = OnTableBuilt;
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(TableParser.TableAttribute, static (node, _) => node is ClassDeclarationSyntax, TableParser.Parse)
            .WithTrackingName(Steps.Parse);

        var specs = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(Steps.Spec);

        // Variants follow the XEN compile symbol (native only without it; native, xen-alta, xen-altb with it),
        // unless the IvtVariants property names them.
        var xen = context.ParseOptionsProvider
            .Select(static (o, _) => o.PreprocessorSymbolNames.Contains("XEN"));
        var options = context.AnalyzerConfigOptionsProvider
            .Combine(xen)
            .Select(static (x, _) => GeneratorOptions.From(x.Left.GlobalOptions, x.Right))
            .WithTrackingName(Steps.Options);

        var built = specs
            .Combine(options)
            .Select(static (x, ct) => SafeBuild(x.Left, x.Right))
            .WithTrackingName(Steps.Build);

        context.RegisterSourceOutput(built, (spc, table) =>
        {
            onBuilt?.Invoke(table);
            if (table.Images.Count == 0) return;
            string source;
            try
            {
                source = Emitter.Render(table);
            }
            catch (Exception e)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, table.Table.ClassName, e.Message));
                return;
            }
            spc.AddSource(table.Key + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
        });

        var all = parsed.Collect().Combine(built.Collect()).WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(all, static (spc, x) => Report(spc, x.Left, x.Right));
    }

    private static BuiltTable SafeBuild(TableSpec spec, GeneratorOptions options)
    {
        try
        {
            return TableLowering.Build(spec, options.Symbols(), options.Variants);
        }
        catch (Exception e)
        {
            return new BuiltTable(spec, EquatableArray<ImageSpec>.Empty, new EquatableArray<DiagnosticInfo>(new[]
            {
                DiagnosticInfo.At("IVT099", null, spec.ClassName, e.GetType().Name + ": " + e.Message),
            }));
        }
    }

    private static void Report(SourceProductionContext spc, ImmutableArray<ParseResult> parsed, ImmutableArray<BuiltTable> built)
    {
        var byKey = new Dictionary<string, ParseResult>(StringComparer.Ordinal);
        foreach (var p in parsed)
        {
            byKey[p.Key] = p;
            foreach (var d in p.Diagnostics) spc.ReportDiagnostic(Create(d, p));
        }
        foreach (var b in built)
        {
            byKey.TryGetValue(b.Key, out var p);
            // IVT009 and IVT024 stay in the model (OnTableBuilt) but are reported by IvtTableAnalyzer, at a real source location
            // where #pragma and the insert-stop code fix work, for every variant (docs/diagnostics.md#ivt009).
            foreach (var d in b.Diagnostics)
                if (d.Id != DiagnosticDescriptors.DependencyViolation.Id && d.Id != DiagnosticDescriptors.MissingSerialization.Id) spc.ReportDiagnostic(Create(d, p));
        }
    }

    /// <summary>Turns a diagnostic record into a Roslyn diagnostic, resolving statement references to locations.</summary>
    internal static Diagnostic Create(DiagnosticInfo d, ParseResult? parse)
    {
        var descriptor = DiagnosticDescriptors.Find(d.Id) ?? DiagnosticDescriptors.InternalError;
        var info = d.Location;
        if (info is null && parse is not null && d.Handler >= 0 && d.Handler < parse.Locations.Count)
        {
            var h = parse.Locations[d.Handler];
            info = d.Statement >= 0 && d.Statement < h.Statements.Count ? h.Statements[d.Statement] : h.Method;
        }
        var location = info is null ? Location.None : Location.Create(info.Path, new TextSpan(info.Start, info.Length),
            new LinePositionSpan(new LinePosition(info.StartLine, info.StartColumn), new LinePosition(info.EndLine, info.EndColumn)));
        var args = new object[d.Args.Count];
        for (int i = 0; i < args.Length; i++) args[i] = d.Args[i];
        return Diagnostic.Create(descriptor, location, args);
    }
}

/// <summary>Build options from MSBuild (CompilerVisibleProperty) and the parse options: symbol addresses and variants.</summary>
internal sealed record GeneratorOptions(string SymbolList, EquatableArray<string> Variants)
{
    public static readonly string[] AllVariants = { TableLowering.Native, TableLowering.XenAltA, TableLowering.XenAltB };

    public static GeneratorOptions From(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions global, bool xen)
    {
        string symbols = global.TryGetValue("build_property.IvtSymbols", out var s) ? s : "";
        var variants = new List<string>();
        if (global.TryGetValue("build_property.IvtVariants", out var v) && v.Trim().Length > 0)
        {
            foreach (var part in v.Split(';', ','))
            {
                string name = part.Trim().ToLowerInvariant();
                if (Array.IndexOf(AllVariants, name) >= 0 && !variants.Contains(name)) variants.Add(name);
            }
        }
        else
        {
            variants.Add(TableLowering.Native);
            if (xen) { variants.Add(TableLowering.XenAltA); variants.Add(TableLowering.XenAltB); }
        }
        return new GeneratorOptions(symbols, variants.ToEquatableArray());
    }

    /// <summary>"name=0x1000;other=4096" → addresses.</summary>
    public IReadOnlyDictionary<string, long>? Symbols()
    {
        if (SymbolList.Length == 0) return null;
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in SymbolList.Split(';', ','))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) continue;
            string name = part.Substring(0, eq).Trim(), value = part.Substring(eq + 1).Trim();
            bool hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (long.TryParse(hex ? value.Substring(2) : value, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
                d[name] = v;
        }
        return d;
    }
}
