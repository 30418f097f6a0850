extern alias gen;

using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using IvtGen.Tests.Support;
using Xunit;
using Descriptors = gen::IvtGen.Generator.Diagnostics.DiagnosticDescriptors;

namespace IvtGen.Tests.Analyzers;

/// <summary>The one descriptor catalogue against docs/diagnostics.md and the analyzer release files.</summary>
public sealed class DiagnosticCatalogueTests
{
    [Fact]
    public void Every_rule_links_to_its_section_which_shows_a_wrong_and_a_right_example()
    {
        string doc = File.ReadAllText(Repo.FilePath("docs", "diagnostics.md"));
        var sections = Regex.Split(doc, @"^## ", RegexOptions.Multiline).Skip(1)
            .ToDictionary(s => s.Substring(0, s.IndexOf('\n')).Trim(), s => s);
        foreach (var d in Descriptors.All)
        {
            Assert.Equal(Descriptors.Category, d.Category);
            Assert.EndsWith("docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.True(sections.TryGetValue(d.Id, out var section), d.Id + " has no section in docs/diagnostics.md");
            if (d.Id == "IVT099") continue; // a bug of IvtGen: there is no right way to write it
            Assert.True(Regex.IsMatch(section, @"//\s*wrong"), d.Id + ": no wrong example");
            Assert.True(Regex.IsMatch(section, @"//\s*right"), d.Id + ": no right example");
        }
        Assert.Empty(sections.Keys.Where(k => k.StartsWith("IVT", System.StringComparison.Ordinal)).Except(Descriptors.All.Select(d => d.Id)));
    }

    [Fact]
    public void The_release_files_list_every_rule_once_with_its_severity()
    {
        string text = File.ReadAllText(Repo.FilePath("generator", "AnalyzerReleases.Shipped.md"))
            + File.ReadAllText(Repo.FilePath("generator", "AnalyzerReleases.Unshipped.md"));
        var rows = Regex.Matches(text, @"^(IVT\d+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|", RegexOptions.Multiline)
            .Select(m => (Id: m.Groups[1].Value, Category: m.Groups[2].Value, Severity: m.Groups[3].Value)).ToList();
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(Descriptors.All.Select(d => (d.Id, d.Category, d.DefaultSeverity.ToString())).OrderBy(x => x.Id),
            rows.Select(r => (r.Id, r.Category, r.Severity)).OrderBy(x => x.Id));
    }
}
