using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using IvtGen.Generator.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace IvtGen.CodeFixes;

/// <summary>
/// IVT009: inserts <c>stop();</c> where the analyzer found that a stop ends the dependency violation (before the later
/// instruction, or before the labels right before it). The analyzer checked the place by lowering the table with the
/// stop in every variant; it gives none when no stop helps (inside an explicit bundle without such a template).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertStopCodeFix)), Shared]
public sealed class InsertStopCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "IvtGen.InsertStop";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(FixProperties.DependencyViolationId);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var d in context.Diagnostics)
        {
            if (!d.TryGetInt(FixProperties.StopBefore, out int position)) continue;
            context.RegisterCodeFix(CodeAction.Create("Insert stop();", ct => InsertAsync(context.Document, position, ct), EquivalenceKey), d);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> InsertAsync(Document document, int position, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        var text = await document.GetTextAsync(ct).ConfigureAwait(false);
        if (root is null) return document;
        var statement = root.FindToken(position).Parent?.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
        if (statement is null) return document;
        int start = statement.SpanStart;
        var line = text.Lines.GetLineFromPosition(start);
        string before = text.ToString(TextSpan.FromBounds(line.Start, start));
        // Alone on its line: the stop gets a line of its own, indented the same; otherwise it goes before it on the line.
        string insert = before.Trim().Length == 0 ? "stop();" + NewLine(text) + before : "stop(); ";
        return document.WithText(text.WithChanges(new TextChange(new TextSpan(start, 0), insert)));
    }

    internal static string NewLine(SourceText text)
    {
        foreach (var l in text.Lines)
        {
            int n = l.EndIncludingLineBreak - l.End;
            if (n > 0) return text.ToString(TextSpan.FromBounds(l.End, l.EndIncludingLineBreak));
        }
        return "\n";
    }
}
