using System;
using System.Diagnostics;
using System.IO;

namespace IvtGen.Cli;

/// <summary>
/// Runs <c>ivtgen build</c> in <c>ivtgen-build</c>, the managed companion beside this executable. <c>build</c> hosts
/// Roslyn and the source generator, which NativeAOT cannot compile; keeping it out of <c>ivtgen</c> lets <c>ivtgen</c>
/// itself be native, so asm/disasm/verify/link start in milliseconds instead of half a second of JIT. The companion
/// gets the same command line and this process's standard streams, and its exit code is ours.
/// </summary>
internal static class BuildCompanion
{
    public const string Name = "ivtgen-build";

    public static int Run(string[] args)
    {
        string dir = AppContext.BaseDirectory;
        string dll = Path.Combine(dir, Name + ".dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"ivtgen: error: 'build' runs in the companion {Name}.dll, which is not in {dir}. " +
                $"Build or publish cli/ (its publish puts {Name} beside ivtgen), or run 'dotnet run --project cli -- build …'.");
            return 1;
        }
        var psi = new ProcessStartInfo { UseShellExecute = false };
        string apphost = Path.Combine(dir, OperatingSystem.IsWindows() ? Name + ".exe" : Name);
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet ivtgen.dll`: the same host runs the companion, whatever runtime it found.
            psi.FileName = self;
            psi.ArgumentList.Add(dll);
        }
        else if (File.Exists(apphost)) psi.FileName = apphost;
        else
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(dll);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            Console.Error.WriteLine($"ivtgen: error: cannot start {psi.FileName} for 'build': {e.Message}");
            return 1;
        }
    }
}
