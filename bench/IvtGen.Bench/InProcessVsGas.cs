using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using IvtGen.Isa;

namespace IvtGen.Bench;

/// <summary>
/// The in-process half of issue 2's comparison, alternating with GNU as so that both see the same machine: on a shared
/// virtual machine the speed of a core swings by a third from minute to minute, more than BenchmarkDotNet's runs
/// (minutes apart from GNU as's) can tell from a real change. Each round times one whole-process run of
/// <c>ia64-linux-gnu-as -x</c> and then one <see cref="Assembler.AssembleFile"/> in this warmed-up process, and the
/// ratio is taken per round. Run as <c>dotnet run -c Release --project bench/IvtGen.Bench -- vs-gas [N] [ROUNDS]</c>.
/// </summary>
internal static class InProcessVsGas
{
    public static int Run(int n, int rounds)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"ivtgen-vs-gas-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            string source = Path.Combine(dir, "listing.s"), obj = Path.Combine(dir, "gas.o");
            File.WriteAllText(source, Listing.Make(n));
            // Warm-up: the JIT's tiers and the pool's tables, as BenchmarkDotNet would before it measures.
            int bytes = 0;
            for (int i = 0; i < 15; i++) bytes = Assembler.AssembleFile(source).CodeSpan.Length;
            var gas = new List<double>();
            var ours = new List<double>();
            Console.WriteLine($"{n:N0} instructions, {bytes / 16:N0} bundles; round: GNU as whole process, Assembler.AssembleFile in process");
            for (int r = 0; r < rounds; r++)
            {
                // This process idle first: the thread pool's workers spin a while after work, on the cores GNU as needs.
                System.Threading.Thread.Sleep(300);
                gas.Add(TimeGas(source, obj));
                var sw = Stopwatch.StartNew();
                int length = Assembler.AssembleFile(source).CodeSpan.Length;
                ours.Add(sw.Elapsed.TotalMilliseconds);
                if (length != bytes) throw new InvalidOperationException("the listing assembled to a different length");
                Console.WriteLine($"round {r + 1,2}: GNU as {gas[r],6:F1} ms, in process {ours[r],6:F1} ms ({1e6 * ours[r] / n,5:F1} ns per instruction), {gas[r] / ours[r],5:F1}x");
            }
            double mg = Median(gas), mo = Median(ours), ratio = Median(gas.Zip(ours, (g, o) => g / o).ToList());
            Console.WriteLine($"median: GNU as {mg:F1} ms, in process {mo:F1} ms ({1e6 * mo / n:F1} ns per instruction); median of the rounds' ratios {ratio:F1}x");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"vs-gas: {e.Message} (is binutils-ia64-linux-gnu installed? scripts/setup.sh installs it)");
            return 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// One whole-process run of GNU as, timed by bash as bench/asm-vs-gas.sh times it from a shell (a process started
    /// from this one, a few hundred megabytes, would be charged for copying its mappings).
    /// </summary>
    private static double TimeGas(string source, string obj)
    {
        var info = new ProcessStartInfo("bash", new[] { "-c", "TIMEFORMAT=%3R; time ia64-linux-gnu-as -x -o \"$1\" \"$2\"", "vs-gas", obj, source })
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        using var p = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (p.ExitCode != 0 || lines.Length == 0 || !double.TryParse(lines[^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds))
            throw new InvalidOperationException($"ia64-linux-gnu-as failed (exit {p.ExitCode}): {err.Trim()}");
        return seconds * 1000;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
