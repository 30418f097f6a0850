using System;
using System.Collections.Generic;
using System.Threading;

namespace IvtGen.Isa;

/// <summary>
/// The common instruction line — <c>(p6) add r1=r2,r3 ;; // x</c> — read and matched to its form in one pass over
/// its characters, for what the lexer, <see cref="InstructionSyntaxParser"/> and <see cref="FormMatcher"/> give it
/// in several. The result must be the general path's exactly, so this takes only lines whose every token it reads
/// as they do: an optional (pN), a mnemonic, operands that are registers r/f/p/b (and the aliases
/// <see cref="InstructionSyntaxParser.TryRegister"/> knows), [rN] or integer literals, at most one '=', an optional
/// ';;' and comment. Anything else (labels, braces, directives, names, expressions, non-ASCII, odd numbers, a
/// statement after ';;') and any line it cannot match is declined: the general path reads it as before, and writes
/// whatever error it has. One instance per <see cref="SourceParser"/> (chunks parse on several threads).
/// </summary>
internal sealed class FastLine
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

    // Written operand kinds, three bits each in a shape code (0 is no operand).
    private const uint WGr = 1, WFr = 2, WPr = 3, WBr = 4, WMem = 5, WImm = 6;

    /// <summary>A mnemonic with one shape of written operands, and the forms that shape can match, in table order.</summary>
    private sealed class Shape
    {
        public string Mnemonic = "";
        public uint Code;
        public int Hash;
        /// <summary>Null when lines of this shape are left to the general path.</summary>
        public Form[]? Candidates;
    }

    private Shape?[] _shapes = new Shape?[64];
    private int _shapeCount;

    private const int MaxRegister = 8, MaxShapes = 1 << 14;

    /// <summary>
    /// Reads and matches <paramref name="line"/>, or returns false (having changed nothing) when it is not a line
    /// this path takes. On success <paramref name="values"/> (room for <see cref="ParsedSource.MaxOperands"/>) holds
    /// the <paramref name="count"/> operand values; <paramref name="column"/> is the first token's (the '(' of a qp,
    /// else the mnemonic's), as the general path records it; <paramref name="stopColumn"/> is that of a trailing
    /// ';;', or 0. <paramref name="others"/> are the matches on other units SourceParser.OtherUnits would find.
    /// </summary>
    public bool TryParse(ReadOnlySpan<char> line, Span<long> values, out Form form, out int qp, out int count, out int column, out int stopColumn,
        out MatchedInstruction[]? others)
    {
        form = null!;
        others = null;
        qp = 0;
        count = 0;
        stopColumn = 0;
        var written = _written;
        int negated = 0;
        int n = line.Length;
        int i = SkipBlanks(line, 0);
        column = i + 1;
        if (i < n && line[i] == '(')
        {
            // As ParseInstruction reads it: the register as written (GNU as does not take (P6)), not lowered.
            i = SkipBlanks(line, i + 1);
            int s = i;
            i = WordEnd(line, i);
            if (i < 0 || !InstructionSyntaxParser.TryRegister(line.Slice(s, i - s), out var k, out qp) || k != OperandKind.Pr) return false;
            i = SkipBlanks(line, i);
            if (i >= n || line[i] != ')') return false;
            i = SkipBlanks(line, i + 1);
        }

        // The mnemonic, hashed as lowered (ASCII only, as SetMnemonic lowers it). A letter first: '.' starts a
        // directive, a digit a number.
        if (i >= n || !IsLetter(line[i])) return false;
        int ms = i;
        uint hash = 2166136261;
        for (; i < n && IsIdentPart(line[i]); i++) hash = (hash ^ Lower(line[i])) * 16777619;
        if (i < n && line[i] >= 128) return false;
        var mnemonic = line.Slice(ms, i - ms);

        // Operands. What follows the mnemonic can also make the line a label (':') or an assignment ('='): neither
        // starts an operand, so both are declined here.
        int outputs = 0;
        uint kinds = 0;
        i = SkipBlanks(line, i);
        if (i < n && line[i] != ';' && line[i] != '#' && line[i] != '/')
        {
            while (true)
            {
                if (i >= n || count == ParsedSource.MaxOperands) return false;
                char c = line[i];
                uint kind;
                long value;
                if (c == '[')
                {
                    i = SkipBlanks(line, i + 1);
                    i = Register(line, i, out var k, out int r);
                    if (i < 0 || k != OperandKind.Gr) return false;
                    i = SkipBlanks(line, i);
                    if (i >= n || line[i] != ']') return false;
                    i++;
                    kind = WMem;
                    value = r;
                }
                else if (IsLetter(c))
                {
                    i = Register(line, i, out var k, out int r);
                    if (i < 0) return false;
                    kind = k switch { OperandKind.Gr => WGr, OperandKind.Fr => WFr, OperandKind.Pr => WPr, OperandKind.Br => WBr, _ => 0 };
                    if (kind == 0) return false; // ar/cr: their forms are for the general path
                    value = r;
                }
                else if (c == '-')
                {
                    // ParseOperand's negated literal: the number's 64 bits, negated with wrap-around.
                    i = SkipBlanks(line, i + 1);
                    i = Number(line, i, out long v);
                    if (i < 0) return false;
                    kind = WImm;
                    value = unchecked(-v);
                    negated |= 1 << count;
                }
                else
                {
                    i = Number(line, i, out value);
                    if (i < 0) return false;
                    kind = WImm;
                }
                written[count] = value;
                kinds |= kind << (3 * count);
                count++;
                // A register or literal ends at ',', '=', ';;', a comment or the line's end; anything else (an
                // operator, say) makes an expression of it, which this path does not read.
                i = SkipBlanks(line, i);
                if (i < n && line[i] == ',')
                {
                    i = SkipBlanks(line, i + 1);
                    continue;
                }
                if (i < n && line[i] == '=')
                {
                    if (outputs != 0) return false;
                    outputs = count;
                    i = SkipBlanks(line, i + 1);
                    continue;
                }
                break;
            }
        }
        if (i + 1 < n && line[i] == ';' && line[i + 1] == ';')
        {
            stopColumn = i + 1;
            i = SkipBlanks(line, i + 2);
        }
        if (i < n && line[i] != '#' && !(line[i] == '/' && i + 1 < n && line[i + 1] == '/')) return false;

        uint code = (uint)count | (uint)outputs << 4 | kinds << 8;
        var candidates = Find(mnemonic, code, (int)(hash ^ code * 0x9E3779B1u)).Candidates;
        if (candidates is null) return false;
        var operands = new Written(written.AsSpan(0, count), code, negated, qp);
        foreach (var f in candidates)
        {
            if (!Fits(f, operands, values)) continue;
            form = f;
            if (SourceParser.MayHaveTwin(f)) others = OtherUnits(candidates, f, operands);
            return true;
        }
        return false; // nothing fits: the general path says why
    }

    private readonly long[] _written = new long[ParsedSource.MaxOperands];

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
    /// Whether <paramref name="f"/> (a candidate: its operand kinds fit) takes the operands, as FormMatcher.Match
    /// decides it; on success <paramref name="values"/> holds the form's values (the written ones, 0 for fixed tokens).
    /// </summary>
    private static bool Fits(Form f, in Written w, Span<long> values)
    {
        if (w.Qp != 0 && (f.Pattern.Mask & 0x3f) != 0) return false; // cannot be predicated
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            long v = values[i] = w.Values[i];
            // MatchOperand's checks, without composing the messages only the general path needs.
            switch (op.Kind)
            {
                case OperandKind.Fixed:
                    values[i] = 0; // MatchOperand gives a fixed token no value
                    if (!w.Syntax(i).IsSpelled(op.Text!)) return false;
                    continue;
                case OperandKind.Imm when op.Field is null:
                    continue; // codec-encoded: the codec checks it
                case OperandKind.Gr when op.IsOutput && v == 0:
                case OperandKind.Fr when op.IsOutput && v < 2:
                    return false;
            }
            // FieldCheck's two tests; CheckOperand composes a message only on failure (MinReg), which is rare.
            if (InstructionEncoder.CheckOperand(op, v) is not null) return false;
            if (op.Field is not null && !op.TryToStored(v, out _)) return false;
        }
        if (f.Codec is not null)
        {
            var word = new InsnWord(f.Pattern.Value);
            if (f.Codec.Encode(InstructionEncoder.CodecArgument(values.Slice(0, ops.Length)), ref word) is not null) return false;
        }
        return true;
    }

    /// <summary>
    /// SourceParser.OtherUnits over the same forms (the candidates are the forms its TryMatch would try): the first
    /// fit on a unit not yet seen, then the next, until none is left.
    /// </summary>
    private static MatchedInstruction[]? OtherUnits(Form[] candidates, Form chosen, in Written w)
    {
        // Most such lines have none (mov r=imm is flagged for mov r=ip's sake): nothing is allocated until one fits.
        List<MatchedInstruction>? list = null;
        int seen = Bundler.MaskOf(chosen.Unit);
        Span<long> values = stackalloc long[ParsedSource.MaxOperands];
        values = values.Slice(0, w.Values.Length);
        while (true)
        {
            Form? other = null;
            foreach (var f in candidates)
                if ((Bundler.MaskOf(f.Unit) & seen) == 0 && Fits(f, w, values))
                {
                    other = f;
                    break;
                }
            if (other is null) return list?.ToArray();
            (list ??= new List<MatchedInstruction>()).Add(new MatchedInstruction(other, w.Qp, values.ToArray(), Array.Empty<PendingOperand>()));
            seen |= Bundler.MaskOf(other.Unit);
        }
    }

    // ---- The shapes seen, by mnemonic and operand kinds ----

    private Shape Find(ReadOnlySpan<char> mnemonic, uint code, int hash)
    {
        int mask = _shapes.Length - 1;
        for (int k = hash & mask; ; k = (k + 1) & mask)
        {
            var s = _shapes[k];
            if (s is null) break;
            if (s.Hash == hash && s.Code == code && IsLowered(mnemonic, s.Mnemonic)) return s;
        }
        var lower = new char[mnemonic.Length];
        for (int k = 0; k < lower.Length; k++) lower[k] = Lower(mnemonic[k]);
        var shape = new Shape { Mnemonic = new string(lower), Code = code, Hash = hash };
        shape.Candidates = Candidates(shape.Mnemonic, code);
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

    /// <summary>Whether <paramref name="written"/> lowered is <paramref name="lower"/>.</summary>
    private static bool IsLowered(ReadOnlySpan<char> written, string lower)
    {
        if (written.Length != lower.Length) return false;
        for (int k = 0; k < written.Length; k++)
            if (Lower(written[k]) != lower[k]) return false;
        return true;
    }

    private void Insert(Shape s)
    {
        int mask = _shapes.Length - 1;
        int k = s.Hash & mask;
        while (_shapes[k] is not null) k = (k + 1) & mask;
        _shapes[k] = s;
    }

    /// <summary>
    /// The forms of <paramref name="mnemonic"/> that operands of this shape can match, in table order: FormMatcher's
    /// count, '=' and KindsFit filters, which depend on the shape only (but for fixed tokens such as r0 or 1, which
    /// are kept when some value could spell them, for Fits to decide). Null, to leave the shape to the general path,
    /// when the mnemonic is unknown or a form would leave an operand pending (a literal as a branch target).
    /// </summary>
    private static Form[]? Candidates(string mnemonic, uint code)
    {
        if (!InstructionTable.TryGetForms(mnemonic, out var forms)) return null;
        int count = (int)(code & 15), outputs = (int)(code >> 4 & 15);
        var list = new List<Form>();
        foreach (var f in forms)
        {
            if (f.Operands.Length != count || f.Outputs != outputs) continue;
            bool fits = true, sure = true;
            for (int i = 0; i < count && fits; i++)
            {
                var op = f.Operands[i];
                uint w = code >> (8 + 3 * i) & 7;
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
            if (!fits) continue;
            if (!sure) return null;
            list.Add(f);
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

    // ---- Characters, as the lexer classes them ----

    private static int SkipBlanks(ReadOnlySpan<char> line, int i)
    {
        while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
        return i;
    }

    private static bool IsLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>The lexer's identifier characters in ASCII: letters, digits, '_', '.', '@' (false for anything else).</summary>
    private static bool IsIdentPart(char c) => c < 128 && s_identPart[c];

    private static readonly bool[] s_identPart = BuildIdentPart();

    private static bool[] BuildIdentPart()
    {
        var t = new bool[128];
        for (int c = 0; c < 128; c++) t[c] = IsLetter((char)c) || (uint)(c - '0') <= 9 || c is '_' or '.' or '@';
        return t;
    }

    private static char Lower(char c) => (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;

    /// <summary>The end of the identifier token at <paramref name="i"/>; -1 when there is none or it may go on in non-ASCII.</summary>
    private static int WordEnd(ReadOnlySpan<char> line, int i)
    {
        int s = i;
        while (i < line.Length && IsIdentPart(line[i])) i++;
        if (i == s || (i < line.Length && line[i] >= 128)) return -1;
        return i;
    }

    /// <summary>The register the identifier at <paramref name="i"/> names, read as ParseOperand does (lowered); returns the end or -1.</summary>
    private static int Register(ReadOnlySpan<char> line, int i, out OperandKind kind, out int number)
    {
        // The usual spelling first: a file letter and 1–3 digits without a leading zero, within the file, ending the
        // identifier (TryRegister's Numbered). Anything else is left to TryRegister itself.
        int n = line.Length;
        number = 0;
        if (i >= n)
        {
            kind = default;
            return -1;
        }
        int max;
        switch (line[i] | 0x20)
        {
            case 'r': kind = OperandKind.Gr; max = 127; break;
            case 'f': kind = OperandKind.Fr; max = 127; break;
            case 'p': kind = OperandKind.Pr; max = 63; break;
            case 'b': kind = OperandKind.Br; max = 7; break;
            default: kind = default; max = -1; break;
        }
        int j = i + 1;
        if (max >= 0 && j < n && (uint)(line[j] - '0') <= 9)
        {
            number = line[j++] - '0';
            if (number != 0)
                for (int k = 0; k < 2 && j < n && (uint)(line[j] - '0') <= 9; k++) number = number * 10 + line[j++] - '0';
            if (number <= max && (j >= n || (line[j] < 128 && !IsIdentPart(line[j])))) return j;
        }
        return RegisterSlow(line, i, out kind, out number);
    }

    private static int RegisterSlow(ReadOnlySpan<char> line, int i, out OperandKind kind, out int number)
    {
        kind = default;
        number = 0;
        int end = WordEnd(line, i);
        if (end < 0 || end - i > MaxRegister) return -1;
        Span<char> lower = stackalloc char[MaxRegister];
        for (int k = i; k < end; k++) lower[k - i] = Lower(line[k]);
        return InstructionSyntaxParser.TryRegister(lower.Slice(0, end - i), out kind, out number) ? end : -1;
    }

    /// <summary>
    /// The number token at <paramref name="i"/>, as the lexer reads it: decimal (up to 2^64 - 1) or 0x with 1–16
    /// digits, as 64 bits. Returns the end, or -1 for anything the lexer would not take as a plain number (no
    /// digit, overflow, letters after it as in 1b/1f or 12ab, non-ASCII).
    /// </summary>
    private static int Number(ReadOnlySpan<char> line, int i, out long value)
    {
        value = 0;
        int n = line.Length;
        if (i >= n || (uint)(line[i] - '0') > 9) return -1;
        if (line[i] == '0' && i + 1 < n && (line[i + 1] | 0x20) == 'x')
        {
            int s = i + 2;
            ulong hex = 0;
            for (i = s; i < n && Hex(line[i]) is var h && h >= 0; i++) hex = hex << 4 | (uint)h;
            if (i == s || i - s > 16) return -1;
            value = (long)hex;
        }
        else
        {
            ulong dec = 0;
            for (; i < n && (uint)(line[i] - '0') <= 9; i++)
            {
                uint d = (uint)(line[i] - '0');
                if (dec > (ulong.MaxValue - d) / 10) return -1;
                dec = dec * 10 + d;
            }
            value = (long)dec;
        }
        if (i < n && (line[i] >= 128 || IsIdentPart(line[i]))) return -1;
        return i;
    }

    private static int Hex(char c) =>
        (uint)(c - '0') <= 9 ? c - '0' : (uint)((c | 0x20) - 'a') <= 5 ? (c | 0x20) - 'a' + 10 : -1;
}
