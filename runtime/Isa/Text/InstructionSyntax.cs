using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IvtGen.Isa;

/// <summary>An instruction as written: qualifying predicate, mnemonic, operands and where '=' stood.</summary>
public sealed class InstructionSyntax
{
    public int Qp { get; init; }
    public string Mnemonic { get; init; } = "";
    public int MnemonicColumn { get; init; }
    public List<OperandSyntax> Operands { get; } = new();
    /// <summary>Operands before '='; 0 when there was no '='.</summary>
    public int Outputs { get; set; }
}

/// <summary>A syntax error with its 1-based column.</summary>
public sealed class SyntaxError : Exception
{
    public int Column { get; }
    public SyntaxError(string message, int column) : base(message) => Column = column;
}

/// <summary>Parses the tokens of one instruction (GNU as syntax) into <see cref="InstructionSyntax"/>.</summary>
public sealed class InstructionSyntaxParser
{
    private readonly List<Token> _t;
    private int _i;

    private InstructionSyntaxParser(List<Token> tokens, int start)
    {
        _t = tokens;
        _i = start;
    }

    /// <summary>Parses from <paramref name="start"/>; stops before a trailing ';;' or '}' and reports where it stopped.</summary>
    public static InstructionSyntax Parse(List<Token> tokens, int start, out int end)
    {
        var p = new InstructionSyntaxParser(tokens, start);
        var r = p.ParseInstruction();
        end = p._i;
        return r;
    }

    private Token Peek => _t[_i];
    private Token Next() => _t[_i++];

    private InstructionSyntax ParseInstruction()
    {
        int qp = 0;
        if (Peek.Is("("))
        {
            Next();
            var q = Next();
            if (q.Kind != TokenKind.Ident || !TryRegister(q.Text, out var k, out int n) || k != OperandKind.Pr)
                throw new SyntaxError($"expected a predicate register, found {q}", q.Column);
            qp = n;
            Expect(")");
        }
        var m = Next();
        if (m.Kind != TokenKind.Ident) throw new SyntaxError($"expected a mnemonic, found {m}", m.Column);
        var ins = new InstructionSyntax { Qp = qp, Mnemonic = m.Text.ToLowerInvariant(), MnemonicColumn = m.Column };
        if (AtEnd) return ins;
        while (true)
        {
            ins.Operands.Add(ParseOperand());
            if (Peek.Is(",")) { Next(); continue; }
            if (Peek.Is("="))
            {
                if (ins.Outputs != 0) throw new SyntaxError("a second '='", Peek.Column);
                Next();
                ins.Outputs = ins.Operands.Count;
                continue;
            }
            break;
        }
        if (!AtEnd) throw new SyntaxError($"unexpected {Peek} after operands", Peek.Column);
        return ins;
    }

    private bool AtEnd => Peek.Kind == TokenKind.End || Peek.Is(";;") || Peek.Is("}");

    private void Expect(string p)
    {
        var t = Next();
        if (!t.Is(p)) throw new SyntaxError($"expected '{p}', found {t}", t.Column);
    }

    private OperandSyntax ParseOperand()
    {
        var t = Peek;
        if (t.Is("["))
        {
            Next();
            int n = ExpectGr();
            Expect("]");
            return new OperandSyntax { Kind = OperandSyntaxKind.Memory, Number = n, Column = t.Column };
        }
        if (t.Kind == TokenKind.Ident)
        {
            string lower = t.Text.ToLowerInvariant();
            if (_t[_i + 1].Is("[") && Array.IndexOf(Registers.IndirectFiles, lower) >= 0)
            {
                Next(); Next();
                int n = ExpectGr();
                Expect("]");
                return new OperandSyntax { Kind = OperandSyntaxKind.Indirect, Name = lower, Number = n, Column = t.Column };
            }
            if (TryRegister(lower, out var kind, out int reg) && IsOperandEnd(_t[_i + 1]))
            {
                Next();
                return new OperandSyntax { Kind = OperandSyntaxKind.Register, RegKind = kind, Number = reg, Column = t.Column };
            }
        }
        var e = ParseExpr(0);
        string? name = e is Expr.Symbol s ? s.Name : null;
        return new OperandSyntax { Kind = OperandSyntaxKind.Expression, Expr = e, Name = name, Column = t.Column };
    }

    private static bool IsOperandEnd(Token t) => t.Kind == TokenKind.End || t.Is(",") || t.Is("=") || t.Is(";;") || t.Is("}") || t.Is("]");

    private int ExpectGr()
    {
        var t = Next();
        if (t.Kind != TokenKind.Ident || !TryRegister(t.Text.ToLowerInvariant(), out var k, out int n) || k != OperandKind.Gr)
            throw new SyntaxError($"expected a general register, found {t}", t.Column);
        return n;
    }

    // Precedence climbing: | ^ & << >> + - * / %
    private static int Prec(string op) => op switch
    {
        "|" => 1, "^" => 2, "&" => 3, "<<" or ">>" => 4, "+" or "-" => 5, "*" or "/" or "%" => 6, _ => 0,
    };

    private Expr ParseExpr(int minPrec)
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Punct && Prec(Peek.Text) > minPrec)
        {
            var op = Next();
            var right = ParseExpr(Prec(op.Text));
            left = new Expr.Binary(op.Text, left, right, op.Column);
        }
        return left;
    }

    private Expr ParseUnary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Number: return new Expr.Number(t.Value, t.Column);
            case TokenKind.LocalRef: return new Expr.Symbol(t.Text, t.Column);
            case TokenKind.Ident: return new Expr.Symbol(t.Text, t.Column);
            case TokenKind.Punct when t.Text is "-" or "~": return new Expr.Unary(t.Text[0], ParseUnary(), t.Column);
            case TokenKind.Punct when t.Text == "+": return ParseUnary();
            case TokenKind.Punct when t.Text == "(":
                var e = ParseExpr(0);
                Expect(")");
                return e;
        }
        throw new SyntaxError($"expected an operand, found {t}", t.Column);
    }

    /// <summary>r0–r127, f0–f127, p0–p63, b0–b7, ar.NAME/arN, cr.NAME/crN and GNU's aliases gp, sp, tp, rp, ret0–3.</summary>
    public static bool TryRegister(string s, out OperandKind kind, out int n)
    {
        kind = OperandKind.Gr;
        n = 0;
        switch (s)
        {
            case "gp": n = 1; return true;
            case "sp": n = 12; return true;
            case "tp": n = 13; return true;
            case "rp": kind = OperandKind.Br; n = 0; return true;
            case "ret0": n = 8; return true;
            case "ret1": n = 9; return true;
            case "ret2": n = 10; return true;
            case "ret3": n = 11; return true;
        }
        if (s.StartsWith("ar.", StringComparison.Ordinal))
        {
            kind = OperandKind.Ar;
            return Registers.TryArByName(s.Substring(3), out n);
        }
        if (s.StartsWith("cr.", StringComparison.Ordinal))
        {
            kind = OperandKind.Cr;
            return Registers.TryCrByName(s.Substring(3), out n);
        }
        (string prefix, OperandKind k, int max) = s.Length > 1 ? s[0] switch
        {
            'r' => ("r", OperandKind.Gr, 127),
            'f' => ("f", OperandKind.Fr, 127),
            'p' => ("p", OperandKind.Pr, 63),
            'b' => ("b", OperandKind.Br, 7),
            'a' when s.StartsWith("ar", StringComparison.Ordinal) => ("ar", OperandKind.Ar, 127),
            'c' when s.StartsWith("cr", StringComparison.Ordinal) => ("cr", OperandKind.Cr, 127),
            _ => ("", OperandKind.Gr, -1),
        } : ("", OperandKind.Gr, -1);
        if (max < 0) return false;
        string digits = s.Substring(prefix.Length);
        if (digits.Length == 0 || digits.Length > 3 || (digits.Length > 1 && digits[0] == '0')) return false;
        foreach (char c in digits) if (c < '0' || c > '9') return false;
        n = int.Parse(digits, CultureInfo.InvariantCulture);
        kind = k;
        return n <= max;
    }
}
