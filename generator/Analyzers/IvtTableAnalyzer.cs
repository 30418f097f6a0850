using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Model;
using IvtGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace IvtGen.Generator.Analyzers;

/// <summary>
/// The IDE analyzers of IvtGen, in the generator assembly (netstandard2.0, no Workspaces): each [IvtTable] class is
/// read with the generator's own parser and checked by <see cref="TableChecks"/> in every variant. Reports at real
/// source locations, so <c>#pragma warning disable</c>, <c>.editorconfig</c> severities and code fixes all work.
/// IVT009 (dependency violations) is reported here rather than by the generator, as dotnet/runtime's Regex generator
/// moved its diagnostics to an analyzer: see docs/diagnostics.md#ivt009.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IvtTableAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.DependencyViolation,
        DiagnosticDescriptors.ClobberedRegisterRead,
        DiagnosticDescriptors.ReservedRegisterWritten,
        DiagnosticDescriptors.RawPrivilegedInstruction,
        DiagnosticDescriptors.SlotOverflowInOtherVariant,
        DiagnosticDescriptors.MissingSerialization);

    /// <summary>
    /// Called with an exception the checks threw instead of letting it reach the compiler (an analyzer never throws): how
    /// tests tell a table the checks found clean from one they failed on.
    /// </summary>
    public Action<Exception>? OnInternalError { get; init; }

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(TableParser.TableAttribute);
            if (attribute is null) return;
            start.RegisterSyntaxNodeAction(c => AnalyzeClass(c, attribute, OnInternalError), SyntaxKind.ClassDeclaration);
        });
    }

    private static void AnalyzeClass(SyntaxNodeAnalysisContext c, INamedTypeSymbol attribute, Action<Exception>? onInternalError)
    {
        var decl = (ClassDeclarationSyntax)c.Node;
        if (decl.AttributeLists.Count == 0) return;
        if (c.SemanticModel.GetDeclaredSymbol(decl, c.CancellationToken) is not { } type) return;
        AttributeData? table = null;
        foreach (var a in type.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute) || a.ApplicationSyntaxReference is not { } r) continue;
            if (r.SyntaxTree == decl.SyntaxTree && decl.Span.Contains(r.Span)) table = a;
        }
        if (table is null) return;

        var parse = TableParser.Parse(c.SemanticModel, type, decl, table, c.CancellationToken);
        // A table the generator cannot read is the generator's to report; the checks need all of it.
        if (parse.Spec is null || parse.Diagnostics.Count > 0) return;

        bool xen = decl.SyntaxTree.Options is CSharpParseOptions po && po.PreprocessorSymbolNames.Contains("XEN");
        var options = GeneratorOptions.From(c.Options.AnalyzerConfigOptionsProvider.GlobalOptions, xen);
        List<Finding> findings;
        try
        {
            findings = TableChecks.Run(parse.Spec, parse.Locations, options.Symbols(), options.Variants.ToList());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug of the checks, not of the table: the build goes on without them (the generator reports its own
            // failures as IVT099; these it does not share).
            onInternalError?.Invoke(e);
            return;
        }
        foreach (var f in findings)
        {
            var location = Location.Create(decl.SyntaxTree, new TextSpan(f.Location.Start, f.Location.Length));
            var props = f.Properties is null ? null : f.Properties.ToImmutableDictionary();
            c.ReportDiagnostic(Diagnostic.Create(f.Descriptor, location, props, f.Args.Cast<object>().ToArray()));
        }
    }
}
