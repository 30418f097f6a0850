extern alias gen;

using System;
using System.IO;
using System.Linq;
using IvtGen.Loading;
using IvtGen.Tests.Generator;
using IvtGen.Tests.Loading;
using IvtGen.Tests.Support;
using Xunit;

namespace IvtGen.Tests.Cli;

/// <summary>What <c>ivtgen build</c> writes to its manifest comes back whole when the loader reads the folder.</summary>
public sealed class BuildDirectoryTests
{
    [Fact]
    public void Per_vector_metadata_survives_the_manifest_round_trip()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ivtgen-dir-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, err) = LoaderCliTests.Ivtgen("build", Repo.FilePath("samples", "PvIvt"), "-d", "XEN", "-o", dir);
            Assert.True(code == 0, err + stdout);
            var read = IvtBuildDirectory.Read(dir).Table("pv_ivt");
            // The same table built in-process: the generator's own per-vector numbers.
            var built = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(("PvTable.cs", GeneratorHarness.PvSample()))).Tables.Single();
            Assert.Equal(3, built.Images.Count);
            foreach (var image in built.Images)
            {
                var loaded = read[image.Variant]!;
                Assert.Equal(image.Vectors.Count, loaded.Vectors.Count);
                foreach (var (want, got) in image.Vectors.Zip(loaded.Vectors))
                {
                    Assert.Equal((want.Handler, want.Used, want.Capacity), (got.Handler, got.BundlesUsed, got.Capacity));
                    Assert.Equal(want.ParavirtSites, got.ParavirtSites);
                    Assert.Equal(want.Clobbers.ToArray(), got.Clobbers.ToArray());
                    Assert.Equal(want.MovedOutOfLine, got.MovedOutOfLine);
                }
            }
            Assert.Contains(read["xen-alta"]!.Vectors, v => v.Clobbers.Contains("b7"));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
