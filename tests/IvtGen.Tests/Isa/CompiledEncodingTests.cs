using System;
using System.Collections.Generic;
using System.Linq;
using IvtGen.Isa;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// The compiled encoding (<see cref="InstructionEncoder.TryEncodeFast(Form, int, ReadOnlySpan{long}, out InsnWord)"/>)
/// against the general one, form by form: for valid operands of every form of the table and for those operands with
/// one or two values replaced by a field's corners, the edges of its range, values of other kinds and sizes, and
/// equal or paired registers, it must accept exactly what the general encoding accepts and give the same word,
/// from longs and from the ints the assembler stores. GnuRoundTripTests pins the general encoding's words to GNU as.
/// </summary>
public sealed class CompiledEncodingTests
{
    private readonly ITestOutputHelper _out;

    public CompiledEncodingTests(ITestOutputHelper output) => _out = output;

    private const int TuplesPerForm = 160;

    [Fact]
    public void Every_form_encodes_as_the_general_encoding_does()
    {
        var rng = new Random(20260412);
        var failures = new List<string>();
        int compiled = 0, accepted = 0, refused = 0;
        foreach (var form in InstructionTable.Forms)
        {
            bool has = InstructionEncoder.HasCompiledEncoding(form);
            if (has) compiled++;
            var valid = Enumerable.Range(0, 4).Select(mode => FormSamples.Make(form, rng, mode)).OfType<Instruction>().ToList();
            if (valid.Count == 0)
            {
                failures.Add($"{form}: no valid sample");
                continue;
            }
            for (int t = 0; t < TuplesPerForm && failures.Count < 20; t++)
            {
                var from = valid[t % valid.Count];
                var values = (long[])from.Values.Clone();
                int qp = t < valid.Count ? from.Qp : Qp(rng);
                if (t >= valid.Count) Mutate(form, values, rng);
                string? general = InstructionEncoder.TryEncodeGeneral(form, qp, values, out var expected);
                bool fast = InstructionEncoder.TryEncodeFast(form, qp, values, out var word);
                string tuple = $"{form} qp {qp} ({string.Join(", ", values)})";
                if (!has)
                {
                    if (fast) failures.Add($"{tuple}: encoded by a form that has no compiled encoding");
                    continue;
                }
                if (general is null) accepted++;
                else refused++;
                if (fast != (general is null)) failures.Add($"{tuple}: compiled {(fast ? "accepts" : "refuses")}, general says {general ?? "ok"}");
                else if (fast && !word.Equals(expected)) failures.Add($"{tuple}: compiled {word}, general {expected}");
                CheckStored(form, qp, values, fast, word, tuple, failures);
            }
        }
        _out.WriteLine($"{compiled} of {InstructionTable.Forms.Count} forms compiled; {accepted} tuples accepted, {refused} refused");
        Assert.Empty(failures);
        // Both answers must have been asked for, or the comparison proves little.
        Assert.True(accepted > 10 * compiled && refused > 10 * compiled, $"{accepted} accepted, {refused} refused");
    }

    [Fact]
    public void Every_form_compiles_unless_its_codec_computes()
    {
        // What the compiled encoding cannot take over is a codec that is not rules and lookups (IFormCodecRules).
        var missing = InstructionTable.Forms
            .Where(f => !InstructionEncoder.HasCompiledEncoding(f) && (f.Codec is null || f.Codec is IFormCodecRules))
            .Select(f => f.ToString()).ToList();
        Assert.Empty(missing);
    }

    /// <summary>The ints the assembler would store for <paramref name="values"/> give the same answer, or a refusal where one is wide.</summary>
    private static void CheckStored(Form form, int qp, long[] values, bool fast, InsnWord word, string tuple, List<string> failures)
    {
        var stored = new int[values.Length];
        bool wide = false;
        for (int i = 0; i < values.Length; i++)
        {
            bool fits = values[i] > int.MinValue && values[i] <= int.MaxValue;
            stored[i] = fits ? (int)values[i] : ParsedSource.WideValue;
            wide |= !fits;
        }
        bool fromStored = InstructionEncoder.TryEncodeFast(form, qp, stored, out var storedWord);
        if (fromStored && (!fast || !storedWord.Equals(word))) failures.Add($"{tuple}: from stored ints {storedWord}, from longs {(fast ? word.ToString() : "refused")}");
        else if (!fromStored && fast && !wide) failures.Add($"{tuple}: refused from stored ints only");
    }

    private static int Qp(Random rng) => rng.Next(8) switch
    {
        0 => 0,
        1 => 64 + rng.Next(200),
        2 => -1 - rng.Next(100),
        _ => rng.Next(1, 64),
    };

    /// <summary>Replaces one or two values: by a value telling for operand kinds and fields, or by another operand's value.</summary>
    private static void Mutate(Form form, long[] values, Random rng)
    {
        var ops = form.Operands;
        if (ops.Length == 0) return; // only the qp varies
        for (int n = rng.Next(1, 3); n > 0; n--)
        {
            int i = rng.Next(ops.Length);
            if (rng.Next(4) == 0 && ops.Length > 1)
            {
                // Register rules: the same register as another operand, or its neighbour, or one a bank away.
                int j = rng.Next(ops.Length);
                values[i] = values[j] + rng.Next(3) switch { 0 => 0, 1 => 1, _ => 32 };
            }
            else values[i] = Telling(ops[i], values[i], rng);
        }
    }

    /// <summary>A value near an edge of what <paramref name="op"/> takes, or of any field, or nowhere near it.</summary>
    private static long Telling(OperandSpec op, long current, Random rng)
    {
        var candidates = new List<long> { 0, 1, -1, 2, 31, 32, 63, 64, 127, 128, 255, 256, 0x1ff, 0x200, 0xffff, 0x10000,
            int.MaxValue, int.MinValue, int.MinValue + 1, 0x80000000L, 0xffffffffL, 0x100000000L, 0xffffff80L, 0xffffff7fL,
            long.MinValue, long.MaxValue, long.MinValue + 1, current + 1, current - 1, current + 16, current ^ 1, -current,
            rng.Next(-300, 300), ((long)rng.Next() << 32) ^ rng.Next() };
        if (op.Field is { } field)
        {
            // The values the field's corners stand for (and the sign boundary), and their neighbours.
            ulong mask = BitRange.Mask(field.Width);
            foreach (ulong stored in new[] { 0UL, mask, mask >> 1, (mask >> 1) + 1 })
            {
                long v = op.Kind == OperandKind.ImmSet ? (long)stored : op.FromStored(stored);
                candidates.AddRange(new[] { v, v - 1, v + 1, v << 1 });
            }
        }
        if (op.Excluded is { } excluded) candidates.AddRange(new[] { excluded, excluded - 1, excluded + 1 });
        if (op.ValueSet is { } set) foreach (long v in set) candidates.AddRange(new[] { v, v + 1 });
        if (op.MinReg > 0) candidates.AddRange(new long[] { op.MinReg - 1, op.MinReg });
        if (op.Symbols is { } symbols) candidates.AddRange(Enumerable.Range(0, symbols.Length + 1).Select(v => (long)v));
        candidates.AddRange(new[] { op.K, op.K + 1, op.K - 1, op.MirrorK, op.MirrorK + 1 });
        return candidates[rng.Next(candidates.Count)];
    }
}
