using System;
using System.IO;
using BenchmarkDotNet.Running;
using IvtGen.Bench;

// `listing N FILE` writes the throughput listing for the whole-process comparison with GNU as (bench/asm-vs-gas.sh).
if (args.Length == 3 && args[0] == "listing")
{
    File.WriteAllText(args[2], Listing.Make(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)));
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(IsaBenchmarks).Assembly).Run(args);
return 0;
