using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using IvtGen.Isa;

namespace IvtGen.Cli;

/// <summary><c>ivtgen disasm IN.bin [--listing]</c>: GNU as source that reassembles to the input, or an objdump-like listing.</summary>
internal static class DisasmCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Raw bundles (e.g. objcopy -O binary -j .text)" };
        var listing = new Option<bool>("--listing", "-l") { Description = "Print an objdump-like listing with addresses and bytes" };
        var baseAddr = new Option<string?>("--base") { Description = "Address of the first byte (hex with 0x, or decimal); default 0" };
        var cmd = new Command("disasm", "Disassemble raw IA-64 bundles") { input, listing, baseAddr };
        cmd.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(listing), parse.GetValue(baseAddr)));
        return cmd;
    }

    private static int Run(FileInfo file, bool listing, string? baseText)
    {
        long baseAddress = 0;
        if (baseText is not null && !Numbers.TryParse(baseText, out baseAddress))
        {
            Console.Error.WriteLine($"error: --base '{baseText}' is not a number");
            return 1;
        }
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file.FullName); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{file}: error: cannot read: {e.Message}");
            return 1;
        }
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(bytes, baseAddress, errors);
        foreach (var e in errors) Console.Error.WriteLine($"{file}: {e}");
        if (errors.Count > 0) return 1;
        Console.Out.Write(listing ? Disassembler.ToListing(bundles) : Disassembler.ToSource(bundles));
        return 0;
    }
}
