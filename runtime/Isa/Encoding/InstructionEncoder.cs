using System;

namespace IvtGen.Isa;

/// <summary>Encodes an <see cref="Instruction"/> into its slot bits, reading only the form's table row.</summary>
public static class InstructionEncoder
{
    /// <summary>Encodes <paramref name="ins"/>; returns null on success or a message naming the bad operand.</summary>
    public static string? TryEncode(in Instruction ins, out InsnWord word) =>
        TryEncodeFast(ins.Form, ins.Qp, ins.Values, out word) ? null : TryEncode(ins.Form, ins.Qp, ins.Values, ins.Values, out word);

    /// <summary>Encodes an instruction whose values are a slice of some larger store (the assembler keeps them all in one array).</summary>
    internal static string? TryEncode(Form form, int qp, ReadOnlySpan<long> values, out InsnWord word) =>
        TryEncodeFast(form, qp, values, out word) ? null : TryEncode(form, qp, values, null, out word);

    /// <summary>The general encoding alone, which every message comes from (tests hold the compiled one to it).</summary>
    internal static string? TryEncodeGeneral(Form form, int qp, ReadOnlySpan<long> values, out InsnWord word) =>
        TryEncode(form, qp, values, null, out word);

    /// <summary>
    /// Whether <paramref name="form"/> has a compiled encoding (<see cref="CompiledEncoding"/>): a form's table row made
    /// into checks and bit moves. Every form has one except those whose codec computes (alloc); for those,
    /// <see cref="TryEncodeFast(Form, int, ReadOnlySpan{long}, out InsnWord)"/> always returns false.
    /// </summary>
    internal static bool HasCompiledEncoding(Form form) => CompiledEncoding.For(form.Id) is not null;

    /// <summary>
    /// Encodes with the form's compiled encoding: true exactly when the general encoding (<see cref="TryEncode(in Instruction, out InsnWord)"/>)
    /// succeeds, with the same word; false when it would fail, or when the form has no compiled encoding
    /// (<see cref="HasCompiledEncoding"/> tells which). No message, no allocation: what the parser can ask of each
    /// candidate form. <paramref name="values"/> has one value per operand (fixed tokens 0, as everywhere; with
    /// fewer, false, where the general encoding would throw).
    /// </summary>
    internal static bool TryEncodeFast(Form form, int qp, ReadOnlySpan<long> values, out InsnWord word) =>
        CompiledEncoding.TryEncode(form.Id, qp, values, out word);

    /// <summary>
    /// The same from operand values as the assembler stores them (<see cref="ParsedSource.StoredOf"/>): also false when
    /// a value read is <see cref="ParsedSource.WideValue"/> (kept elsewhere; the long overload takes it). Saves
    /// widening every value of every instruction.
    /// </summary>
    internal static bool TryEncodeFast(Form form, int qp, ReadOnlySpan<int> stored, out InsnWord word) =>
        CompiledEncoding.TryEncode(form.Id, qp, stored, out word);

    /// <param name="array">The values as an array when the caller has one: what a codec takes.</param>
    private static string? TryEncode(Form form, int qp, ReadOnlySpan<long> values, long[]? array, out InsnWord word)
    {
        word = new InsnWord(form.Pattern.Value);
        if (qp != 0)
        {
            if ((form.Pattern.Mask & 0x3f) != 0) return $"{form.Mnemonic} cannot be predicated";
            if ((uint)qp > 63) return $"qualifying predicate p{qp} out of range";
            word.Slot |= (ulong)(uint)qp;
        }
        var ops = form.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Field is null) continue;
            string? err = CheckOperand(op, values[i]);
            if (err is not null) return $"operand {i + 1}: {err}";
            if (!op.TryToStored(values[i], out ulong stored)) return $"operand {i + 1}: {Describe(op, values[i])}";
            op.Field.Insert(ref word, stored);
            if (op.Mirror is not null)
            {
                if (!op.TryToMirror(values[i], out ulong m)) return $"operand {i + 1}: {Describe(op, values[i])}";
                op.Mirror.Insert(ref word, m);
            }
        }
        // Two predicate targets naming the same register raise an illegal-operation fault (SDM cmp, tbit, tnat, fcmp).
        int firstPr = -1;
        for (int i = 0; i < ops.Length; i++)
        {
            if (ops[i].Kind != OperandKind.Pr || !ops[i].IsOutput) continue;
            if (firstPr >= 0 && values[firstPr] == values[i])
                return $"operand {i + 1}: p{values[i]} is already the other predicate target";
            firstPr = i;
        }
        if (form.Codec is not null)
        {
            string? err = form.Codec.Encode(array ?? CodecArgument(values), ref word);
            if (err is not null) return err;
        }
        return null;
    }

    [ThreadStatic] private static long[][]? t_codecArguments;

    /// <summary>
    /// The values as the array a codec takes. Codecs only read it during the call, so it is a per-thread array of
    /// the right length, reused: encoding or matching a base-update load (whose register rules are a codec)
    /// allocates nothing.
    /// </summary>
    internal static long[] CodecArgument(ReadOnlySpan<long> values)
    {
        var arrays = t_codecArguments ??= new long[8][];
        if (values.Length >= arrays.Length) return values.ToArray();
        var array = arrays[values.Length] ??= new long[values.Length];
        values.CopyTo(array);
        return array;
    }

    public static InsnWord Encode(in Instruction ins) =>
        TryEncode(ins, out var w) is { } err ? throw new ArgumentException($"{ins.Form.Mnemonic}: {err}") : w;

    /// <summary>Register-class checks that the field width alone does not express.</summary>
    internal static string? CheckOperand(OperandSpec op, long v)
    {
        switch (op.Kind)
        {
            case OperandKind.Ar:
                if (v < 0 || v > 127) return $"ar{v} does not exist";
                if (op.ArUnit == ArUnit.M && !Registers.ArOnM((int)v)) return $"{Registers.ArName((int)v)} is not reachable from the M unit";
                if (op.ArUnit == ArUnit.I && !Registers.ArOnI((int)v)) return $"{Registers.ArName((int)v)} is not reachable from the I unit";
                break;
            case OperandKind.Symbolic:
                if (v < 0 || v >= op.Symbols!.Length || op.Symbols[v].Length == 0) return "no such symbolic value";
                break;
        }
        if (op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr && v < op.MinReg) return $"register number {v} below {op.MinReg}";
        return null;
    }

    internal static string Describe(OperandSpec op, long v)
    {
        switch (op.Kind)
        {
            case OperandKind.Gr: return $"r{v} cannot be encoded here (field of {op.Field!.Width} bits)";
            case OperandKind.Target: return $"branch displacement {v} out of range or not bundle aligned ({op.Field!.Width + 4}-bit signed)";
            case OperandKind.ImmSet: return $"immediate {v} must be one of {string.Join(", ", op.ValueSet!)}";
        }
        if (op.Kind != OperandKind.Imm) return $"value {v} out of range";
        long lo, hi;
        int w = op.Field!.Width;
        if (op.Signed) { lo = w >= 64 ? long.MinValue : -(1L << (w - 1)); hi = w >= 64 ? long.MaxValue : op.EitherSign ? (1L << w) - 1 : (1L << (w - 1)) - 1; }
        else { lo = 0; hi = w >= 63 ? long.MaxValue : (1L << w) - 1; }
        lo <<= op.Shift; hi <<= op.Shift;
        if (op.IgnoresLowBits) hi |= (1L << op.Shift) - 1;
        (lo, hi) = op.Map switch
        {
            ValueMap.Bias => (lo + op.K, hi + op.K),
            ValueMap.Complement => (op.K - hi, op.K - lo),
            _ => (lo, hi),
        };
        string align = op.Shift > 0 && !op.IgnoresLowBits ? $", multiple of {1L << op.Shift}" : "";
        if (v == op.Excluded) return $"immediate {v} is not allowed here (range [{lo}, {hi}] without {v})";
        string wrapped = op.Wraps32 ? $" or [0x{(lo + (1L << 32)):x}, 0x{(op.Map == ValueMap.Bias ? (1L << 32) + op.K - 1 : (1L << 32) - 1):x}]" : "";
        return $"immediate {v} out of range [{lo}, {hi}{align}]{wrapped}";
    }
}
