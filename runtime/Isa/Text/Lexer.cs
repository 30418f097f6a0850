using System;
using System.Collections.Generic;
using System.Globalization;

namespace IvtGen.Isa;

public enum TokenKind : byte
{
    Ident,
    Number,
    /// <summary>A numeric-label reference: <c>1b</c> or <c>1f</c>; Text is "1b"/"1f".</summary>
    LocalRef,
    Punct,
    End,
}

public readonly struct Token
{
    public readonly TokenKind Kind;
    public readonly string Text;
    public readonly long Value;
    /// <summary>1-based column.</summary>
    public readonly int Column;

    public Token(TokenKind kind, string text, long value, int column)
    {
        Kind = kind;
        Text = text;
        Value = value;
        Column = column;
    }

    public bool Is(string punct) => Kind == TokenKind.Punct && Text == punct;
    public override string ToString() => Kind == TokenKind.End ? "end of line" : $"'{Text}'";
}

/// <summary>Splits one source line into tokens; comments (<c>//</c> and <c>#</c>) end the line.</summary>
public static class Lexer
{
    public static List<Token> Tokenize(string line, out string? error, out int errorColumn)
    {
        var tokens = new List<Token>();
        error = null;
        errorColumn = 0;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#' || (c == '/' && i + 1 < line.Length && line[i + 1] == '/')) break;
            int start = i;
            if (char.IsDigit(c))
            {
                if (c == '0' && i + 1 < line.Length && (line[i + 1] == 'x' || line[i + 1] == 'X'))
                {
                    i += 2;
                    while (i < line.Length && Uri.IsHexDigit(line[i])) i++;
                    string hex = line.Substring(start + 2, i - start - 2);
                    if (hex.Length == 0 || hex.Length > 16 || (i < line.Length && IsIdentPart(line[i])))
                    {
                        error = $"bad number '{line.Substring(start, Math.Max(i - start, 1))}'";
                        errorColumn = start + 1;
                        return tokens;
                    }
                    tokens.Add(new Token(TokenKind.Number, line.Substring(start, i - start), (long)ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture), start + 1));
                    continue;
                }
                while (i < line.Length && char.IsDigit(line[i])) i++;
                if (i < line.Length && (line[i] == 'b' || line[i] == 'f') && (i + 1 >= line.Length || !IsIdentPart(line[i + 1])))
                {
                    i++;
                    tokens.Add(new Token(TokenKind.LocalRef, line.Substring(start, i - start), 0, start + 1));
                    continue;
                }
                if (i < line.Length && IsIdentPart(line[i]))
                {
                    error = $"bad number '{line.Substring(start, i - start + 1)}'";
                    errorColumn = start + 1;
                    return tokens;
                }
                string dec = line.Substring(start, i - start);
                if (!ulong.TryParse(dec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong d))
                {
                    error = $"number '{dec}' does not fit in 64 bits";
                    errorColumn = start + 1;
                    return tokens;
                }
                tokens.Add(new Token(TokenKind.Number, dec, (long)d, start + 1));
                continue;
            }
            if (IsIdentStart(c))
            {
                i++;
                while (i < line.Length && IsIdentPart(line[i])) i++;
                tokens.Add(new Token(TokenKind.Ident, line.Substring(start, i - start), 0, start + 1));
                continue;
            }
            string p = c.ToString();
            if (i + 1 < line.Length)
            {
                string two = line.Substring(i, 2);
                if (two is ";;" or "<<" or ">>") p = two;
            }
            if ("(){}[],=+-*/%&^|~;:".IndexOf(p[0]) < 0 && p.Length == 1)
            {
                error = $"unexpected character '{c}'";
                errorColumn = start + 1;
                return tokens;
            }
            tokens.Add(new Token(TokenKind.Punct, p, 0, start + 1));
            i += p.Length;
        }
        tokens.Add(new Token(TokenKind.End, "", 0, line.Length + 1));
        return tokens;
    }

    private static bool IsIdentStart(char c) => char.IsLetter(c) || c is '_' or '.' or '@';
    private static bool IsIdentPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '@';
}
