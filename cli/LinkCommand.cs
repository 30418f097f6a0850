using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using IvtGen.Loading;
using IvtGen.Tables;

namespace IvtGen.Cli;

/// <summary>
/// <c>ivtgen link DIR --iva ADDR [--symbol NAME=ADDR]... [--out-of-line ADDR] -o OUT.bin</c>: selects and verifies a
/// variant as <c>verify</c> does, places the table at IVA and the out-of-line code after it (or at --out-of-line),
/// resolves relocations, verifies the placed image again and writes it. Exit 0, or 1 with every finding listed.
/// </summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Folder ivtgen build wrote (manifest.json, N.V.bin)" };
        var iva = new Option<string>("--iva") { Description = "Address of the table (32 KiB aligned), hex with 0x or decimal", Required = true };
        var ool = new Option<string?>("--out-of-line") { Description = "Address of the out-of-line code (default: right after the table); written to OUT.ool.bin" };
        var symbols = new Option<string[]>("--symbol", "-s") { Description = "External symbol address NAME=ADDR; repeatable" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output file: the linked bytes from IVA", Required = true };
        var sel = new SelectionOptions();
        var cmd = new Command("link", "Place a verified table at an IVA, resolve its relocations, verify again and write the bytes") { dir, iva, ool, symbols, output };
        sel.AddTo(cmd);
        cmd.SetAction(p => Run(p.GetValue(dir)!, p.GetValue(iva)!, p.GetValue(ool), p.GetValue(symbols) ?? Array.Empty<string>(), p.GetValue(output)!, sel.Read(p)));
        return cmd;
    }

    private static int Run(string dir, string ivaText, string? oolText, string[] symbolArgs, FileInfo output, SelectionOptions.Values sel)
    {
        if (sel.Error is not null) return VerifyCommand.Fail(sel.Error);
        if (!TryParseAddress(ivaText, out ulong iva)) return VerifyCommand.Fail($"--iva '{ivaText}' is not an address");
        ulong? ool = null;
        if (oolText is not null)
        {
            if (!TryParseAddress(oolText, out ulong o)) return VerifyCommand.Fail($"--out-of-line '{oolText}' is not an address");
            ool = o;
        }
        var link = new IvtLinkOptions { Iva = iva, OutOfLineAddress = ool };
        foreach (var s in symbolArgs)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0 || !TryParseAddress(s.Substring(eq + 1), out ulong a)) return VerifyCommand.Fail($"--symbol '{s}' is not NAME=ADDR");
            link.Symbols[s.Substring(0, eq)] = a;
        }

        IvtTableSet set;
        LoadedIvt loaded;
        try
        {
            var build = IvtBuildDirectory.Read(dir);
            set = build.Table(sel.Table);
            loaded = IvtLoader.Load(set, new IvtLoadOptions { Selection = sel.Selection, ExpectedSizes = build.ExpectedSizes(set.Name), Link = link });
        }
        catch (IvtVerificationException e)
        {
            Console.Error.WriteLine($"{e.Table}.{e.Variant}: verification failed: {e.Findings.Count} finding(s)");
            foreach (var f in e.Findings) Console.Error.WriteLine($"{e.Table}.{e.Variant}: error: {f}");
            return 1;
        }
        catch (IvtLoadException e) { return VerifyCommand.Fail(e.Message); }

        var linked = loaded.Linked!;
        var img = loaded.Selection.Image;
        string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);
        try
        {
            if (output.Directory is { } d) d.Create();
            if (linked.IsContiguous) File.WriteAllBytes(output.FullName, linked.ToContiguous());
            else
            {
                File.WriteAllBytes(output.FullName, linked.Ivt);
                File.WriteAllBytes(OutOfLinePath(output.FullName), linked.OutOfLine);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return VerifyCommand.Fail($"{output.FullName}: cannot write: {e.Message}");
        }
        Console.WriteLine($"{img.Table}: platform {loaded.Selection.Platform}");
        Console.WriteLine($"{img.Table}: chose {img.Variant}: {loaded.Selection.Reason}");
        foreach (var n in linked.Notes) Console.WriteLine($"{img.Table}.{img.Variant}: note: {n}");
        Console.WriteLine($"{img.Table}.{img.Variant}: linked: table at {Hex(linked.Iva)}, out-of-line code ({linked.OutOfLine.Length} bytes) at {Hex(linked.OutOfLineAddress)}, " +
            $"{linked.PatchedSlots} slots relocated, verified again");
        Console.WriteLine(linked.IsContiguous ? $"wrote {output.FullName}" : $"wrote {output.FullName} and {OutOfLinePath(output.FullName)}");
        return 0;
    }

    internal static string OutOfLinePath(string output) =>
        Path.Combine(Path.GetDirectoryName(output) ?? "", Path.GetFileNameWithoutExtension(output) + ".ool" + Path.GetExtension(output));

    /// <summary>A 64-bit address: 0x-prefixed hex or decimal.</summary>
    internal static bool TryParseAddress(string s, out ulong value)
    {
        s = s.Replace("_", "");
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
