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
// `vs-gas [N] [ROUNDS]`: Assembler.AssembleFile in process against GNU as whole process, alternating (InProcessVsGas).
if (args.Length >= 1 && args[0] == "vs-gas")
{
    var inv = System.Globalization.CultureInfo.InvariantCulture;
    return InProcessVsGas.Run(args.Length > 1 ? int.Parse(args[1], inv) : AsmListingBenchmarks.N, args.Length > 2 ? int.Parse(args[2], inv) : 21);
}
BenchmarkSwitcher.FromAssembly(typeof(IsaBenchmarks).Assembly).Run(args);
return 0;
