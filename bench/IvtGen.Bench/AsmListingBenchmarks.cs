using System.IO;
using BenchmarkDotNet.Attributes;
using IvtGen.Isa;

namespace IvtGen.Bench;

/// <summary>
/// The in-process half of issue 2's comparison: Assembler.Assemble on the 600k-instruction listing that
/// bench/asm-vs-gas.sh gives both assemblers, in ns per instruction. The reader is how `ivtgen asm` reads a file.
/// </summary>
[MemoryDiagnoser]
public class AsmListingBenchmarks
{
    public const int N = 600_000;
    private string _source = "";

    [GlobalSetup]
    public void Setup() => _source = Listing.Make(N);

    [Benchmark(OperationsPerInvoke = N)]
    public int AssembleString() => Assembler.Assemble(_source).Code.Length;

    [Benchmark(OperationsPerInvoke = N)]
    public int AssembleReader() => Assembler.Assemble(new StringReader(_source), _source.Length).Code.Length;
}
