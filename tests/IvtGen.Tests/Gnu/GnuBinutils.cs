using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace IvtGen.Tests.Gnu;

/// <summary>
/// GNU binutils for IA-64, the oracle for every encoding. Missing tools fail the test loudly: a test that
/// needs the oracle never skips or passes without it.
/// </summary>
public static class GnuBinutils
{
    public const string As = "ia64-linux-gnu-as";
    public const string Objcopy = "ia64-linux-gnu-objcopy";
    public const string Objdump = "ia64-linux-gnu-objdump";
    public const string Ld = "ia64-linux-gnu-ld";

    private static readonly Lazy<string> s_dir = new(FindTools);

    private static string FindTools()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, As)) && File.Exists(Path.Combine(dir, Objcopy)))
                return dir;
        throw new InvalidOperationException(
            $"GNU binutils for IA-64 ({As}, {Objcopy}) not found on PATH. They are the oracle for every encoding test; " +
            "install them with: sudo apt-get install -y binutils-ia64-linux-gnu");
    }

    public static string Tool(string name) => Path.Combine(s_dir.Value, name);

    public sealed record AsResult(byte[]? Text, IReadOnlyList<AsMessage> Messages, string Stderr);

    public sealed record AsMessage(int Line, bool IsError, string Text);

    private static readonly Regex s_msg = new(@"^[^:]+:(\d+): (Error|Warning): (.*)$", RegexOptions.Multiline);

    /// <summary>
    /// Assembles <paramref name="source"/> and returns the raw .text bytes. With <paramref name="dvChecks"/> GNU checks
    /// dependencies (<c>-x</c>); without, <c>-xnone</c> (and the source must not say <c>.explicit</c>, which turns checks back on).
    /// </summary>
    public static AsResult Assemble(string source, bool dvChecks = true)
    {
        string dir = Path.Combine(Path.GetTempPath(), "ivtgen-gnu-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string s = Path.Combine(dir, "a.s"), o = Path.Combine(dir, "a.o"), bin = Path.Combine(dir, "a.bin");
            File.WriteAllText(s, source);
            // -mhint.b=ok: GNU refuses hint.b by policy, not by encoding; we still want its bits checked.
            var (code, _, err) = Run(Tool(As), (dvChecks ? "-x" : "-xnone") + $" -mhint.b=ok -o \"{o}\" \"{s}\"");
            var msgs = new List<AsMessage>();
            foreach (Match m in s_msg.Matches(err))
                msgs.Add(new AsMessage(int.Parse(m.Groups[1].Value), m.Groups[2].Value == "Error", m.Groups[3].Value.Trim()));
            if (code != 0 || !File.Exists(o)) return new AsResult(null, msgs, err);
            var (c2, _, err2) = Run(Tool(Objcopy), $"-O binary -j .text \"{o}\" \"{bin}\"");
            if (c2 != 0) throw new InvalidOperationException("objcopy failed: " + err2);
            return new AsResult(File.ReadAllBytes(bin), msgs, err);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    public static (int Code, string Stdout, string Stderr) Run(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + exe);
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
