extern alias gen;

using System.Collections.Generic;
using System.Linq;
using gen::IvtGen.Generator;
using gen::IvtGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace IvtGen.Tests.Generator;

/// <summary>
/// The pipeline does only the work an edit calls for: editing a handler re-processes that handler's table and no
/// other; unrelated edits re-run nothing; moving code re-parses but does not rebuild.
/// </summary>
public sealed class IncrementalTests
{
    private const string A = """
        using IvtGen.Dsl;
        namespace T;
        [IvtTable("table_a")]
        public partial class A : IvtCode
        {
            [Vector(IvtVector.VhptMiss)] void V() { adds(r16, 8, r17); stop(); rfi(); stop(); }
            [Vector(IvtVector.ItlbMiss)] void W() { mov(r16, cr.ifa); stop(); rfi(); stop(); }
        }
        """;

    private const string B = """
        using IvtGen.Dsl;
        namespace T;
        [IvtTable("table_b")]
        public partial class B : IvtCode
        {
            [Vector(IvtVector.DtlbMiss)] void X() { mov(r18, cr.iha); stop(); rfi(); stop(); }
        }
        """;

    /// <summary>Reasons per table key for a tracked step's outputs.</summary>
    private static Dictionary<string, IncrementalStepRunReason> Reasons(GeneratorDriverRunResult r, string step) =>
        r.Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).ToDictionary(o => Key(o.Value), o => o.Reason);

    private static string Key(object value) => value switch
    {
        ParseResult p => p.Key,
        TableSpec s => s.Key,
        BuiltTable b => b.Key,
        _ => value.ToString()!,
    };

    private static (GeneratorDriver, Compilation) First()
    {
        var c = GeneratorHarness.Compile(("A.cs", A), ("B.cs", B));
        var run = GeneratorHarness.RunOn(c);
        Assert.Empty(run.Diagnostics);
        Assert.Equal(2, run.Tables.Count);
        return (run.Driver, c);
    }

    private static Compilation Replace(Compilation c, string path, string text)
    {
        var old = c.SyntaxTrees.Single(t => t.FilePath == path);
        return c.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.Parse, path));
    }

    [Fact]
    public void Same_compilation_reruns_nothing()
    {
        var (driver, c) = First();
        var r = driver.RunGenerators(c).GetRunResult();
        Assert.All(Reasons(r, IvtGenerator.Steps.Parse).Values, x => Assert.Equal(IncrementalStepRunReason.Cached, x));
        Assert.All(Reasons(r, IvtGenerator.Steps.Build).Values, x => Assert.Equal(IncrementalStepRunReason.Cached, x));
    }

    [Fact]
    public void Editing_one_handler_rebuilds_only_its_table()
    {
        var (driver, c) = First();
        var r = driver.RunGenerators(Replace(c, "A.cs", A.Replace("adds(r16, 8, r17)", "adds(r16, 16, r17)"))).GetRunResult();
        var parse = Reasons(r, IvtGenerator.Steps.Parse);
        Assert.Equal(IncrementalStepRunReason.Modified, parse["T.A"]);
        // Roslyn re-binds attributed classes when the compilation changes; B's parse result comes out equal.
        Assert.Contains(parse["T.B"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        var build = Reasons(r, IvtGenerator.Steps.Build);
        Assert.Equal(IncrementalStepRunReason.Modified, build["T.A"]);
        Assert.Equal(IncrementalStepRunReason.Cached, build["T.B"]);
    }

    [Fact]
    public void An_unrelated_edit_reruns_nothing()
    {
        var (driver, c) = First();
        var c2 = c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace T; public class Unrelated { public int X => 42; }", GeneratorHarness.Parse, "C.cs"));
        var r = driver.RunGenerators(c2).GetRunResult();
        Assert.All(Reasons(r, IvtGenerator.Steps.Parse).Values, x => Assert.Contains(x, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(Reasons(r, IvtGenerator.Steps.Spec).Values, x => Assert.Contains(x, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(Reasons(r, IvtGenerator.Steps.Build).Values, x => Assert.Equal(IncrementalStepRunReason.Cached, x));
    }

    [Fact]
    public void Moving_code_reparses_but_does_not_rebuild()
    {
        var (driver, c) = First();
        var r = driver.RunGenerators(Replace(c, "A.cs", "// a comment that moves every line down\n\n" + A)).GetRunResult();
        Assert.Equal(IncrementalStepRunReason.Modified, Reasons(r, IvtGenerator.Steps.Parse)["T.A"]);
        Assert.Equal(IncrementalStepRunReason.Unchanged, Reasons(r, IvtGenerator.Steps.Spec)["T.A"]);
        Assert.All(Reasons(r, IvtGenerator.Steps.Build).Values, x => Assert.Equal(IncrementalStepRunReason.Cached, x));
    }
}
