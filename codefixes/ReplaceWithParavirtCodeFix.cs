using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using IvtGen.Generator.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace IvtGen.CodeFixes;

/// <summary>
/// IVT022: rewrites a raw privileged or sensitive instruction (with the statements its paravirtualized operation also
/// covers, such as the <c>stop(); srlz_i();</c> after <c>ssm(Psr.dt)</c>) into the operation's <c>pv_…</c> call. The
/// analyzer chose the call and its donated registers (dead after the site in every variant) from the catalogue.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceWithParavirtCodeFix)), Shared]
public sealed class ReplaceWithParavirtCodeFix : CodeFixProvider
{
    public const string EquivalenceKey = "IvtGen.ReplaceWithParavirt";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(FixProperties.PrivilegedInstructionId);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var d in context.Diagnostics)
        {
            if (!d.Properties.TryGetValue(FixProperties.Replacement, out var replacement) || replacement is null
                || !d.TryGetInt(FixProperties.ReplaceStart, out int start) || !d.TryGetInt(FixProperties.ReplaceLength, out int length))
                continue;
            var span = new TextSpan(start, length);
            context.RegisterCodeFix(CodeAction.Create("Use " + replacement, ct => ReplaceAsync(context.Document, span, replacement, ct), EquivalenceKey), d);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document> ReplaceAsync(Document document, TextSpan span, string replacement, CancellationToken ct)
    {
        var text = await document.GetTextAsync(ct).ConfigureAwait(false);
        if (span.End > text.Length) return document;
        return document.WithText(text.WithChanges(new TextChange(span, replacement)));
    }
}
