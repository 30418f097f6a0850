using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using IvtGen.Loading;
using IvtGen.Tables;

namespace IvtGen.Cli;

/// <summary>
/// <c>ivtgen verify DIR [--platform native|xen] [--variant V] [--table N] [--prefer-alta]</c>: loads what
/// <c>ivtgen build</c> wrote, selects the variant for the platform, verifies it and says what it chose and why.
/// Exit 0 when every table holds; 1 with every finding listed otherwise.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder ivtgen build wrote (manifest.json, N.V.bin)" };
        var sel = new SelectionOptions();
        var cmd = new Command("verify", "Select the variant for a platform and verify it (digest, layout, decoding, variant rules, branch targets)") { dir };
        sel.AddTo(cmd);
        cmd.SetAction(p => Run(p.GetValue(dir)!, sel.Read(p)));
        return cmd;
    }

    private static int Run(string dir, SelectionOptions.Values sel)
    {
        try
        {
            if (sel.Error is not null) return Fail(sel.Error);
            var build = IvtBuildDirectory.Read(dir);
            var tables = sel.Table is null ? build.Tables : new[] { build.Table(sel.Table) };
            int failed = 0;
            foreach (var set in tables)
            {
                try
                {
                    var loaded = IvtLoader.Load(set, new IvtLoadOptions { Selection = sel.Selection, ExpectedSizes = build.ExpectedSizes(set.Name) });
                    Report(loaded);
                }
                catch (IvtVerificationException e)
                {
                    failed++;
                    Console.Error.WriteLine($"{set.Name}.{e.Variant}: verification failed: {e.Findings.Count} finding(s)");
                    foreach (var f in e.Findings) Console.Error.WriteLine($"{set.Name}.{e.Variant}: error: {f}");
                }
                catch (IvtLoadException e)
                {
                    failed++;
                    Console.Error.WriteLine($"{set.Name}: error: {e.Message}");
                }
            }
            return failed == 0 ? 0 : 1;
        }
        catch (IvtLoadException e) { return Fail(e.Message); }
    }

    private static void Report(LoadedIvt loaded)
    {
        var s = loaded.Selection;
        var img = s.Image;
        int populated = 0;
        foreach (var v in img.Vectors) if (v.Handler.Length > 0) populated++;
        Console.WriteLine($"{img.Table}: platform {s.Platform}");
        Console.WriteLine($"{img.Table}: chose {img.Variant}: {s.Reason}");
        var ext = new List<string>();
        foreach (var kv in loaded.Verified.ExternalAddresses) ext.Add($"{kv.Key}=0x{kv.Value.ToString("x", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"{img.Table}.{img.Variant}: verified: {img.Bytes.Length} bytes ({img.Bytes.Length - IvtImage.TableSize} out of line), " +
            $"{populated} of 68 vectors populated, {img.Bytes.Length / 16} bundles decoded, " +
            $"{img.Relocations.Count} relocations, sha256 {img.Sha256}" + (ext.Count > 0 ? ", externals " + string.Join(" ", ext) : ""));
    }

    internal static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return 1;
    }
}

/// <summary>The selection options verify and link share.</summary>
internal sealed class SelectionOptions
{
    private readonly Option<string?> _platform = new("--platform", "-p") { Description = "native or xen (default: native)" };
    private readonly Option<string?> _variant = new("--variant") { Description = "A variant by name (native, xen-alta, xen-altb)" };
    private readonly Option<string?> _table = new("--table", "-t") { Description = "The table, when the folder holds several" };
    private readonly Option<bool> _preferAltA = new("--prefer-alta") { Description = "On Xen, take AltA (out-of-line stubs) over AltB" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_platform);
        cmd.Options.Add(_variant);
        cmd.Options.Add(_table);
        cmd.Options.Add(_preferAltA);
    }

    public sealed class Values
    {
        public IvtSelectionOptions Selection = new();
        public string? Table;
        public string? Error;
    }

    public Values Read(ParseResult p)
    {
        var v = new Values { Table = p.GetValue(_table) };
        string? platform = p.GetValue(_platform);
        string? variant = p.GetValue(_variant);
        v.Selection.Variant = variant;
        v.Selection.PreferAltA = p.GetValue(_preferAltA);
        switch (platform?.ToLowerInvariant())
        {
            case "native": v.Selection.Platform = IvtPlatform.Native; break;
            case "xen": v.Selection.Platform = IvtPlatform.Xen; break;
            case null:
                // No platform named: the variant says it, or native by default (this tool does not run on the target).
                if (variant is null) v.Selection.Probe = new FixedPlatformProbe(IvtPlatform.Native, "default; --platform xen selects for Xen");
                break;
            default: v.Error = $"--platform '{platform}' is not native or xen"; break;
        }
        return v;
    }
}
