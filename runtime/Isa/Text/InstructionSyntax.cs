using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// An instruction as written: qualifying predicate, mnemonic, operands and where '=' stood. The parser fills
/// one instance per source line it reads (nothing is allocated per instruction); it is valid until the next parse.
/// </summary>
public sealed class InstructionSyntax
{
    private OperandSyntax[] _operands = new OperandSyntax[8];

    public int Qp { get; internal set; }
    /// <summary>The mnemonic in lower case.</summary>
    public string Mnemonic { get; internal set; } = "";
    public int MnemonicColumn { get; internal set; }
    /// <summary>The table's forms spelled <see cref="Mnemonic"/>, in table order; null when the table has none.</summary>
    public Form[]? Forms { get; internal set; }
    public int OperandCount { get; private set; }
    public ReadOnlySpan<OperandSyntax> Operands => _operands.AsSpan(0, OperandCount);
    /// <summary>Operands before '='; 0 when there was no '='.</summary>
    public int Outputs { get; internal set; }

    internal void Clear()
    {
        Qp = 0;
        Mnemonic = "";
        MnemonicColumn = 0;
        Forms = null;
        OperandCount = 0;
        Outputs = 0;
    }

    internal void Add(in OperandSyntax op)
    {
        if (OperandCount == _operands.Length) Array.Resize(ref _operands, OperandCount * 2);
        _operands[OperandCount++] = op;
    }
}

/// <summary>A syntax error with its 1-based column.</summary>
public sealed class SyntaxError : Exception
{
    public int Column { get; }
    public SyntaxError(string message, int column) : base(message) => Column = column;
}

/// <summary>
/// Parses the tokens of one instruction (GNU as syntax) into an <see cref="InstructionSyntax"/>. One parser
/// reads a whole source: it keeps its syntax object and fills it again for each instruction.
/// </summary>
public sealed class InstructionSyntaxParser
{
    private readonly InstructionSyntax _s = new();
    private TokenLine _t = null!;
    private int _i;

    /// <summary>Parses from <paramref name="start"/>; stops before a trailing ';;' or '}' and reports where it stopped.</summary>
    public InstructionSyntax Parse(TokenLine tokens, int start, out int end)
    {
        Begin(tokens, start);
        ParseInstruction();
        end = _i;
        return _s;
    }

    /// <summary>Parses an operand list with no mnemonic before it (a directive's arguments), as an instruction's would be.</summary>
    public InstructionSyntax ParseOperands(TokenLine tokens, int start, out int end)
    {
        Begin(tokens, start);
        if (!AtEnd) ParseOperandList();
        end = _i;
        return _s;
    }

    private void Begin(TokenLine tokens, int start)
    {
        _t = tokens;
        _i = start;
        _s.Clear();
    }

    private ref readonly Token Peek => ref _t[_i];
    private ref readonly Token Next() => ref _t[_i++];

    private void ParseInstruction()
    {
        if (Peek.Is(Punct.LParen))
        {
            Next();
            ref readonly var q = ref Next();
            // The predicate is matched as written: GNU as does not take (P6).
            if (q.Kind != TokenKind.Ident || !TryRegister(_t.Span(q), out var k, out int n) || k != OperandKind.Pr)
                throw new SyntaxError($"expected a predicate register, found {_t.Describe(q)}", q.Column);
            _s.Qp = n;
            Expect(Punct.RParen);
        }
        ref readonly var m = ref Next();
        if (m.Kind != TokenKind.Ident) throw new SyntaxError($"expected a mnemonic, found {_t.Describe(m)}", m.Column);
        SetMnemonic(m);
        if (AtEnd) return;
        ParseOperandList();
    }

    private static readonly SpanMap<Form[]> s_forms = BuildForms();

    private static SpanMap<Form[]> BuildForms()
    {
        var list = new List<KeyValuePair<string, Form[]>>();
        foreach (var name in InstructionTable.Mnemonics)
        {
            InstructionTable.TryGetForms(name, out var forms);
            list.Add(new KeyValuePair<string, Form[]>(name, forms));
        }
        return new SpanMap<Form[]>(list);
    }

    private void SetMnemonic(in Token m)
    {
        Span<char> buffer = stackalloc char[LowerBuffer];
        var lower = Lower(_t, m, buffer, out string? lowered);
        _s.MnemonicColumn = m.Column;
        if (s_forms.TryGetValue(lower, out string key, out var forms))
        {
            _s.Mnemonic = key;
            _s.Forms = forms;
        }
        else _s.Mnemonic = lowered ?? lower.ToString();
    }

    private const int LowerBuffer = 64;

    /// <summary>
    /// The token in lower case (as ToLowerInvariant gives it): ASCII into <paramref name="buffer"/>, anything else
    /// through a string, returned in <paramref name="lowered"/>.
    /// </summary>
    private static ReadOnlySpan<char> Lower(TokenLine line, in Token t, Span<char> buffer, out string? lowered)
    {
        var s = line.Span(t);
        lowered = null;
        if (s.Length <= buffer.Length)
        {
            int k = 0;
            for (; k < s.Length; k++)
            {
                char c = s[k];
                if (c >= 128) break;
                buffer[k] = (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;
            }
            if (k == s.Length) return buffer.Slice(0, k);
        }
        lowered = line.Text(t).ToLowerInvariant();
        return lowered.AsSpan();
    }

    private void ParseOperandList()
    {
        while (true)
        {
            _s.Add(ParseOperand());
            if (Peek.Is(Punct.Comma)) { Next(); continue; }
            if (Peek.Is(Punct.Equals))
            {
                if (_s.Outputs != 0) throw new SyntaxError("a second '='", Peek.Column);
                Next();
                _s.Outputs = _s.OperandCount;
                continue;
            }
            break;
        }
        if (!AtEnd) throw new SyntaxError($"unexpected {_t.Describe(Peek)} after operands", Peek.Column);
    }

    // What ends a statement's operands: the line, a stop, a bundle's '}', or ';', which GNU as reads as a statement
    // separator (Linux writes `.mem.offset 0,0; st8.spill [r16]=r8,16`).
    private bool AtEnd => Peek.Kind == TokenKind.End || Peek.Is(Punct.Stop) || Peek.Is(Punct.RBrace) || Peek.Is(Punct.Semicolon);

    private void Expect(Punct p)
    {
        ref readonly var t = ref Next();
        if (!t.Is(p)) throw new SyntaxError($"expected '{Text(p)}', found {_t.Describe(t)}", t.Column);
    }

    private static string Text(Punct p) => p switch { Punct.RParen => ")", Punct.RBracket => "]", _ => p.ToString() };

    private OperandSyntax ParseOperand()
    {
        ref readonly var t = ref Peek;
        int column = t.Column;
        if (t.Is(Punct.LBracket))
        {
            Next();
            int n = ExpectGr();
            Expect(Punct.RBracket);
            return new OperandSyntax { Kind = OperandSyntaxKind.Memory, Number = n, Column = column };
        }
        if (t.Kind == TokenKind.Ident)
        {
            Span<char> buffer = stackalloc char[LowerBuffer];
            var lower = Lower(_t, t, buffer, out _);
            if (_t[_i + 1].Is(Punct.LBracket) && IndirectFile(lower) is { } file)
            {
                Next(); Next();
                int n = ExpectGr();
                Expect(Punct.RBracket);
                return new OperandSyntax { Kind = OperandSyntaxKind.Indirect, Name = file, Number = n, Column = column };
            }
            if (TryRegister(lower, out var kind, out int reg) && IsOperandEnd(_t[_i + 1]))
            {
                Next();
                return new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = kind, Number = reg, Column = column };
            }
        }
        // Literal numbers, alone or negated, are most immediates: their value needs no expression tree.
        if (t.Kind == TokenKind.Number && Prec(_t[_i + 1]) == 0)
        {
            Next();
            return new OperandSyntax { Kind = OperandSyntaxKind.Expression, Value = t.Value, IsNumber = true, Column = column };
        }
        if (t.Is(Punct.Minus) && _t[_i + 1].Kind == TokenKind.Number && Prec(_t[_i + 2]) == 0)
        {
            Next();
            long v = Next().Value;
            return new OperandSyntax { Kind = OperandSyntaxKind.Expression, Value = unchecked(-v), Column = column };
        }
        var e = ParseExpr(0);
        if (e is Expr.Number literal)
            return new OperandSyntax { Kind = OperandSyntaxKind.Expression, Value = literal.Value, IsNumber = true, Column = column };
        string? name = e is Expr.Symbol s ? s.Name : null;
        return new OperandSyntax { Kind = OperandSyntaxKind.Expression, Expr = e, Name = name, Column = column };
    }

    private static string? IndirectFile(ReadOnlySpan<char> name)
    {
        foreach (var f in Registers.IndirectFiles)
            if (name.SequenceEqual(f.AsSpan())) return f;
        return null;
    }

    private static bool IsOperandEnd(in Token t) =>
        t.Kind == TokenKind.End || t.Punct is Punct.Comma or Punct.Equals or Punct.Stop or Punct.Semicolon or Punct.RBrace or Punct.RBracket;

    private int ExpectGr()
    {
        ref readonly var t = ref Next();
        Span<char> buffer = stackalloc char[LowerBuffer];
        if (t.Kind != TokenKind.Ident || !TryRegister(Lower(_t, t, buffer, out _), out var k, out int n) || k != OperandKind.Gr)
            throw new SyntaxError($"expected a general register, found {_t.Describe(t)}", t.Column);
        return n;
    }

    // Precedence climbing: | ^ & << >> + - * / %
    private static int Prec(in Token t) => t.Punct switch
    {
        Punct.Bar => 1,
        Punct.Caret => 2,
        Punct.Ampersand => 3,
        Punct.ShiftLeft or Punct.ShiftRight => 4,
        Punct.Plus or Punct.Minus => 5,
        Punct.Star or Punct.Slash or Punct.Percent => 6,
        _ => 0,
    };

    private static string OperatorText(Punct p) => p switch
    {
        Punct.Bar => "|",
        Punct.Caret => "^",
        Punct.Ampersand => "&",
        Punct.ShiftLeft => "<<",
        Punct.ShiftRight => ">>",
        Punct.Plus => "+",
        Punct.Minus => "-",
        Punct.Star => "*",
        Punct.Slash => "/",
        _ => "%",
    };

    private Expr ParseExpr(int minPrec)
    {
        var left = ParseUnary();
        while (Prec(Peek) > minPrec)
        {
            ref readonly var op = ref Next();
            var right = ParseExpr(Prec(op));
            left = new Expr.Binary(OperatorText(op.Punct), left, right, op.Column);
        }
        return left;
    }

    private Expr ParseUnary()
    {
        ref readonly var t = ref Next();
        switch (t.Kind)
        {
            case TokenKind.Number: return new Expr.Number(t.Value, t.Column);
            case TokenKind.LocalRef: return new Expr.Symbol(_t.Text(t), t.Column);
            case TokenKind.Ident: return new Expr.Symbol(_t.Text(t), t.Column);
        }
        switch (t.Punct)
        {
            case Punct.Minus: return new Expr.Unary('-', ParseUnary(), t.Column);
            case Punct.Tilde: return new Expr.Unary('~', ParseUnary(), t.Column);
            case Punct.Plus: return ParseUnary();
            case Punct.LParen:
                var e = ParseExpr(0);
                Expect(Punct.RParen);
                return e;
        }
        throw new SyntaxError($"expected an operand, found {_t.Describe(t)}", t.Column);
    }

    private static readonly SpanMap<int> s_arNames = NamedRegisters(Registers.ArName, "ar.");
    private static readonly SpanMap<int> s_crNames = NamedRegisters(Registers.CrName, "cr.");

    private static SpanMap<int> NamedRegisters(Func<int, string> name, string prefix)
    {
        var list = new List<KeyValuePair<string, int>>();
        for (int n = 0; n < 128; n++)
        {
            string s = name(n);
            if (s.StartsWith(prefix, StringComparison.Ordinal)) list.Add(new KeyValuePair<string, int>(s.Substring(prefix.Length), n));
        }
        return new SpanMap<int>(list);
    }

    /// <summary>r0–r127, f0–f127, p0–p63, b0–b7, ar.NAME/arN, cr.NAME/crN and GNU's aliases gp, sp, tp, rp, ret0–3.</summary>
    public static bool TryRegister(ReadOnlySpan<char> s, out OperandKind kind, out int n)
    {
        kind = OperandKind.Gr;
        n = 0;
        if (s.Length < 2) return false;
        switch (s[0])
        {
            case 'g' when s.Length == 2 && s[1] == 'p': n = 1; return true;
            case 's' when s.Length == 2 && s[1] == 'p': n = 12; return true;
            case 't' when s.Length == 2 && s[1] == 'p': n = 13; return true;
            case 'r' when s.Length == 2 && s[1] == 'p': kind = OperandKind.Br; n = 0; return true;
            case 'r' when s.Length == 4 && s[1] == 'e' && s[2] == 't' && (uint)(s[3] - '0') <= 3: n = 8 + (s[3] - '0'); return true;
            case 'r': return Numbered(s.Slice(1), OperandKind.Gr, 127, out kind, out n);
            case 'f': return Numbered(s.Slice(1), OperandKind.Fr, 127, out kind, out n);
            case 'p': return Numbered(s.Slice(1), OperandKind.Pr, 63, out kind, out n);
            case 'b': return Numbered(s.Slice(1), OperandKind.Br, 7, out kind, out n);
            case 'a' when s[1] == 'r':
                if (s.Length > 2 && s[2] == '.') { kind = OperandKind.Ar; return s_arNames.TryGetValue(s.Slice(3), out n); }
                return Numbered(s.Slice(2), OperandKind.Ar, 127, out kind, out n);
            case 'c' when s[1] == 'r':
                if (s.Length > 2 && s[2] == '.') { kind = OperandKind.Cr; return s_crNames.TryGetValue(s.Slice(3), out n); }
                return Numbered(s.Slice(2), OperandKind.Cr, 127, out kind, out n);
        }
        return false;
    }

    /// <summary>1–3 decimal digits without a leading zero (but "0"), at most <paramref name="max"/>.</summary>
    private static bool Numbered(ReadOnlySpan<char> digits, OperandKind k, int max, out OperandKind kind, out int n)
    {
        kind = OperandKind.Gr;
        n = 0;
        if (digits.Length == 0 || digits.Length > 3 || (digits.Length > 1 && digits[0] == '0')) return false;
        int v = 0;
        foreach (char c in digits)
        {
            if (c < '0' || c > '9') return false;
            v = v * 10 + (c - '0');
        }
        n = v;
        kind = k;
        return v <= max;
    }
}
