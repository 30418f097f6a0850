using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IvtGen.Isa;

/// <summary>
/// A form's encoding compiled from its table row: the fixed bits, then per field a check of the value that goes in
/// and the bit moves that place it, then the rules between operands. It accepts exactly the operand values the
/// general encoding (<see cref="InstructionEncoder"/>) accepts and gives the same word, but composes no message: when
/// it refuses, the general encoding runs and says why. Value maps, scaling, mirrors, excluded values, 32-bit wrapping,
/// L-slot pieces, value sets, symbolic and AR operands, and codecs that are rules and lookups
/// (<see cref="IFormCodecRules"/>) all compile; a form with another codec (alloc's sums of operands) has none.
/// </summary>
internal sealed class CompiledEncoding
{
    /// <summary>What <see cref="EncodeSlots"/> gives for values that do not fit: no slot, as it has bits above the 41st.</summary>
    public const ulong NoSlot = ulong.MaxValue;

    // The fixed bits, with every operand field cleared (the general encoding inserts each field over them).
    private readonly ulong _pattern;
    private readonly bool _predicable;
    // How many values the fields and rules read, at most: checked once, so that each read needs no check of its own.
    private readonly int _reads;
    // Each bit is written by one move at most (Compile makes sure), so the moves can go in any order: the direct
    // and the plain fields' first, in loops of their own, then the rest, which most forms do not have (null).
    private readonly DirectMove[] _direct;
    private readonly PlainMove[] _plain;
    private readonly Rest? _rest;

    private CompiledEncoding(ulong pattern, bool predicable, int reads, DirectMove[] direct, PlainMove[] plain, Rest? rest)
    {
        _pattern = pattern;
        _predicable = predicable;
        _reads = reads;
        _direct = direct;
        _plain = plain;
        _rest = rest;
    }

    /// <summary>
    /// Per form id, its compiled encoding, made when the form is first encoded (a source uses a few dozen of the
    /// table's forms; compiling all of them would cost every start of the assembler): null until then, <see cref="None"/>
    /// for a form that has none. Two threads may make one at once; either copy does.
    /// </summary>
    private static readonly CompiledEncoding?[] s_byForm = new CompiledEncoding?[InstructionTable.Forms.Count];

    /// <summary>
    /// Stands for "no compiled encoding" in <see cref="s_byForm"/>: it reads more values than an instruction has, so it
    /// encodes nothing, and an encoding need not tell it apart.
    /// </summary>
    private static readonly CompiledEncoding None = new(0, false, int.MaxValue, Array.Empty<DirectMove>(), Array.Empty<PlainMove>(), null);

    /// <summary>The compiled encoding of the form with id <paramref name="formId"/>, or null when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CompiledEncoding? For(int formId)
    {
        var compiled = s_byForm[formId] ?? Make(formId);
        return ReferenceEquals(compiled, None) ? null : compiled;
    }

    private static CompiledEncoding Make(int formId) => s_byForm[formId] = Compile(InstructionTable.Forms[formId]) ?? None;

    /// <summary>
    /// Encodes an instruction of the form with id <paramref name="formId"/> from its operand values, as longs or as
    /// the ints the assembler stores (where <see cref="ParsedSource.WideValue"/> marks a value kept elsewhere: then
    /// false, as the values cannot be read here). False when anything does not fit or the form has no compiled encoding.
    /// </summary>
    public static bool TryEncode<T>(int formId, int qp, ReadOnlySpan<T> values, out InsnWord word) where T : unmanaged
    {
        word = default;
        if (For(formId) is not { } compiled) return false;
        ulong slot = compiled.Slot(qp, values);
        if (slot == NoSlot) return false;
        word = new InsnWord(slot, compiled._rest is { Long: true } rest ? rest.LongBits(values) : 0);
        return true;
    }

    /// <summary>
    /// The slot of each instruction of <paramref name="source"/>, encoded as <see cref="TryEncode"/> encodes it from its
    /// stored values, into <paramref name="slots"/>; for an X-unit form only its X slot (its L slot only TryEncode
    /// gives). <see cref="NoSlot"/> where that fails, and for instructions with extras, whose operands the assembler
    /// evaluates later (a fixup may still change them): it takes those the general way. What the assembler asks of
    /// every instruction, in one pass over its tables in order. <paramref name="slots"/> has room for one per instruction.
    /// </summary>
    public static void EncodeSlots(ParsedSource source, Span<ulong> slots)
    {
        var byForm = s_byForm;
        var instructions = source.Instructions;
        var stored = source.StoredValues;
        slots = slots.Slice(0, instructions.Length);
        for (int i = 0; i < slots.Length; i++)
        {
            ref var ins = ref instructions[i];
            var compiled = byForm[ins.FormId] ?? Make(ins.FormId);
            slots[i] = ins.HasExtra ? NoSlot : compiled.Slot(ins.Qp, stored.Slice(ins.ValueIndex, ins.OperandCount));
        }
    }

    /// <summary>The slot bits for <paramref name="values"/>, checked against every field and rule, or <see cref="NoSlot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Slot<T>(int qp, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (values.Length < _reads) return NoSlot;
        ulong slot = _pattern;
        if (qp != 0)
        {
            if (!_predicable || (uint)qp > 63) return NoSlot;
            slot |= (uint)qp;
        }
        var direct = _direct;
        for (int k = 0; k < direct.Length; k++)
        {
            ref readonly var move = ref direct[k];
            ulong value = (ulong)Read(values, move.Operand);
            if (value > move.Max) return NoSlot;
            slot |= value * move.Scale;
        }
        var plain = _plain;
        for (int k = 0; k < plain.Length; k++)
        {
            ref readonly var move = ref plain[k];
            ulong stored = (ulong)((Read(values, move.Operand) ^ move.Flip) + move.Offset);
            if (stored - move.Lo > move.Span) return NoSlot;
            slot |= (stored & move.Mask) * move.Scale;
        }
        if (_rest is null) return slot;
        foreach (ref readonly var rule in _rest.Rules.AsSpan())
            if (!TryRead(values, rule.A, out long a) || !TryRead(values, rule.B, out long b) || !rule.Holds(a, b)) return NoSlot;
        return _rest.Fields.Length == 0 ? slot : _rest.Slot(values, slot);
    }

    /// <summary>Value <paramref name="i"/> of a span of longs, or of stored ints (false for a wide one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryRead<T>(ReadOnlySpan<T> values, int i, out long value) where T : unmanaged
    {
        value = Read(values, i);
        return typeof(T) == typeof(long) || value != ParsedSource.WideValue;
    }

    /// <summary>
    /// Value <paramref name="i"/> of a span of longs, or of stored ints, where a wide one reads as
    /// <see cref="ParsedSource.WideValue"/>. Each instantiation keeps one of the branches. No bounds check: the
    /// caller has made sure the span holds every value the form reads (<see cref="_reads"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Read<T>(ReadOnlySpan<T> values, nint i) where T : unmanaged
    {
        ref T at = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), i);
        return typeof(T) == typeof(long) ? Unsafe.As<T, long>(ref at) : Unsafe.As<T, int>(ref at);
    }

    /// <summary>
    /// A plain field (<see cref="PlainMove"/>) that stores the value itself, from 0 up, in one piece: most registers.
    /// Negative values, read unsigned, are too large.
    /// </summary>
    private readonly struct DirectMove
    {
        // Native-sized: it indexes the values as it is.
        public readonly nint Operand;
        public readonly ulong Max;
        // What to multiply the value by to move it up into place.
        public readonly ulong Scale;

        public DirectMove(int operand, long max, Piece piece)
        {
            Operand = operand;
            Max = (ulong)max;
            Scale = 1UL << piece.Pos;
        }
    }

    /// <summary>
    /// A piece of a plain field: one whose stored value is the operand's value, maybe biased or complemented
    /// (<see cref="ValueMap"/>), taken in a range well inside an int's, with every piece in the slot, no lower than the
    /// bits it holds are in the value (registers and most immediates). Each piece checks the value again, which is
    /// cheaper than a loop over a field's pieces. As a plain field takes no value near an int's ends, a wide stored
    /// value (<see cref="ParsedSource.WideValue"/>, int's least) is refused like the value it stands for, without a
    /// look of its own.
    /// </summary>
    private readonly struct PlainMove
    {
        // Native-sized: it indexes the values as it is.
        public readonly nint Operand;
        // The stored value is (value ^ Flip) + Offset (bias: value − K; complement: ~value + K + 1 = K − value) and
        // lies in [Lo, Lo + Span], compared as unsigned differences so that one test bounds both ends.
        public readonly long Flip, Offset;
        public readonly ulong Lo, Span;
        // The piece's bits of the stored value, and what to multiply them by to move them up into place (a multiply
        // takes its operand from memory; a shift by a variable count ties up a register for the count).
        public readonly ulong Mask, Scale;

        public PlainMove(int operand, long flip, long offset, long lo, long hi, Piece piece)
        {
            Operand = operand;
            Flip = flip;
            Offset = offset;
            Lo = (ulong)lo;
            Span = (ulong)(hi - lo);
            Mask = piece.Mask << piece.From;
            Scale = 1UL << piece.Pos - piece.From;
        }
    }

    /// <summary>
    /// What most forms do not have: rules between operands, and fields that are not plain, which are read with a look
    /// for wide values, mapped as <see cref="FieldValue"/> says, and placed in the slot or the L slot.
    /// </summary>
    private sealed class Rest
    {
        public readonly OperandRule[] Rules;
        public readonly FieldValue[] Fields;
        /// <summary>Some field has pieces in the L slot (X-unit forms).</summary>
        public readonly bool Long;

        public Rest(OperandRule[] rules, FieldValue[] fields)
        {
            Rules = rules;
            Fields = fields;
            Long = Array.Exists(fields, f => Array.Exists(f.Pieces, p => p.Long));
        }

        /// <summary><paramref name="slot"/> with these fields' slot bits for <paramref name="values"/>, or <see cref="NoSlot"/>.</summary>
        public ulong Slot<T>(ReadOnlySpan<T> values, ulong slot) where T : unmanaged
        {
            foreach (ref readonly var field in Fields.AsSpan())
            {
                if (!TryRead(values, field.Operand, out long v) || !field.TryStore(v, out ulong stored)) return NoSlot;
                foreach (var piece in field.Pieces)
                    if (!piece.Long) slot |= piece.Bits(stored);
            }
            return slot;
        }

        /// <summary>The L slot's bits for <paramref name="values"/>, which <see cref="Slot"/> has taken.</summary>
        public ulong LongBits<T>(ReadOnlySpan<T> values) where T : unmanaged
        {
            ulong bits = 0;
            foreach (ref readonly var field in Fields.AsSpan())
            {
                TryRead(values, field.Operand, out long v);
                field.TryStore(v, out ulong stored);
                foreach (var piece in field.Pieces)
                    if (piece.Long) bits |= piece.Bits(stored);
            }
            return bits;
        }
    }

    /// <summary>One bit move: <see cref="Mask"/> bits of the stored value from bit <see cref="From"/> to bit <see cref="Pos"/> of the slot or the L slot.</summary>
    private readonly struct Piece
    {
        public readonly ulong Mask;
        public readonly byte From, Pos;
        public readonly bool Long;

        private Piece(int from, BitRange range)
        {
            Mask = BitRange.Mask(range.Len);
            From = (byte)from;
            Long = range.InLongSlot;
            Pos = (byte)(Long ? range.Pos - 41 : range.Pos);
        }

        /// <summary>The moves that place <paramref name="field"/>, least significant piece first.</summary>
        public static Piece[] Of(Field field)
        {
            var pieces = new Piece[field.Pieces.Length];
            int from = 0;
            for (int i = 0; i < pieces.Length; i++)
            {
                pieces[i] = new Piece(from, field.Pieces[i]);
                from += field.Pieces[i].Len;
            }
            return pieces;
        }

        public ulong Bits(ulong stored) => (stored >> From & Mask) << Pos;
    }

    /// <summary>
    /// How a field that is not plain gets its value from an operand's: as <see cref="OperandSpec.TryToStored"/> maps it,
    /// with its constants worked out (scaled, wrapped, excluded or wide values, L-slot pieces), or, for operands whose
    /// values are a few irregular ones (value sets, symbols, the ARs a unit reaches, a codec's lookup), a table of them.
    /// </summary>
    private readonly struct FieldValue
    {
        public readonly int Operand;
        public readonly Piece[] Pieces;
        // Linear: u = (value ^ _flip) + _offset, as for a plain field; folded to 32 bits when _wraps32; its
        // _alignMask bits must be 0; shifted right by _shift, it lies in [_lo, _lo + _span].
        private readonly long _flip, _offset, _alignMask, _lo;
        private readonly ulong _span;
        private readonly int _shift;
        private readonly bool _wraps32, _excludes;
        private readonly long _excluded;
        // Lookup: the stored value of each value from _lo on (−1: not taken).
        private readonly int[]? _table;

        public FieldValue(int operand, Field field, long flip, long offset, bool wraps32, int shift, bool alignLowBits, long lo, long hi, long? excluded)
        {
            Operand = operand;
            Pieces = Piece.Of(field);
            _flip = flip;
            _offset = offset;
            _wraps32 = wraps32;
            _shift = shift;
            _alignMask = alignLowBits ? (1L << shift) - 1 : 0;
            _lo = lo;
            _span = (ulong)(hi - lo);
            _excludes = excluded.HasValue;
            _excluded = excluded.GetValueOrDefault();
            _table = null;
        }

        public FieldValue(int operand, Field field, long first, int[] table)
        {
            this = default;
            Operand = operand;
            Pieces = Piece.Of(field);
            _lo = first;
            _table = table;
        }

        public bool TryStore(long value, out ulong stored)
        {
            stored = 0;
            if (_table is not null)
            {
                ulong at = (ulong)(value - _lo);
                if (at >= (ulong)_table.Length || _table[at] < 0) return false;
                stored = (ulong)_table[at];
                return true;
            }
            if (_excludes && value == _excluded) return false;
            long u = (value ^ _flip) + _offset;
            if (_wraps32 && (ulong)(u - 0x80000000L) <= 0x7fffffffUL) u -= 1L << 32;
            if ((u & _alignMask) != 0) return false;
            u >>= _shift;
            if ((ulong)(u - _lo) > _span) return false;
            stored = (ulong)u;
            return true;
        }
    }

    // ---- Compiling a table row ----

    /// <summary>The compiled encoding of <paramref name="form"/>, or null when the general encoding must do it all.</summary>
    internal static CompiledEncoding? Compile(Form form)
    {
        var b = new Builder();
        var ops = form.Operands;
        int lastPredicateTarget = -1;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            // Two predicate targets naming the same register: the general encoding refuses adjacent ones.
            if (op.Kind == OperandKind.Pr && op.IsOutput)
            {
                if (lastPredicateTarget >= 0) b.Rules.Add(OperandRule.Distinct(lastPredicateTarget, i));
                lastPredicateTarget = i;
            }
            if (op.Field is null) continue;
            if (!b.Add(op, i, op.Field, op.Map, op.K, mirror: false)) return null;
            if (op.Mirror is not null && !b.Add(op, i, op.Mirror, op.MirrorMap, op.MirrorK, mirror: true)) return null;
        }
        if (form.Codec is not null)
        {
            if (form.Codec is not IFormCodecRules codec) return null;
            // Values are read unchecked (Read): every operand a codec names must be one of the form's.
            if (!Array.TrueForAll(codec.Rules, r => (uint)r.A < (uint)ops.Length && (uint)r.B < (uint)ops.Length)) return null;
            b.Rules.AddRange(codec.Rules);
            foreach (var coded in codec.Fields)
                if ((uint)coded.Operand >= (uint)ops.Length || !b.AddLookup(coded.Operand, coded.Field, 0, coded.Count, coded.Stored)) return null;
        }
        // Each bit written once: then the order of the moves does not matter, as it does to the general encoding,
        // which inserts field after field over the qp and the fixed bits.
        bool predicable = (form.Pattern.Mask & 0x3f) == 0;
        ulong slotBits = predicable ? 0x3fUL : 0, longBits = 0;
        foreach (var field in b.Fields)
            foreach (var piece in Piece.Of(field))
            {
                ulong bits = piece.Mask << piece.Pos;
                ref ulong written = ref piece.Long ? ref longBits : ref slotBits;
                if ((written & bits) != 0) return null;
                written |= bits;
            }
        ulong fieldBits = predicable ? slotBits & ~0x3fUL : slotBits;
        return new CompiledEncoding(form.Pattern.Value & ~fieldBits, predicable, ops.Length, b.Direct.ToArray(), b.Plain.ToArray(),
            b.Others.Count > 0 || b.Rules.Count > 0 ? new Rest(b.Rules.ToArray(), b.Others.ToArray()) : null);
    }

    /// <summary>The fields and rules of a form being compiled.</summary>
    private sealed class Builder
    {
        public readonly List<DirectMove> Direct = new();
        public readonly List<PlainMove> Plain = new();
        public readonly List<FieldValue> Others = new();
        public readonly List<OperandRule> Rules = new();
        /// <summary>Every field written, plain or not.</summary>
        public readonly List<Field> Fields = new();

        /// <summary>How <paramref name="field"/> (the operand's own or its mirror) gets its value from operand <paramref name="index"/>; false if it cannot be compiled.</summary>
        public bool Add(OperandSpec op, int index, Field field, ValueMap map, long k, bool mirror)
        {
            // InstructionEncoder.CheckOperand's rules are the operand's, checked once: on its own field, not the mirror.
            string? Check(long v) => mirror ? null : InstructionEncoder.CheckOperand(op, v);
            bool TryStore(long v, out ulong stored) => mirror ? op.TryToMirror(v, out stored) : op.TryToStored(v, out stored);
            long Stored(long v) => Check(v) is null && TryStore(v, out ulong stored) ? (long)stored : -1;
            switch (op.Kind)
            {
                case OperandKind.ImmSet:
                    long min = long.MaxValue, max = long.MinValue;
                    foreach (long v in op.ValueSet!)
                    {
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                    return max - min < 4096 && AddLookup(index, field, min, (int)(max - min + 1), Stored);
                case OperandKind.Symbolic:
                    return AddLookup(index, field, 0, op.Symbols!.Length, Stored);
                case OperandKind.Ar:
                    // CheckOperand takes ar0–ar127, those of the operand's unit.
                    return AddLookup(index, field, 0, 128, Stored);
            }
            int width = field.Width;
            long lo, hi;
            if (width >= 64) (lo, hi) = (long.MinValue, long.MaxValue);
            else if (op.Signed) (lo, hi) = (-(1L << (width - 1)), op.EitherSign ? (1L << width) - 1 : (1L << (width - 1)) - 1);
            else (lo, hi) = (0, (1L << width) - 1);
            if (!mirror && op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr && op.MinReg > 0)
            {
                // CheckOperand's lowest register, on the written value: the same as on the stored one only when it maps to itself.
                if (map != ValueMap.None || op.Shift != 0 || op.Wraps32) return false;
                lo = Math.Max(lo, op.MinReg);
            }
            if (lo > hi) return false;
            (long flip, long offset) = map switch
            {
                ValueMap.Bias => (0L, -k),
                ValueMap.Complement => (-1L, k + 1), // k − v = ~v + k + 1
                _ => (0L, 0L),
            };
            Fields.Add(field);
            var pieces = Piece.Of(field);
            if (op.Shift == 0 && !op.Wraps32 && op.Excluded is null && Array.TrueForAll(pieces, p => !p.Long && p.Pos >= p.From) && IsSmall(lo, hi, offset))
            {
                if (flip == 0 && offset == 0 && lo == 0 && pieces.Length == 1) Direct.Add(new DirectMove(index, hi, pieces[0]));
                else foreach (var piece in pieces) Plain.Add(new PlainMove(index, flip, offset, lo, hi, piece));
            }
            else
                Others.Add(new FieldValue(index, field, flip, offset, op.Wraps32, op.Shift, op.Shift > 0 && !op.IgnoresLowBits, lo, hi, op.Excluded));
            return true;
        }

        /// <summary>
        /// Whether the values a plain field takes are well inside an int's: its stored values [<paramref name="lo"/>,
        /// <paramref name="hi"/>] and offset are small, so value = (stored − offset) ^ flip is too.
        /// </summary>
        private static bool IsSmall(long lo, long hi, long offset)
        {
            const long Small = 1L << 29;
            return lo > -Small && hi < Small && offset > -Small && offset < Small;
        }

        /// <summary>
        /// A field whose values are <paramref name="count"/> from <paramref name="first"/>, stored as <paramref name="stored"/>
        /// says (−1: not taken); false if a stored value is too large for the table (no field of the table's is).
        /// </summary>
        public bool AddLookup(int index, Field field, long first, int count, Func<long, long> stored)
        {
            var table = new int[count];
            for (int i = 0; i < count; i++)
            {
                long s = stored(first + i);
                if (s > int.MaxValue) return false;
                table[i] = s < 0 ? -1 : (int)s;
            }
            Fields.Add(field);
            Others.Add(new FieldValue(index, field, first, table));
            return true;
        }
    }
}
