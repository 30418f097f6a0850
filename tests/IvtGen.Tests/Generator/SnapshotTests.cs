using System.Linq;
using System.Runtime.CompilerServices;
using ApprovalTests;
using ApprovalTests.Reporters;
using Xunit;

namespace IvtGen.Tests.Generator;

/// <summary>
/// Snapshots (ApprovalTests) of what the generator produces for the sample table: the GNU as listing of the native
/// image and the generated C#. A change shows up as a diff of the approved files next to this one.
/// </summary>
[UseReporter(typeof(QuietReporter))]
public sealed class SnapshotTests
{
    private static GeneratorHarness.Run Sample() =>
        GeneratorHarness.RunOn(GeneratorHarness.Compile(("NativeTable.cs", GeneratorHarness.Sample("NativeTable.cs"))));

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Native_listing() => Approvals.Verify(Sample().Tables.Single().Images.Single().Listing);

    [Fact]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Generated_csharp() => Approvals.Verify(Sample().Result.Results[0].GeneratedSources.Single().SourceText.ToString());
}
