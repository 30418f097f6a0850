using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>Encodes an <see cref="Instruction"/> into its slot bits, reading only the form's table row.</summary>
public static class InstructionEncoder
{
    /// <summary>Encodes <paramref name="ins"/>; returns null on success or a message naming the bad operand.</summary>
    public static string? TryEncode(in Instruction ins, out InsnWord word) => TryEncode(ins.Form, ins.Qp, ins.Values, ins.Values, out word);

    /// <summary>Encodes an instruction whose values are a slice of some larger store (the assembler keeps them all in one array).</summary>
    internal static string? TryEncode(Form form, int qp, ReadOnlySpan<long> values, out InsnWord word) =>
        PlainFor(form) is { } plain && plain.TryEncode(qp, values, out word) ? null : TryEncode(form, qp, values, null, out word);

    /// <summary>
    /// Per form id, its <see cref="Plain"/> encoding, made when the form is first encoded (a source uses a few dozen of
    /// the table's forms; making all of them cost a start-up of the assembler hundreds of KB): null until then,
    /// <see cref="Plain.General"/> for forms that need the general encoding. Two threads may make one at once; either copy does.
    /// </summary>
    private static readonly Plain?[] s_plain = new Plain?[InstructionTable.Forms.Count];
    private static Plain? PlainFor(Form form)
    {
        var plain = s_plain[form.Id];
        if (plain is null) s_plain[form.Id] = plain = Plain.For(form) ?? Plain.General;
        return ReferenceEquals(plain, Plain.General) ? null : plain;
    }

    /// <summary>
    /// Encodes from operand values as the assembler stores them (ints; <paramref name="wide"/> marks one kept
    /// elsewhere as a long): false when the form is not <see cref="Plain"/>, a value is wide or anything does not fit,
    /// and the caller then takes the general way, which says why. Saves widening every value of every instruction.
    /// </summary>
    internal static bool TryEncodeStored(Form form, int qp, ReadOnlySpan<int> stored, int wide, out InsnWord word)
    {
        word = default;
        return PlainFor(form) is { } plain && plain.TryEncode(qp, stored, wide, out word);
    }

    /// <summary>
    /// The encoding of a form whose operands are all registers or immediates in plain fields of the slot (no value
    /// map, scaling, mirror, codec, or AR rules): most of the table, compiled to a list of bit moves. It only accepts
    /// what the general encoding accepts, and leaves to it everything else, including every message.
    /// </summary>
    private sealed class Plain
    {
        private readonly ulong _pattern;
        private readonly bool _predicable;
        // Per operand with a field: its index and the values it takes (inclusive).
        private readonly int[] _operand;
        private readonly long[] _min, _max;
        // Per piece of those fields, least significant first: the bits it takes from the value and where they go.
        private readonly Step[] _steps;
        // The predicate targets in order: two adjacent ones naming one register is an error (the general encoding words it).
        private readonly int[] _predicateTargets;

        private readonly struct Step
        {
            public readonly int Operand, From, Pos;
            public readonly ulong Mask;

            public Step(int operand, int from, BitRange piece)
            {
                Operand = operand;
                From = from;
                Pos = piece.Pos;
                Mask = BitRange.Mask(piece.Len);
            }
        }

        private Plain(Form form, int[] operand, long[] min, long[] max, Step[] steps, int[] predicateTargets)
        {
            _pattern = form.Pattern.Value;
            _predicable = (form.Pattern.Mask & 0x3f) == 0;
            _operand = operand;
            _min = min;
            _max = max;
            _steps = steps;
            _predicateTargets = predicateTargets;
        }

        /// <summary>Stands for "not plain" in the table of plain encodings.</summary>
        public static readonly Plain General = new(new Form("", Unit.A, "", default, Array.Empty<OperandSpec>(), 0, InsnFlags.None, null),
            Array.Empty<int>(), Array.Empty<long>(), Array.Empty<long>(), Array.Empty<Step>(), Array.Empty<int>());

        public static Plain? For(Form f)
        {
            if (f.Codec is not null) return null;
            var ops = f.Operands;
            var operand = new List<int>();
            var min = new List<long>();
            var max = new List<long>();
            var steps = new List<Step>();
            var predicateTargets = new List<int>();
            for (int i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                if (op.Kind == OperandKind.Pr && op.IsOutput) predicateTargets.Add(i);
                if (op.Field is null) continue;
                bool register = op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Cr or OperandKind.Mem or OperandKind.Indirect;
                if (!(register || op.Kind == OperandKind.Imm) || op.Map != ValueMap.None || op.Shift != 0 || op.Mirror is not null
                    || op.Wraps32 || op.Excluded is not null) return null;
                int width = op.Field.Width;
                foreach (var p in op.Field.Pieces) if (p.InLongSlot) return null;
                if (width >= 63) return null;
                long lo, hi;
                if (op.Signed) { lo = -(1L << (width - 1)); hi = (1L << (width - 1)) - 1; }
                else { lo = 0; hi = (1L << width) - 1; }
                if (op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr) lo = Math.Max(lo, op.MinReg);
                operand.Add(i);
                min.Add(lo);
                max.Add(hi);
                int from = 0;
                foreach (var p in op.Field.Pieces)
                {
                    steps.Add(new Step(i, from, p));
                    from += p.Len;
                }
            }
            return new Plain(f, operand.ToArray(), min.ToArray(), max.ToArray(), steps.ToArray(), predicateTargets.ToArray());
        }

        public bool TryEncode(int qp, ReadOnlySpan<long> values, out InsnWord word)
        {
            word = default;
            ulong slot = _pattern;
            if (qp != 0)
            {
                if (!_predicable || (uint)qp > 63) return false;
                slot |= (ulong)(uint)qp;
            }
            for (int k = 0; k < _operand.Length; k++)
            {
                long v = values[_operand[k]];
                if (v < _min[k] || v > _max[k]) return false;
            }
            foreach (var step in _steps)
                slot = slot & ~(step.Mask << step.Pos) | ((ulong)values[step.Operand] >> step.From & step.Mask) << step.Pos;
            for (int k = 1; k < _predicateTargets.Length; k++)
                if (values[_predicateTargets[k - 1]] == values[_predicateTargets[k]]) return false;
            word = new InsnWord(slot);
            return true;
        }

        /// <summary>The same from stored ints, any of which may be <paramref name="wide"/> (then false).</summary>
        public bool TryEncode(int qp, ReadOnlySpan<int> stored, int wide, out InsnWord word)
        {
            word = default;
            if (stored.Length > ParsedSource.MaxOperands) return false;
            Span<long> values = stackalloc long[stored.Length];
            for (int i = 0; i < stored.Length; i++)
            {
                if (stored[i] == wide) return false;
                values[i] = stored[i];
            }
            return TryEncode(qp, values, out word);
        }
    }

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
