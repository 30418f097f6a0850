using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using IvtGen.Elf;
using IvtGen.Loading;
using IvtGen.Tables;
using IvtGen.Tests.Support;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>Builds the sample once with <c>ivtgen build</c>; the tests copy that folder and run verify and link on it.</summary>
public sealed class BuiltSample : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "ivtgen-loader-cli-" + Guid.NewGuid().ToString("N"));

    public BuiltSample()
    {
        var (code, stdout, err) = LoaderCliTests.Ivtgen("build", Repo.FilePath("samples", "NativeIvt"), "-o", Dir);
        if (code != 0) throw new InvalidOperationException("ivtgen build failed: " + err + stdout);
    }

    public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
}

/// <summary><c>ivtgen verify</c>, <c>ivtgen link</c> and the object <c>ivtgen build</c> writes, as a user runs them.</summary>
public sealed class LoaderCliTests : IClassFixture<BuiltSample>, IDisposable
{
    private readonly BuiltSample _sample;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ivtgen-loader-" + Guid.NewGuid().ToString("N"));

    public LoaderCliTests(BuiltSample sample)
    {
        _sample = sample;
        Directory.CreateDirectory(_dir);
        foreach (var f in Directory.GetFiles(sample.Dir)) File.Copy(f, Path.Combine(_dir, Path.GetFileName(f)));
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    internal static (int Code, string Out, string Err) Ivtgen(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ivtgen.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        string se = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, so.Result, se);
    }

    private static void NoStackTrace(string text) => Assert.DoesNotContain("   at ", text);

    private string Bin => Path.Combine(_dir, "ia64_ivt.native.bin");

    [Fact]
    public void Build_writes_the_object_of_each_verified_image()
    {
        var dir = IvtBuildDirectory.Read(_dir);
        var image = dir.Table("ia64_ivt")["native"]!;
        Assert.Equal(IvtElf.Write(IvtVerifier.Verify(image)), File.ReadAllBytes(Path.Combine(_dir, "ia64_ivt.native.o")));
    }

    [Fact]
    public void Verify_says_what_it_chose_and_why()
    {
        var (code, stdout, err) = Ivtgen("verify", _dir);
        Assert.True(code == 0, err + stdout);
        Assert.Contains("ia64_ivt: platform native (default; --platform xen selects for Xen)", stdout);
        Assert.Contains("ia64_ivt: chose native: native: the table for bare hardware", stdout);
        Assert.Contains("ia64_ivt.native: verified: 32832 bytes (64 out of line), 4 of 68 vectors populated", stdout);
        Assert.Contains("externals ia64_do_page_fault=0x100000", stdout);
    }

    [Fact]
    public void Verify_for_Xen_without_a_Xen_variant_is_a_clear_error()
    {
        var (code, stdout, err) = Ivtgen("verify", _dir, "--platform", "xen");
        Assert.Equal(1, code);
        Assert.Contains("ia64_ivt: error: table ia64_ivt has no xen-altb or xen-alta variant for platform xen", err);
        Assert.Contains("XEN", err);
        NoStackTrace(err + stdout);
        var (code2, _, err2) = Ivtgen("verify", _dir, "--variant", "xen-altb");
        Assert.Equal(1, code2);
        Assert.Contains("no xen-altb variant", err2);
        var (code3, _, err3) = Ivtgen("verify", _dir, "--platform", "s390");
        Assert.Equal(1, code3);
        Assert.Contains("--platform 's390' is not native or xen", err3);
    }

    [Fact]
    public void Verify_lists_every_finding_of_a_damaged_image()
    {
        var bytes = File.ReadAllBytes(Bin);
        bytes[0x410] = (byte)(bytes[0x410] & ~0x1f | 0x07);  // reserved template
        bytes[0x5000] = 1;                                      // code in an empty entry
        File.WriteAllBytes(Bin, bytes);
        var (code, stdout, err) = Ivtgen("verify", _dir);
        Assert.Equal(1, code);
        Assert.Contains("ia64_ivt.native: verification failed: 3 finding(s)", err);
        Assert.Contains("ia64_ivt.native: error: image: digest: SHA-256", err);
        Assert.Contains("ia64_ivt.native: error: 0x00410 vector 1 ItlbMiss bundle 1: decode: reserved template 0x07", err);
        Assert.Contains("ia64_ivt.native: error: 0x05000 vector 20 PageNotPresent bundle 0: layout: an empty entry holds code", err);
        NoStackTrace(err + stdout);
    }

    [Fact]
    public void Verify_rejects_a_truncated_image_and_a_missing_folder()
    {
        var bytes = File.ReadAllBytes(Bin);
        File.WriteAllBytes(Bin, bytes.AsSpan(0, bytes.Length - 16).ToArray());
        var (code, _, err) = Ivtgen("verify", _dir);
        Assert.Equal(1, code);
        Assert.Contains("the image is 32816 bytes but 32832 were recorded (truncated)", err);
        var (code2, _, err2) = Ivtgen("verify", Path.Combine(_dir, "nope"));
        Assert.Equal(1, code2);
        Assert.Contains("manifest.json: no such file", err2);
        NoStackTrace(err + err2);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("{\"tables\": 5}", "'tables' is not an array")]
    [InlineData("{\"tables\": [{\"table\": \"ia64_ivt\", \"variants\": [{\"variant\": \"native\"}]}]}", "missing 'vectors'")]
    [InlineData("{\"tables\": [{\"table\": \"ia64_ivt\", \"variants\": [{\"variant\": \"xen-altb\"}]}]}", "ia64_ivt.xen-altb.bin: no such file")]
    public void Verify_reports_a_malformed_manifest_in_one_line(string manifest, string message)
    {
        File.WriteAllText(Path.Combine(_dir, "manifest.json"), manifest);
        var (code, stdout, err) = Ivtgen("verify", _dir);
        Assert.Equal(1, code);
        Assert.Contains(message, err);
        NoStackTrace(err + stdout);
    }

    /// <summary>Adds hand-made Xen variants of the table to the folder's manifest, as a build with XEN will.</summary>
    private void AddXenVariants(params string[] variants)
    {
        string manifestPath = Path.Combine(_dir, "manifest.json");
        var root = JsonSerializer.Deserialize<Dictionary<string, List<Dictionary<string, JsonElement>>>>(File.ReadAllText(manifestPath))!;
        var table = root["tables"][0];
        var list = JsonSerializer.Deserialize<List<JsonElement>>(table["variants"].GetRawText())!;
        foreach (var v in variants)
        {
            var image = TestImages.XenLike(v).Image;
            File.WriteAllBytes(Path.Combine(_dir, $"ia64_ivt.{v}.bin"), image.Bytes.ToArray());
            var entry = new
            {
                variant = v,
                sha256 = image.Sha256,
                size = image.Bytes.Length,
                vectors = image.Vectors.Select(x => new { index = x.Index, offset = $"0x{x.Offset:x4}", name = x.Name, handler = x.Handler, bundlesUsed = x.BundlesUsed, capacity = x.Capacity }),
                symbols = image.Symbols.Select(s => new { name = s.Name == "xen_ivt" ? "ia64_ivt" : s.Name, address = $"0x{s.Address:x}" }),
                relocations = image.Relocations.Select(r => new { offset = $"0x{r.Offset:x}", slot = r.Slot, kind = r.Kind, symbol = r.Symbol }),
            };
            list.Add(JsonSerializer.SerializeToElement(entry));
        }
        table["variants"] = JsonSerializer.SerializeToElement(list);
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(root));
    }

    [Fact]
    public void Verify_on_Xen_prefers_AltB_falls_back_to_AltA_and_honours_prefer_alta()
    {
        AddXenVariants("xen-alta");
        var (code, stdout, err) = Ivtgen("verify", _dir, "--platform", "xen");
        Assert.True(code == 0, err);
        Assert.Contains("chose xen-alta: xen-alta (out-of-line stubs): the table has no xen-altb variant, AltA is the fallback", stdout);

        AddXenVariants("xen-altb");
        (code, stdout, err) = Ivtgen("verify", _dir, "--platform", "xen");
        Assert.True(code == 0, err);
        Assert.Contains("chose xen-altb: xen-altb (inline sequences): preferred on Xen", stdout);
        (code, stdout, err) = Ivtgen("verify", _dir, "--platform", "xen", "--prefer-alta");
        Assert.True(code == 0, err);
        Assert.Contains("chose xen-alta: xen-alta (out-of-line stubs): the caller asked for AltA", stdout);
    }

    [Fact]
    public void Verify_catches_a_privileged_instruction_in_a_xen_variant_whose_digest_was_recomputed()
    {
        AddXenVariants("xen-altb");
        string bin = Path.Combine(_dir, "ia64_ivt.xen-altb.bin");
        var bytes = File.ReadAllBytes(bin);
        TestImages.Assemble1("{ .mmi\n\tmov r16=cr.ifa\n\tnop.m 0\n\tnop.i 0 ;;\n}").Write(bytes.AsSpan(0x3000));
        File.WriteAllBytes(bin, bytes);
        string manifest = File.ReadAllText(Path.Combine(_dir, "manifest.json"));
        File.WriteAllText(Path.Combine(_dir, "manifest.json"), manifest.Replace(TestImages.XenLike().Image.Sha256, TestImages.Sha256(bytes)));
        var (code, stdout, err) = Ivtgen("verify", _dir, "--platform", "xen");
        Assert.Equal(1, code);
        Assert.Contains("ia64_ivt.xen-altb: verification failed: 1 finding(s)", err);
        Assert.Contains("0x03000 vector 12 ExternalInterrupt (ext_int) bundle 0 slot 0: variant: 'mov r16=cr.ifa' is privileged", err);
        NoStackTrace(err + stdout);
    }

    [Fact]
    public void Link_writes_what_the_linker_makes_and_reports_its_choices()
    {
        string output = Path.Combine(_dir, "out", "ivt.bin");
        var (code, stdout, err) = Ivtgen("link", _dir, "--iva", "0xa000000100000000", "--symbol", "ia64_do_page_fault=0xa000000200000000", "-o", output);
        Assert.True(code == 0, err + stdout);
        var verified = IvtVerifier.Verify(IvtBuildDirectory.Read(_dir).Table(null)["native"]!);
        var linked = IvtLinker.Link(verified, new IvtLinkOptions { Iva = 0xa000000100000000, Symbols = { ["ia64_do_page_fault"] = 0xa000000200000000 } });
        Assert.Equal(linked.ToContiguous(), File.ReadAllBytes(output));
        Assert.Contains("linked: table at 0xa000000100000000, out-of-line code (64 bytes) at 0xa000000100008000, 6 slots relocated, verified again", stdout);

        (code, stdout, err) = Ivtgen("link", _dir, "--iva", "0xa000000100000000", "--out-of-line", "0xa000000100100000", "-o", output);
        Assert.True(code == 0, err + stdout);
        Assert.Contains("note: external ia64_do_page_fault keeps its build-time address 0x100000", stdout);
        Assert.Equal(0x8000, new FileInfo(output).Length);
        Assert.Equal(64, new FileInfo(Path.Combine(_dir, "out", "ivt.ool.bin")).Length);
    }

    [Fact]
    public void Link_refuses_an_unaligned_IVA_and_bad_arguments()
    {
        string output = Path.Combine(_dir, "bad.bin");
        var (code, stdout, err) = Ivtgen("link", _dir, "--iva", "0xa000000100004000", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("IVA 0xa000000100004000 is not 32 KiB aligned", err);
        Assert.False(File.Exists(output));
        (code, _, err) = Ivtgen("link", _dir, "--iva", "0x8000", "--symbol", "nonsense", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("--symbol 'nonsense' is not NAME=ADDR", err);
        (code, _, err) = Ivtgen("link", _dir, "--iva", "0x8000", "--symbol", "page_fault=0x9000", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("symbol page_fault is defined by the image", err);
        NoStackTrace(err + stdout);
    }

    [Fact]
    public void A_Xen_table_using_pv_mov_from_itc_builds_and_verifies_with_the_CLI()
    {
        string src = Path.Combine(_dir, "itc");
        string outDir = Path.Combine(_dir, "itc-out");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "ItcTable.cs"), TestImages.ItcTableSource);
        // build verifies each image before writing its object: the ar.itc reads must pass there too.
        var (code, stdout, err) = Ivtgen("build", src, "--define", "XEN", "-o", outDir);
        Assert.True(code == 0, err + stdout);
        Assert.True(File.Exists(Path.Combine(outDir, "itc_ivt.xen-alta.o")) && File.Exists(Path.Combine(outDir, "itc_ivt.xen-altb.o")));
        foreach (var (args, chose) in new[] { (new[] { "--platform", "xen" }, "xen-altb"), (new[] { "--platform", "xen", "--prefer-alta" }, "xen-alta") })
        {
            (code, stdout, err) = Ivtgen(new[] { "verify", outDir }.Concat(args).ToArray());
            Assert.True(code == 0, err + stdout);
            Assert.Contains($"itc_ivt.{chose}: verified", stdout);
        }
    }
}
