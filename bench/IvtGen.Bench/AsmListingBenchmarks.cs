using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using IvtGen.Isa;

namespace IvtGen.Bench;

/// <summary>
/// The in-process half of issue 2's comparison: Assembler.Assemble on the 600k-instruction listing that
/// bench/asm-vs-gas.sh gives both assemblers, in ns per instruction. AssembleFile is how `ivtgen asm` reads a file
/// (mapped, in parts side by side); the string is the same text in memory; the reader is the one-buffer-at-a-time path.
/// </summary>
[MemoryDiagnoser]
public class AsmListingBenchmarks
{
    public const int N = 600_000;
    private string _source = "";
    private string _file = "";

    [GlobalSetup]
    public void Setup()
    {
        _source = Listing.Make(N);
        _file = Path.Combine(Path.GetTempPath(), $"ivtgen-bench-{Environment.ProcessId}.s");
        File.WriteAllText(_file, _source);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    [Benchmark(OperationsPerInvoke = N)]
    public int AssembleFile() => Assembler.AssembleFile(_file).CodeSpan.Length;

    [Benchmark(OperationsPerInvoke = N)]
    public int AssembleString() => Assembler.Assemble(_source).Code.Length;

    [Benchmark(OperationsPerInvoke = N)]
    public int AssembleReader() => Assembler.Assemble(new StringReader(_source), _source.Length).Code.Length;
}
