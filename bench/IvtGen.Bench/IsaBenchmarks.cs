using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using IvtGen.Isa;

namespace IvtGen.Bench;

/// <summary>Encoder+bundler and decoder throughput; divide N by the mean time for instructions per second.</summary>
[MemoryDiagnoser]
public class IsaBenchmarks
{
    public const int N = 30_000;
    private string _source = "";
    private byte[] _code = Array.Empty<byte>();
    private List<Instruction> _instructions = new();

    [GlobalSetup]
    public void Setup()
    {
        _source = Listing.Make(N);
        var r = Assembler.Assemble(_source);
        if (r.HasErrors) throw new InvalidOperationException(r.Diagnostics[0].ToString());
        _code = r.Code;
        foreach (var b in r.Bundles)
            for (int s = 0; s < 3; s++)
                if (!b.Slots[s].IsDefault && !Nops.IsNop(b.Slots[s])) _instructions.Add(b.Slots[s]);
    }

    /// <summary>Text to bytes: parse, choose forms, bundle, resolve, encode, check groups.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int Assemble() => Assembler.Assemble(_source).Code.Length;

    /// <summary>Encoding alone, from already-chosen forms.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public ulong Encode()
    {
        ulong x = 0;
        foreach (var ins in _instructions) x ^= InstructionEncoder.Encode(ins).Slot;
        return x;
    }

    /// <summary>Bytes to instructions: templates, slots, form lookup, operand extraction.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int Decode()
    {
        var errors = new List<DecodeError>();
        return Disassembler.Decode(_code, 0, errors).Count;
    }
}
