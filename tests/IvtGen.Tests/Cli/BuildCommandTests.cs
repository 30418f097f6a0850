using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using IvtGen.Tests.Gnu;
using IvtGen.Tests.Support;
using static IvtGen.Tests.Support.Processes;
using Xunit;

namespace IvtGen.Tests.Cli;

/// <summary><c>ivtgen build</c> as a user runs it, and against <c>dotnet build</c> of the same sample.</summary>
public sealed class BuildCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ivtgen-build-" + Guid.NewGuid().ToString("N"));

    public BuildCommandTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void Build_writes_image_listing_and_manifest_and_the_listing_reassembles_to_the_image()
    {
        var (code, stdout, err) = Ivtgen("build", Repo.FilePath("samples", "NativeIvt"), "-o", _dir);
        Assert.True(code == 0, err + stdout);
        byte[] bin = File.ReadAllBytes(Path.Combine(_dir, "ia64_ivt.native.bin"));
        Assert.True(bin.Length >= 0x8000);
        var gnu = GnuBinutils.Assemble(File.ReadAllText(Path.Combine(_dir, "ia64_ivt.native.S")));
        Assert.True(gnu.Text is not null, gnu.Stderr);
        Assert.Equal(bin, gnu.Text);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "manifest.json")));
        var variant = manifest.RootElement.GetProperty("tables")[0].GetProperty("variants")[0];
        Assert.Equal("native", variant.GetProperty("variant").GetString());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bin)).ToLowerInvariant(), variant.GetProperty("sha256").GetString());
        Assert.Equal(68, variant.GetProperty("vectors").GetArrayLength());
    }

    [Fact]
    public void Errors_print_like_the_compiler_with_exit_code_1()
    {
        string src = Path.Combine(_dir, "Bad.cs");
        File.WriteAllText(src, "using IvtGen.Dsl;\n[IvtTable] public partial class Bad : IvtCode {\n  [Vector(0x0410)] void V() { rfi(); stop(); }\n  [Vector(0)] void W() { adds(r1, 100000, r2); stop(); }\n}\n");
        var (code, _, err) = Ivtgen("build", src, "-o", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains($"{src}(3,4): error IVT003:", err);
        Assert.Contains($"{src}(4,26): error IVT007:", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void A_missing_external_symbol_is_an_error_naming_it_and_symbol_gives_it()
    {
        string src = Path.Combine(_dir, "Ext.cs");
        File.WriteAllText(src, "using IvtGen.Dsl;\n[IvtTable(\"ext\"), IvtExtern(\"handler\")] public partial class Ext : IvtCode {\n  [Vector(0)] void V() { br_sptk_many(\"handler\"); stop(); }\n}\n");
        var (code, _, err) = Ivtgen("build", src, "-o", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("handler", err);
        var (code2, _, err2) = Ivtgen("build", src, "--symbol", "handler=0x9000", "-o", Path.Combine(_dir, "out"));
        Assert.True(code2 == 0, err2);
        Assert.True(File.Exists(Path.Combine(_dir, "out", "ext.native.bin")));
    }

    [Fact]
    public void Dotnet_build_of_the_sample_and_ivtgen_build_give_the_same_image()
    {
        string project = Repo.FilePath("samples", "NativeIvt", "NativeIvt.csproj");
        var (code, stdout, err) = Run("dotnet", Repo.Root, "build", project, "-c", "Release", "-nologo", "-v", "q");
        Assert.True(code == 0, stdout + err);
        // The sample sets EmitCompilerGeneratedFiles, so the generator's output is on disk under obj/.
        string generated = Directory.GetFiles(Repo.FilePath("samples", "NativeIvt", "obj", "Release"), "Samples.NativeTable.g.cs", SearchOption.AllDirectories).Single();
        string sha = Regex.Match(File.ReadAllText(generated), "NativeSha256 = \"([0-9a-f]{64})\"").Groups[1].Value;

        var (icode, _, ierr) = Ivtgen("build", Repo.FilePath("samples", "NativeIvt"), "-o", Path.Combine(_dir, "out"));
        Assert.True(icode == 0, ierr);
        byte[] bin = File.ReadAllBytes(Path.Combine(_dir, "out", "ia64_ivt.native.bin"));
        Assert.Equal(sha, Convert.ToHexString(SHA256.HashData(bin)).ToLowerInvariant());
    }
}
