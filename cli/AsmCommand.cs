using System;
using System.CommandLine;
using System.IO;
using IvtGen.Isa;

namespace IvtGen.Cli;

/// <summary><c>ivtgen asm IN.s -o OUT.bin</c>: GNU as syntax in, the raw bundles of .text out.</summary>
internal static class AsmCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Assembly source (GNU as syntax for IA-64)" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the raw .text bytes (default: input with .bin)" };
        var cmd = new Command("asm", "Assemble IA-64 source into raw bundles") { input, output };
        cmd.SetAction(parse =>
        {
            var file = parse.GetValue(input)!;
            var outFile = parse.GetValue(output) ?? new FileInfo(Path.ChangeExtension(file.FullName, ".bin"));
            return Run(file, outFile);
        });
        return cmd;
    }

    private static int Run(FileInfo file, FileInfo outFile)
    {
        AssemblyResult result;
        try
        {
            // Read as File.ReadAllText would (UTF-8 unless a byte order mark says otherwise); a long file is assembled
            // in parts side by side, each decoding its own bytes.
            result = Assembler.AssembleFile(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{file.Name}: error: cannot read: {e.Message}");
            return 1;
        }
        foreach (var d in result.Diagnostics) Console.Error.WriteLine(d.ToString(file.ToString()));
        if (result.HasErrors) return 1;
        try { File.WriteAllBytes(outFile.FullName, result.CodeSpan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{outFile}: error: cannot write: {e.Message}");
            return 1;
        }
        return 0;
    }
}
