using System;
using System.CommandLine;
using System.IO;

namespace IvtGen.Cli;

/// <summary>
/// The syntax of <c>ivtgen build PATH... [--define SYMBOL]... [--symbol NAME=ADDR]... [-o DIR]</c>, compiled into both
/// <c>ivtgen</c> (which checks the command line and shows help, then hands the whole command line to its companion
/// <c>ivtgen-build</c>: see <see cref="BuildCompanion"/>) and <c>ivtgen-build</c> (which runs it): one definition,
/// so both accept exactly the same arguments.
/// </summary>
internal static class BuildCommandLine
{
    public static Command Create(Func<string[], string[], string[], DirectoryInfo, int> run)
    {
        var paths = new Argument<string[]>("paths") { Description = "C# DSL source files or folders (searched for *.cs)", Arity = ArgumentArity.OneOrMore };
        var defines = new Option<string[]>("--define", "-d") { Description = "Preprocessor symbol (e.g. XEN); repeatable", AllowMultipleArgumentsPerToken = false };
        var symbols = new Option<string[]>("--symbol", "-s") { Description = "External symbol address NAME=ADDR; repeatable" };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Output folder (default: ivt-out)" };
        var cmd = new Command("build", "Compile IVT tables written in the C# DSL into images, listings and a manifest") { paths, defines, symbols, output };
        cmd.SetAction(p => run(p.GetValue(paths)!, p.GetValue(defines) ?? Array.Empty<string>(), p.GetValue(symbols) ?? Array.Empty<string>(),
            p.GetValue(output) ?? new DirectoryInfo("ivt-out")));
        return cmd;
    }
}
