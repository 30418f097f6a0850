using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace IvtGen.Isa;

/// <summary>
/// The common instruction line — <c>(p6) add r1=r2,r3 ;; // x</c>, <c>br.cond.sptk.few L12</c> — read and matched to
/// its form in one pass over its characters, for what the lexer, <see cref="InstructionSyntaxParser"/> and
/// <see cref="FormMatcher"/> give it in several. The result must be the general path's exactly, so this takes only
/// lines whose every token it reads as they do: an optional (pN), a mnemonic, operands that are registers r/f/p/b (and
/// the aliases <see cref="InstructionSyntaxParser.TryRegister"/> knows), [rN], integer literals or a branch target
/// named by a symbol, at most one '=', an optional ';;' and comment. Anything else (labels, braces, directives,
/// expressions, non-ASCII, odd numbers, a statement after ';;') and any line it cannot match is declined: the general
/// path reads it as before, and writes whatever error it has.
/// <para>
/// The line is read through a pointer, ASCII bytes ending in '\n': every scan stops at the '\n' (no token takes it)
/// without a bounds check per character, and a mnemonic is taken eight characters a word. UTF-8 text (a mapped file)
/// is read where it is, and the parse that takes a line finds its end too; UTF-16 (a string, a reader's buffer) and
/// the last line of a text are copied into a buffer first (UTF-16 narrowed, anything past ASCII marked 0x80, which no
/// token takes either). Parsing is most of assembling a long listing, and this is most of parsing.
/// </para>
/// One instance per <see cref="SourceParser"/> (parts of a source parse on several threads).
/// </summary>
internal sealed unsafe class FastLine
{
    /// <summary>
    /// Tests run the same source with and without the fast path and count what it took. An AsyncLocal flows into
    /// the tasks that parse chunks, and each test sees only its own; null (always, outside tests) means on.
    /// </summary>
    internal static readonly AsyncLocal<Switch?> Testing = new();

    internal sealed class Switch
    {
        public bool Enabled = true;
        /// <summary>Lines read, and lines the fast path took, by every parser while this switch was set.</summary>
        public int Lines, Hits;
    }

    // ---- What the last line taken gave (besides its form, which TryParse returns) ----

    /// <summary>The qualifying predicate, and how many operand values <see cref="TakenValues"/> holds.</summary>
    public int Qp, Count;
    /// <summary>The operand values as the form takes them (0 for fixed tokens and branch targets).</summary>
    public ReadOnlySpan<long> TakenValues
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_asWritten ? _written : _values).AsSpan(0, Count);
    }
    /// <summary>The last line's form takes its operands as written (most do): its values are those read, not copied.</summary>
    private bool _asWritten;
    private readonly long[] _values = new long[ParsedSource.MaxOperands];
    /// <summary>The last line's form, as the source keeps it before placing it (see <see cref="SourceInstruction.Placed"/>).</summary>
    public SourceInstruction Template;
    /// <summary>The first token's column (the '(' of a qp, else the mnemonic's), as the general path records it.</summary>
    public int Column;
    /// <summary>The column of a trailing ';;', or 0.</summary>
    public int StopColumn;
    // Branch targets named by a symbol, and matches on other units (TakeExtras): set only when a line has them, which
    // few have, so the common line stores no reference (each such store costs the GC's write barrier).
    private PendingOperand[]? _pending;
    private MatchedInstruction[]? _others;

    /// <summary>
    /// The last line's branch targets named by a symbol, evaluated after layout, and the matches on other units
    /// SourceParser.OtherUnits would find (nop, break, chk.s…): null, mostly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TakeExtras(out PendingOperand[]? pending, out MatchedInstruction[]? others)
    {
        pending = _pending;
        others = _others;
        if (pending is not null) _pending = null;
        if (others is not null) _others = null;
    }

    // ---- The line, and its operands as written ----

    /// <summary>Longer lines (a comment, most likely) are left to the general path when they have to be copied.</summary>
    private const int MaxLine = 256;
    /// <summary>After a copied line: its '\n', then room to read a mnemonic that ends the line as three words (what is there is masked off).</summary>
    private const int Tail = 4 * sizeof(ulong);
    private readonly byte[] _line = new byte[MaxLine + Tail];

    private readonly long[] _written = new long[ParsedSource.MaxOperands];
    // Where each symbol operand starts in the line (for its column and name), and its length.
    private readonly int[] _at = new int[ParsedSource.MaxOperands], _symbolLength = new int[ParsedSource.MaxOperands];

    // Written operand kinds, three bits each in a shape code (0 is no operand).
    private const uint WGr = 1, WFr = 2, WPr = 3, WBr = 4, WMem = 5, WImm = 6, WSym = 7;

    /// <summary>The longest mnemonic read here: it is kept as three words of eight lowered ASCII characters.</summary>
    private const int MaxMnemonic = 24;

    private const int MaxShapes = 1 << 14, MaxSymbol = 128;

    /// <summary>
    /// Reads and matches <paramref name="line"/> (without its line end), a copy of it: its form, which the fields above
    /// and <see cref="TakeExtras"/> complete, or null when it is not a line this path takes.
    /// </summary>
    public Form? TryParse<TChar>(ReadOnlySpan<TChar> line) where TChar : unmanaged
    {
        int n = line.Length;
        if (n > MaxLine) return null;
        fixed (byte* text = _line)
        fixed (TChar* from = line)
        {
            if (typeof(TChar) == typeof(byte)) Buffer.MemoryCopy(from, text, MaxLine, n);
            else Narrow((char*)from, text, n);
            text[n] = (byte)'\n';
        }
        return TryParse(_line.AsSpan(0, n + Tail), out _);
    }

    /// <summary>
    /// Reads and matches the line that starts <paramref name="text"/> (UTF-8, read where it is: a '\n' must end the line
    /// within the text): as <see cref="TryParse{TChar}"/>, and <paramref name="newline"/> is the index of the line's '\n'
    /// when the line is taken (-1 when not: the caller finds it).
    /// </summary>
    public Form? TryParse(ReadOnlySpan<byte> text, out int newline)
    {
        newline = -1;
        fixed (byte* line = text)
        {
            var form = TryParseAt(line, line + text.Length, out byte* next);
            if (form is not null) newline = (int)(next - line) - 1;
            return form;
        }
    }

    /// <summary>
    /// <see cref="TryParse(ReadOnlySpan{byte}, out int)"/> through pointers, for a caller that walks a pinned text line
    /// by line: <paramref name="next"/> is the start of the next line (past this one's '\n') when the line is taken.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Form? TryParseAt(byte* line, byte* readable, out byte* next)
    {
        var form = Parse(line, readable, out byte* stop);
        next = null;
        if (form is null) return null;
        // The parse stopped at the line's end ('\r's and its '\n') or at a comment, which runs to the '\n'.
        while (*stop == '\r') stop++;
        if (*stop != '\n') stop += new ReadOnlySpan<byte>(stop, (int)(readable - stop)).IndexOf((byte)'\n');
        next = stop + 1;
        return form;
    }

    /// <summary>UTF-16 as ASCII bytes: a character past ASCII becomes 0x80, which no token the parse reads takes.</summary>
    private static void Narrow(char* from, byte* to, int n)
    {
        for (int k = 0; k < n; k++)
        {
            char c = from[k];
            to[k] = c < 128 ? (byte)c : (byte)0x80;
        }
    }

    /// <summary>
    /// The parse of the line at <paramref name="text"/>, which a '\n' ends; nothing at or past
    /// <paramref name="readable"/> is read. <paramref name="stop"/> is where the parse stopped, on success the line's
    /// end or a comment.
    /// </summary>
    private Form? Parse(byte* text, byte* readable, out byte* stop)
    {
        stop = text;
        byte* p = Blanks(text);
        int column = (int)(p - text) + 1, qp = 0;
        if (*p == '(')
        {
            // As ParseInstruction reads it: pN as written (GNU as does not take (P6)); other spellings are declined.
            p = Blanks(p + 1);
            if (*p != 'p' || (p = Digits(p + 1, 63, out qp)) is null || IsIdentPart(*p)) return null;
            p = Blanks(p);
            if (*p != ')') return null;
            p = Blanks(p + 1);
        }

        // The mnemonic, lowered (ASCII only, as SetMnemonic lowers it) into three words. A letter first: '.' starts a
        // directive, a digit a number.
        if (!IsLetter(*p)) return null;
        ulong m0, m1, m2;
        if (p + MaxMnemonic <= readable && MnemonicWords(p, out m0, out m1, out m2) is var after && after is not null) p = after;
        else if ((p = MnemonicBytes(p, out m0, out m1, out m2)) is null) return null; // near the end of the text, or long

        // Operands. What follows the mnemonic can also make the line a label (':') or an assignment ('='): neither
        // starts an operand, so both are declined here.
        var written = _written;
        int count = 0, outputs = 0, negated = 0;
        uint kinds = 0;
        p = Blanks(p);
        if (!AtEnd(p) && *p is not (byte)';' and not (byte)'#' and not (byte)'/')
        {
            while (true)
            {
                if (count == ParsedSource.MaxOperands) return null;
                byte c = *p;
                uint kind;
                long value;
                if (c == '[')
                {
                    p = Register(Blanks(p + 1), out var k, out int r);
                    if (p is null || k != OperandKind.Gr) return null;
                    p = Blanks(p);
                    if (*p++ != ']') return null;
                    kind = WMem;
                    value = r;
                }
                else if (IsLetter(c) || c == '_')
                {
                    byte* e = Register(p, out var k, out int r);
                    if (e is not null)
                    {
                        if (k > OperandKind.Br) return null; // ar/cr: their forms are for the general path
                        kind = WGr + (uint)(k - OperandKind.Gr); // r, f, p, b in the order of OperandKind
                        value = r;
                        p = e;
                    }
                    else
                    {
                        // Not a register: a symbol, which only a branch target takes here (Candidates).
                        e = WordEnd(p);
                        if (e is null || e - p > MaxSymbol) return null;
                        _at[count] = (int)(p - text);
                        _symbolLength[count] = (int)(e - p);
                        kind = WSym;
                        value = 0;
                        p = e;
                    }
                }
                else if (c == '-')
                {
                    // ParseOperand's negated literal: the number's 64 bits, negated with wrap-around.
                    if ((p = Number(Blanks(p + 1), out long v)) is null) return null;
                    kind = WImm;
                    value = unchecked(-v);
                    negated |= 1 << count;
                }
                else
                {
                    if ((p = Number(p, out value)) is null) return null;
                    kind = WImm;
                }
                written[count] = value;
                kinds |= kind << (3 * count);
                count++;
                // A register or literal ends at ',', '=', ';;', a comment or the line's end; anything else (an
                // operator, say) makes an expression of it, which this path does not read.
                p = Blanks(p);
                if (*p == ',')
                {
                    p = Blanks(p + 1);
                    continue;
                }
                if (*p == '=')
                {
                    if (outputs != 0) return null;
                    outputs = count;
                    p = Blanks(p + 1);
                    continue;
                }
                break;
            }
        }
        int stopColumn = 0;
        if (p[0] == ';' && p[1] == ';')
        {
            stopColumn = (int)(p - text) + 1;
            p = Blanks(p + 2);
        }
        if (!AtEnd(p) && *p != '#' && !(p[0] == '/' && p[1] == '/')) return null;
        stop = p;

        uint code = (uint)count | (uint)outputs << 4 | kinds << 8;
        var candidates = Find(m0, m1, m2, code).Candidates;
        if (candidates is null) return null;
        foreach (var candidate in candidates)
        {
            if (!candidate.Fits(written, count, code, negated, qp, _values, out bool asWritten)) continue;
            var form = candidate.Form;
            PendingOperand[]? pending = null;
            if (candidate.TakesTarget && (pending = Targets(text, code, count)) is null) return null; // a reserved name: the general path says why
            Qp = qp;
            Count = count;
            _asWritten = asWritten;
            Template = candidate.Template;
            Column = column;
            StopColumn = stopColumn;
            if (pending is not null) _pending = pending;
            if (candidate.MayHaveTwin) _others = OtherUnits(candidates, form, written, count, code, negated, qp, pending);
            return form;
        }
        return null; // nothing fits: the general path says why
    }

    /// <summary>
    /// The branch targets the line names, as FormMatcher leaves them pending: the symbol as written, at its column. Null
    /// when a name is one the table reserves (ip, pr…), which the general path refuses as a target.
    /// </summary>
    private PendingOperand[]? Targets(byte* text, uint code, int count)
    {
        int symbols = 0;
        for (int k = 0; k < count; k++) if ((code >> (8 + 3 * k) & 7) == WSym) symbols++;
        var pending = new PendingOperand[symbols];
        for (int k = 0, p = 0; k < count; k++)
        {
            if ((code >> (8 + 3 * k) & 7) != WSym) continue;
            string name = Text(text + _at[k], _symbolLength[k]);
            if (FormMatcher.IsReservedName(name)) return null;
            int column = _at[k] + 1;
            pending[p++] = new PendingOperand(k, new Expr.Symbol(name, column), column);
        }
        return pending;
    }

    /// <summary>ASCII bytes as a string.</summary>
    private static string Text(byte* ascii, int length)
    {
        Span<char> chars = stackalloc char[length];
        for (int k = 0; k < length; k++) chars[k] = (char)ascii[k];
        return chars.ToString();
    }

    /// <summary>The operands as written: values, kinds (in the shape code), which literals were negated, and the qp.</summary>
    private readonly ref struct Written
    {
        public readonly ReadOnlySpan<long> Values;
        public readonly uint Code;
        public readonly int Negated, Qp;

        public Written(ReadOnlySpan<long> values, uint code, int negated, int qp)
        {
            Values = values;
            Code = code;
            Negated = negated;
            Qp = qp;
        }

        /// <summary>Operand <paramref name="i"/> as the general parser would have made it, to compare with a fixed token as it does.</summary>
        public OperandSyntax Syntax(int i)
        {
            long v = Values[i];
            return (Code >> (8 + 3 * i) & 7) switch
            {
                WGr => new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = OperandKind.Gr, Number = (int)v },
                WFr => new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = OperandKind.Fr, Number = (int)v },
                WPr => new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = OperandKind.Pr, Number = (int)v },
                WBr => new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = OperandKind.Br, Number = (int)v },
                WMem => new OperandSyntax { Kind = OperandSyntaxKind.Memory, Number = (int)v },
                // ParseOperand marks a plain number as spelling its value, a negated one not.
                _ => new OperandSyntax { Kind = OperandSyntaxKind.Expression, Value = v, IsNumber = (Negated >> i & 1) == 0 },
            };
        }
    }

    /// <summary>
    /// A form some shape can match, with what FormMatcher.Match checks of each operand worked out once: most operands
    /// take one interval of values (perhaps a multiple of a power of two), a compare or two each.
    /// </summary>
    private sealed class Candidate
    {
        public readonly Form Form;
        /// <summary>
        /// It has a branch target, which (a literal target leaving the shape to the general path) is a symbol: its
        /// value waits for layout, and so does the codec's check of the operands.
        /// </summary>
        public readonly bool TakesTarget;
        /// <summary>SourceParser.MayHaveTwin: a form on another unit may take the same operands (nop, break, chk.s…).</summary>
        public readonly bool MayHaveTwin;
        /// <summary>The instruction the source keeps for this form, before it is placed.</summary>
        public readonly SourceInstruction Template;
        private readonly bool _predicable;
        /// <summary>Every operand is checked by <see cref="How.Range"/> and no codec checks them together: the common case, done in one loop.</summary>
        private readonly bool _ranges;
        private readonly Check[] _checks;

        public Candidate(Form form)
        {
            Form = form;
            Template = SourceInstruction.Template(form);
            MayHaveTwin = SourceParser.MayHaveTwin(form);
            _predicable = (form.Pattern.Mask & 0x3f) == 0;
            _checks = new Check[form.Operands.Length];
            _ranges = form.Codec is null;
            for (int i = 0; i < _checks.Length; i++)
            {
                _checks[i] = Check.Of(form.Operands[i]);
                TakesTarget |= _checks[i].How == How.Pending;
                _ranges &= _checks[i].How == How.Range;
            }
        }

        /// <summary>
        /// Whether the form takes the operands, as FormMatcher.Match decides it. On success the form's values (the
        /// written ones, 0 for fixed tokens and branch targets) are the written ones when <paramref name="asWritten"/>,
        /// else in <paramref name="values"/>.
        /// </summary>
        /// <remarks>
        /// The operands come as the parse holds them (<paramref name="written"/>'s first <paramref name="count"/>, the
        /// shape <paramref name="code"/>, the <paramref name="negated"/> literals' bits) and go into a
        /// <see cref="Written"/> only off the common path: a struct of them in the parse would be zeroed on every line.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Fits(long[] written, int count, uint code, int negated, int qp, long[] values, out bool asWritten)
        {
            asWritten = _ranges;
            if (qp != 0 && !_predicable) return false;
            if (!_ranges) return FitsEach(written, count, code, negated, qp, values);
            // The common case, inlined into the parse: a compare or two per operand, and nothing copied.
            var checks = _checks;
            for (int i = 0; i < checks.Length; i++)
                if (!checks[i].Takes(written[i])) return false;
            return true;
        }

        /// <summary>Each operand as its check says, and then the codec's checks.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool FitsEach(long[] writtenValues, int count, uint code, int negated, int qp, long[] values)
        {
            var w = new Written(writtenValues.AsSpan(0, count), code, negated, qp);
            var checks = _checks;
            var written = w.Values;
            var ops = Form.Operands;
            for (int i = 0; i < checks.Length; i++)
            {
                long v = values[i] = written[i];
                switch (checks[i].How)
                {
                    case How.Range:
                        if (!checks[i].Takes(v)) return false;
                        break;
                    case How.Unchecked:
                        break;
                    case How.Pending:
                        values[i] = 0; // MatchOperand gives a branch target no value until layout
                        break;
                    case How.Spelled:
                        values[i] = 0; // nor a fixed token
                        if (!w.Syntax(i).IsSpelled(ops[i].Text!)) return false;
                        break;
                    default:
                        if (!FormMatcher.Takes(ops[i], v)) return false;
                        break;
                }
            }
            var codec = Form.Codec;
            if (codec is null || TakesTarget) return true;
            var word = new InsnWord(Form.Pattern.Value);
            return codec.Encode(InstructionEncoder.CodecArgument(values.AsSpan(0, checks.Length)), ref word) is null;
        }
    }

    private enum How : byte
    {
        /// <summary>FormMatcher's checks, as they are (AR units, symbolic values, sets, 32-bit wrapping, excluded values…).</summary>
        General,
        /// <summary>Min ≤ v ≤ Max and no bit of Align set.</summary>
        Range,
        /// <summary>A codec-encoded immediate: the codec checks it with the rest.</summary>
        Unchecked,
        /// <summary>A branch target named by a symbol: evaluated after layout.</summary>
        Pending,
        /// <summary>A fixed token (r0, 1, ip…), compared as spelled.</summary>
        Spelled,
    }

    /// <summary>How FormMatcher.MatchOperand's value checks come out for one operand of a form.</summary>
    private readonly struct Check
    {
        public readonly How How;
        private readonly long _min, _max, _align;

        private Check(How how, long min = 0, long max = 0, long align = 0)
        {
            How = how;
            _min = min;
            _max = max;
            _align = align;
        }

        public bool Takes(long v) => v >= _min && v <= _max && (v & _align) == 0;

        /// <summary>
        /// The values <paramref name="op"/> takes as one interval where they are one: what OperandSpec.TryToStored and
        /// InstructionEncoder.CheckOperand accept, with MatchOperand's own rule for destinations (not r0, f0 or f1).
        /// </summary>
        public static Check Of(OperandSpec op)
        {
            switch (op.Kind)
            {
                case OperandKind.Fixed: return new Check(How.Spelled);
                case OperandKind.Target: return new Check(How.Pending);
                case OperandKind.Imm when op.Field is null: return new Check(How.Unchecked);
                case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Mem or OperandKind.Imm:
                    break;
                default:
                    return new Check(How.General);
            }
            int width = op.Field!.Width;
            if (op.Wraps32 || op.Excluded is not null || width + op.Shift >= 62) return new Check(How.General);
            // The stored field's values, then before the shift, then before the map.
            long lo = op.Signed ? -(1L << (width - 1)) : 0;
            long hi = op.Signed && !op.EitherSign ? (1L << (width - 1)) - 1 : (1L << width) - 1;
            long align = 0;
            if (op.Shift > 0)
            {
                lo <<= op.Shift;
                hi <<= op.Shift;
                if (op.IgnoresLowBits) hi |= (1L << op.Shift) - 1;
                else align = (1L << op.Shift) - 1;
            }
            if (op.Map != ValueMap.None)
            {
                // value = stored + K or K − stored: the alignment carries over only when K keeps it.
                if ((op.K & align) != 0) return new Check(How.General);
                (lo, hi) = op.Map == ValueMap.Bias ? (lo + op.K, hi + op.K) : (op.K - hi, op.K - lo);
            }
            if (op.Kind is OperandKind.Gr or OperandKind.Fr or OperandKind.Pr) lo = Math.Max(lo, op.MinReg);
            if (op.IsOutput && op.Kind == OperandKind.Gr) lo = Math.Max(lo, 1);
            if (op.IsOutput && op.Kind == OperandKind.Fr) lo = Math.Max(lo, 2);
            return new Check(How.Range, lo, hi, align);
        }
    }

    /// <summary>
    /// SourceParser.OtherUnits over the same forms (the candidates are the forms its TryMatch would try): the first
    /// fit on a unit not yet seen, then the next, until none is left.
    /// </summary>
    private static MatchedInstruction[]? OtherUnits(Candidate[] candidates, Form chosen, long[] written, int count, uint code, int negated, int qp, PendingOperand[]? pending)
    {
        // Most such lines have none (mov r=imm is flagged for mov r=ip's sake): nothing is allocated until one fits.
        List<MatchedInstruction>? list = null;
        int seen = Bundler.MaskOf(chosen.Unit);
        var values = new long[ParsedSource.MaxOperands];
        while (true)
        {
            Form? other = null;
            foreach (var c in candidates)
                if ((Bundler.MaskOf(c.Form.Unit) & seen) == 0 && c.Fits(written, count, code, negated, qp, values, out bool asWritten))
                {
                    if (asWritten) Array.Copy(written, values, count);
                    other = c.Form;
                    break;
                }
            if (other is null) return list?.ToArray();
            var own = pending is null ? Array.Empty<PendingOperand>() : (PendingOperand[])pending.Clone();
            (list ??= new List<MatchedInstruction>()).Add(new MatchedInstruction(other, qp, values.AsSpan(0, count).ToArray(), own));
            seen |= Bundler.MaskOf(other.Unit);
        }
    }

    // ---- The shapes seen, by mnemonic and operand kinds ----

    /// <summary>A mnemonic with one shape of written operands, and the forms that shape can match, in table order.</summary>
    private sealed class Shape
    {
        /// <summary>The lowered mnemonic, eight characters a word, zero-padded (no character is zero).</summary>
        public ulong M0, M1, M2;
        public uint Code;
        /// <summary>Null when lines of this shape are left to the general path.</summary>
        public Candidate[]? Candidates;
    }

    private Shape?[] _shapes = new Shape?[64];
    private int _shapeCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Shape Find(ulong m0, ulong m1, ulong m2, uint code)
    {
        var shapes = _shapes;
        int mask = shapes.Length - 1;
        for (int k = Hash(m0, m1, m2, code) & mask; ; k = (k + 1) & mask)
        {
            var s = shapes[k];
            if (s is null) return Add(m0, m1, m2, code);
            if (s.M0 == m0 && s.Code == code && s.M1 == m1 && s.M2 == m2) return s;
        }
    }

    /// <summary>A shape met for the first time: its candidates, kept for the next line of that shape.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Shape Add(ulong m0, ulong m1, ulong m2, uint code)
    {
        var shape = new Shape { M0 = m0, M1 = m1, M2 = m2, Code = code, Candidates = Candidates(Mnemonic(m0, m1, m2), code) };
        // A real source has a few hundred shapes; past this, a source of made-up mnemonics is not kept in memory.
        if (_shapeCount >= MaxShapes) return shape;
        if (2 * (_shapeCount + 1) > _shapes.Length)
        {
            var old = _shapes;
            _shapes = new Shape?[old.Length * 2];
            foreach (var s in old) if (s is not null) Insert(s);
        }
        Insert(shape);
        _shapeCount++;
        return shape;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ulong m0, ulong m1, ulong m2, uint code)
    {
        // One multiply spreads the words (m1 and m2 are zero but for long mnemonics) into the high bits taken; a
        // collision costs a probe, never a wrong shape (Find compares every field).
        ulong h = (m0 ^ m1 << 1 ^ m2 << 2 ^ (ulong)code << 29) * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 40);
    }

    private static string Mnemonic(ulong m0, ulong m1, ulong m2)
    {
        var chars = new char[MaxMnemonic];
        int length = 0;
        foreach (ulong word in new[] { m0, m1, m2 })
            for (int k = 0; k < 8 && (word >> (8 * k) & 0xff) != 0; k++) chars[length++] = (char)(word >> (8 * k) & 0xff);
        return new string(chars, 0, length);
    }

    private void Insert(Shape s)
    {
        int mask = _shapes.Length - 1;
        int k = Hash(s.M0, s.M1, s.M2, s.Code) & mask;
        while (_shapes[k] is not null) k = (k + 1) & mask;
        _shapes[k] = s;
    }

    /// <summary>
    /// The forms of <paramref name="mnemonic"/> that operands of this shape can match, in table order: FormMatcher's
    /// count, '=' and KindsFit filters, which depend on the shape only (but for fixed tokens such as r0 or 1, which
    /// are kept when some value could spell them, for Fits to decide). Null, to leave the shape to the general path,
    /// when the mnemonic is unknown or a form could take an operand in a way this path does not follow (a literal as a
    /// branch target, a symbol as an immediate, which is looked up, or as a fixed token or symbolic value).
    /// </summary>
    private static Candidate[]? Candidates(string mnemonic, uint code)
    {
        if (!InstructionTable.TryGetForms(mnemonic, out var forms)) return null;
        int count = (int)(code & 15), outputs = (int)(code >> 4 & 15);
        var list = new List<Candidate>();
        foreach (var f in forms)
        {
            if (f.Operands.Length != count || f.Outputs != outputs) continue;
            bool fits = true, sure = true;
            for (int i = 0; i < count && fits; i++)
            {
                var op = f.Operands[i];
                uint w = code >> (8 + 3 * i) & 7;
                if (w == WSym)
                {
                    // A name is an expression: a branch target takes it; an immediate, a fixed token or a symbolic
                    // value might (evaluated, or compared by name); nothing else does.
                    fits = op.Kind == OperandKind.Target;
                    sure = fits || op.Kind is not (OperandKind.Imm or OperandKind.ImmSet or OperandKind.Fixed or OperandKind.Symbolic);
                    continue;
                }
                switch (op.Kind)
                {
                    case OperandKind.Gr: fits = w == WGr; break;
                    case OperandKind.Fr: fits = w == WFr; break;
                    case OperandKind.Pr: fits = w == WPr; break;
                    case OperandKind.Br: fits = w == WBr; break;
                    case OperandKind.Mem: fits = w == WMem; break;
                    case OperandKind.Imm or OperandKind.ImmSet: fits = w == WImm; break;
                    case OperandKind.Target:
                        fits = w == WImm;
                        sure = false;
                        break;
                    case OperandKind.Fixed:
                        // Fits if the operand spells the token (r0, 1…), which Fits checks with the value.
                        fits = MaySpell(op.Text!, w);
                        break;
                    default:
                        // Ar, Cr, FILE[rN], @names: no operand read here is one.
                        fits = false;
                        break;
                }
            }
            if (!sure) return null;
            if (fits) list.Add(new Candidate(f));
        }
        return list.ToArray();
    }

    /// <summary>
    /// Whether some operand of written kind <paramref name="w"/> could spell the fixed token <paramref name="text"/>
    /// (OperandSyntax.IsSpelled for some value): a cheap superset, so that a mov r=r need not try mov r=ip.
    /// </summary>
    private static bool MaySpell(string text, uint w)
    {
        char first = text.Length > 0 ? text[0] : '\0';
        return w switch
        {
            WGr => first == 'r',
            WFr => first == 'f',
            WPr => first == 'p',
            WBr => first == 'b',
            WMem => first == '[',
            // A number spells its decimal digits; a negated one spells what any expression does.
            _ => first == '-' || (first >= '0' && first <= '9') || text == "<expression>",
        };
    }

    // ---- Characters and tokens, as the lexer reads them; each scan stops at the line's '\n' ----

    // The classes of the 256 byte values, a bit each: only ASCII has any but GoesOnClass (0x80, a UTF-16 character past
    // ASCII as narrowed, has no other, so no scan takes it). Bits 5–7 hold a register file's letter (r, f, p, b: 1–4,
    // in the order of OperandKind), either case. Kept where a pointer reaches it without a bounds check.
    private const byte BlankClass = 1, DigitClass = 2, LetterClass = 4, IdentClass = 8, GoesOnClass = 16;
    private const int FileShift = 5;
    private static readonly byte* s_classes = Classes();

    private static byte* Classes()
    {
        var table = (byte*)Marshal.AllocHGlobal(256);
        for (int c = 0; c < 256; c++)
        {
            bool letter = c < 128 && (uint)((c | 0x20) - 'a') <= 'z' - 'a', digit = (uint)(c - '0') <= 9;
            bool ident = letter || digit || c is '_' or '.' or '@';
            int file = letter ? "rfpb".IndexOf((char)(c | 0x20)) + 1 : 0;
            table[c] = (byte)((c is ' ' or '\t' ? BlankClass : 0) | (digit ? DigitClass : 0) | (letter ? LetterClass : 0)
                | (ident ? IdentClass : 0) | (ident || c >= 128 ? GoesOnClass : 0) | file << FileShift);
        }
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Blanks(byte* p)
    {
        while ((s_classes[*p] & BlankClass) != 0) p++;
        return p;
    }

    /// <summary>
    /// Whether the line ends at <paramref name="p"/>: at its '\n', or at '\r's before it (a '\r' anywhere else is
    /// whitespace to the lexer, which this path leaves to it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AtEnd(byte* p)
    {
        while (*p == '\r') p++;
        return *p == '\n';
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetter(byte c) => (s_classes[c] & LetterClass) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    /// <summary>The lexer's identifier characters in ASCII: letters, digits, '_', '.', '@' (false for anything else, 0x80 included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdentPart(byte c) => (s_classes[c] & IdentClass) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadWord(byte* p) => BitConverter.IsLittleEndian
        ? *(ulong*)p
        : p[0] | (ulong)p[1] << 8 | (ulong)p[2] << 16 | (ulong)p[3] << 24 | (ulong)p[4] << 32 | (ulong)p[5] << 40 | (ulong)p[6] << 48 | (ulong)p[7] << 56;

    /// <summary>
    /// The mnemonic at <paramref name="p"/> read a word at a time: it runs to the first blank, line end or ';' (a byte
    /// below '!' or ';', found in each word at once), and the words are lowered whole. Returns its end, or null when
    /// no such byte is within the three words (<see cref="MnemonicBytes"/> reads it then). A mnemonic read so may hold
    /// bytes the lexer would have ended it at ('=', ',', ':', past ASCII): no table mnemonic has any (lowering keeps a
    /// byte past ASCII past it), so such a line matches no shape and is declined, as it must be unless the mnemonic is
    /// a run of identifier characters, which ends where the lexer's does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* MnemonicWords(byte* p, out ulong m0, out ulong m1, out ulong m2)
    {
        m1 = m2 = 0;
        if (Ending(ReadWord(p), out m0, out int length)) return p + length;
        if (Ending(ReadWord(p + 8), out m1, out length)) return p + 8 + length;
        if (Ending(ReadWord(p + 16), out m2, out length)) return p + 16 + length;
        return null;
    }

    /// <summary>
    /// Whether the mnemonic ends in <paramref name="w"/>, after <paramref name="length"/> bytes; <paramref name="part"/>
    /// is its part in the word, lowered (the bytes past its end masked off).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Ending(ulong w, out ulong part, out int length)
    {
        ulong ends = Ends(w);
        if (ends == 0)
        {
            part = Lower(w);
            length = 8;
            return false;
        }
        length = BitCount.TrailingZeros(ends) >> 3;
        part = Lower(w & ((1UL << (8 * length)) - 1));
        return true;
    }

    /// <summary>
    /// Bit 7 set in the lowest byte of <paramref name="w"/> that is below '!' or is ';' (and perhaps in bytes above it,
    /// where a borrow spills: only the lowest is read). A byte past ASCII is neither.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Ends(ulong w)
    {
        const ulong Ones = 0x0101010101010101UL, Highs = 0x8080808080808080UL;
        ulong semicolons = w ^ (';' * Ones);
        return ((w - '!' * Ones) & ~w | (semicolons - Ones) & ~semicolons) & Highs;
    }

    /// <summary>
    /// The mnemonic at <paramref name="p"/> read a byte at a time, as the lexer reads an identifier: its end, or null
    /// when it is longer than any the table has or goes on past ASCII.
    /// </summary>
    private static byte* MnemonicBytes(byte* p, out ulong m0, out ulong m1, out ulong m2)
    {
        m0 = m1 = m2 = 0;
        byte* m = p;
        while (IsIdentPart(*p)) p++;
        int length = (int)(p - m);
        if (length > MaxMnemonic || *p >= 128) return null;
        Words(m, length, out m0, out m1, out m2);
        m0 = Lower(m0);
        m1 = Lower(m1);
        m2 = Lower(m2);
        return p;
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="p"/> as three words of eight, first byte lowest, zero-padded.</summary>
    private static void Words(byte* p, int length, out ulong m0, out ulong m1, out ulong m2)
    {
        m0 = m1 = m2 = 0;
        for (int k = 0; k < length; k++)
        {
            ulong b = (ulong)p[k] << ((k & 7) << 3);
            if (k < 8) m0 |= b;
            else if (k < 16) m1 |= b;
            else m2 |= b;
        }
    }

    /// <summary>
    /// The ASCII letters of a word of eight characters in lower case. A byte past ASCII may spill into the flags of
    /// the byte above it, but only ever sets bits: the word keeps a byte past ASCII, and so matches no mnemonic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Lower(ulong word)
    {
        const ulong Ones = 0x0101010101010101UL;
        // Bit 7 of each byte: at least 'A', and then more than 'Z' (each sum stays within its byte).
        ulong atLeastA = word + (0x80 - 'A') * Ones, pastZ = word + (0x80 - 'Z' - 1) * Ones;
        ulong upper = atLeastA & ~pastZ & 0x8080808080808080UL;
        return word | upper >> 2;
    }

    private static byte Lower(byte c) => (uint)(c - 'A') <= 'Z' - 'A' ? (byte)(c | 0x20) : c;

    /// <summary>The end of the identifier token at <paramref name="p"/>; null when there is none or it may go on past ASCII.</summary>
    private static byte* WordEnd(byte* p)
    {
        byte* s = p;
        while (IsIdentPart(*p)) p++;
        return p == s || *p >= 128 ? null : p;
    }

    /// <summary>1–3 decimal digits without a leading zero (but "0"), at most <paramref name="max"/>: the end, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Digits(byte* p, int max, out int number)
    {
        number = 0;
        if (!IsDigit(*p)) return null;
        int v = *p++ - '0';
        if (v != 0 && IsDigit(*p))
        {
            v = v * 10 + *p++ - '0';
            if (IsDigit(*p)) v = v * 10 + *p++ - '0';
        }
        number = v;
        return v <= max ? p : null;
    }

    /// <summary>The register the identifier at <paramref name="p"/> names, read as ParseOperand does (lowered): its end, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Register(byte* p, out OperandKind kind, out int number)
    {
        // The usual spelling first: a file letter and 1–3 digits without a leading zero, within the file, ending the
        // identifier (TryRegister's Numbered). Anything else is left to TryRegister itself.
        int file = s_classes[*p] >> FileShift;
        uint v;
        if (file != 0 && (v = (uint)(p[1] - '0')) <= 9) // p[1] is read only past a letter, so at most the '\n'
        {
            byte* e = p + 2;
            uint d = (uint)(*e - '0');
            if (v != 0 && d <= 9)
            {
                v = v * 10 + d;
                d = (uint)(*++e - '0');
                if (d <= 9)
                {
                    v = v * 10 + d;
                    e++;
                }
            }
            // The largest number of r, f, p and b, a byte each.
            uint max = 0x073F7F7Fu >> (8 * (file - 1)) & 0xff;
            if (v <= max && (s_classes[*e] & GoesOnClass) == 0)
            {
                kind = (OperandKind)((int)OperandKind.Gr + file - 1);
                number = (int)v;
                return e;
            }
        }
        return RegisterSlow(p, out kind, out number);
    }

    private static byte* RegisterSlow(byte* p, out OperandKind kind, out int number)
    {
        kind = default;
        number = 0;
        // Any identifier up to a symbol's length is asked: ar.NAME and cr.NAME are long, and a name that is a register
        // must not be taken for a symbol.
        byte* end = WordEnd(p);
        if (end is null || end - p > MaxSymbol) return null;
        Span<char> lower = stackalloc char[MaxSymbol];
        int length = (int)(end - p);
        for (int k = 0; k < length; k++) lower[k] = (char)Lower(p[k]);
        return InstructionSyntaxParser.TryRegister(lower.Slice(0, length), out kind, out number) ? end : null;
    }

    /// <summary>
    /// The number token at <paramref name="p"/>, as the lexer reads it: decimal (up to 2^64 - 1) or 0x with 1–16
    /// digits, as 64 bits. Returns the end, or null for anything the lexer would not take as a plain number (no
    /// digit, overflow, letters after it as in 1b/1f or 12ab, non-ASCII).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Number(byte* p, out long value)
    {
        value = 0;
        if (!IsDigit(*p)) return null;
        if (p[0] == '0' && (p[1] | 0x20) == 'x')
        {
            byte* s = p += 2;
            ulong hex = 0;
            for (int h; (h = Hex(*p)) >= 0; p++) hex = hex << 4 | (uint)h;
            if (p == s || p - s > 16) return null;
            value = (long)hex;
        }
        else
        {
            // Up to 19 digits cannot overflow 64 bits; only a longer number needs each step checked.
            byte* s = p;
            ulong dec = 0;
            for (; IsDigit(*p); p++) dec = dec * 10 + (uint)(*p - '0');
            if (p - s > 19 && !CheckedDecimal(s, p, out dec)) return null;
            value = (long)dec;
        }
        return *p >= 128 || IsIdentPart(*p) ? null : p;
    }

    /// <summary>The decimal digits from <paramref name="p"/> to <paramref name="end"/>, or false when they exceed 2^64 − 1.</summary>
    private static bool CheckedDecimal(byte* p, byte* end, out ulong value)
    {
        value = 0;
        for (; p < end; p++)
        {
            uint d = (uint)(*p - '0');
            if (value > (ulong.MaxValue - d) / 10) return false;
            value = value * 10 + d;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hex(byte c) =>
        IsDigit(c) ? c - '0' : (uint)((c | 0x20) - 'a') <= 5 ? (c | 0x20) - 'a' + 10 : -1;
}
