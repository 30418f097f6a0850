using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace IvtGen.Tests.Support;

/// <summary>Runs tools as a user would: the built ivtgen, dotnet itself.</summary>
public static class Processes
{
    public static (int Code, string Out, string Err) Run(string exe, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + exe);
        var so = p.StandardOutput.ReadToEndAsync();
        string se = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, so.Result, se);
    }

    /// <summary>The ivtgen tool built next to the tests.</summary>
    public static (int Code, string Out, string Err) Ivtgen(params string[] args) =>
        Run("dotnet", Repo.Root, new[] { Path.Combine(AppContext.BaseDirectory, "ivtgen.dll") }.Concat(args).ToArray());
}
