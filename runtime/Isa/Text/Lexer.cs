using System;
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

/// <summary>The punctuation tokens; <see cref="Stop"/> is <c>;;</c>.</summary>
public enum Punct : byte
{
    None,
    LParen, RParen, LBrace, RBrace, LBracket, RBracket,
    Comma, Equals, Plus, Minus, Star, Slash, Percent, Ampersand, Caret, Bar, Tilde, Semicolon, Colon,
    Stop, ShiftLeft, ShiftRight,
}

/// <summary>A token: a slice of the source text (no string is cut until someone asks for <see cref="Text"/>).</summary>
public readonly struct Token
{
    public readonly TokenKind Kind;
    /// <summary>Which punctuation, for <see cref="TokenKind.Punct"/>; None otherwise.</summary>
    public readonly Punct Punct;
    /// <summary>1-based column.</summary>
    public readonly int Column;
    /// <summary>The value of a number.</summary>
    public readonly long Value;
    private readonly string _source;
    private readonly int _start;
    private readonly int _length;

    public Token(TokenKind kind, Punct punct, string source, int start, int length, long value, int column)
    {
        Kind = kind;
        Punct = punct;
        _source = source;
        _start = start;
        _length = length;
        Value = value;
        Column = column;
    }

    /// <summary>An identifier that is not in the source (a numeric-label reference rewritten to its label's name).</summary>
    public static Token Name(string name, int column) => new(TokenKind.Ident, Punct.None, name, 0, name.Length, 0, column);

    public ReadOnlySpan<char> Span => _source.AsSpan(_start, _length);
    public string Text => _source.Substring(_start, _length);
    public bool Is(Punct p) => Punct == p;
    /// <summary>The first character (0 for the end token).</summary>
    public char First => _length > 0 ? _source[_start] : '\0';
    public override string ToString() => Kind == TokenKind.End ? "end of line" : $"'{Text}'";
}

/// <summary>The tokens of one line, always ending with an <see cref="TokenKind.End"/> token. Reused line after line.</summary>
public sealed class TokenLine
{
    private Token[] _tokens = new Token[16];

    public int Count { get; private set; }

    public ref readonly Token this[int i] => ref _tokens[i];

    internal void Clear() => Count = 0;

    internal void Add(in Token t)
    {
        if (Count == _tokens.Length) Array.Resize(ref _tokens, Count * 2);
        _tokens[Count++] = t;
    }

    internal void Replace(int i, in Token t) => _tokens[i] = t;
}

/// <summary>Splits one source line into tokens; comments (<c>//</c> and <c>#</c>) end the line.</summary>
public static class Lexer
{
    /// <summary>Tokenizes <paramref name="text"/>[<paramref name="start"/>..<paramref name="end"/>) into <paramref name="tokens"/>; columns count from <paramref name="start"/>.</summary>
    public static void Tokenize(string text, int start, int end, TokenLine tokens, out string? error, out int errorColumn)
    {
        tokens.Clear();
        error = null;
        errorColumn = 0;
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (IsWhiteSpace(c)) { i++; continue; }
            if (c == '#' || (c == '/' && i + 1 < end && text[i + 1] == '/')) break;
            int s = i;
            int column = s - start + 1;
            if (IsDigit(c))
            {
                if (c == '0' && i + 1 < end && (text[i + 1] == 'x' || text[i + 1] == 'X'))
                {
                    i += 2;
                    ulong hex = 0;
                    while (i < end && HexValue(text[i]) is var h && h >= 0)
                    {
                        hex = hex << 4 | (uint)h;
                        i++;
                    }
                    int digits = i - s - 2;
                    if (digits == 0 || digits > 16 || (i < end && IsIdentPart(text[i])))
                    {
                        error = $"bad number '{text.Substring(s, Math.Max(i - s, 1))}'";
                        errorColumn = column;
                        return;
                    }
                    tokens.Add(new Token(TokenKind.Number, Punct.None, text, s, i - s, (long)hex, column));
                    continue;
                }
                bool ascii = true;
                ulong dec = 0;
                bool overflow = false;
                while (i < end && IsDigit(text[i]))
                {
                    uint d = (uint)(text[i] - '0');
                    if (d > 9) ascii = false;
                    else if (dec > (ulong.MaxValue - d) / 10) overflow = true;
                    else dec = dec * 10 + d;
                    i++;
                }
                if (i < end && (text[i] == 'b' || text[i] == 'f') && (i + 1 >= end || !IsIdentPart(text[i + 1])))
                {
                    i++;
                    tokens.Add(new Token(TokenKind.LocalRef, Punct.None, text, s, i - s, 0, column));
                    continue;
                }
                if (i < end && IsIdentPart(text[i]))
                {
                    error = $"bad number '{text.Substring(s, i - s + 1)}'";
                    errorColumn = column;
                    return;
                }
                // Digits of other scripts (char.IsDigit accepts them) are left to ulong.TryParse, which rejects them.
                if (overflow || (!ascii && !ulong.TryParse(text.Substring(s, i - s), NumberStyles.None, CultureInfo.InvariantCulture, out dec)))
                {
                    error = $"number '{text.Substring(s, i - s)}' does not fit in 64 bits";
                    errorColumn = column;
                    return;
                }
                tokens.Add(new Token(TokenKind.Number, Punct.None, text, s, i - s, (long)dec, column));
                continue;
            }
            if (IsIdentStart(c))
            {
                i++;
                while (i < end && IsIdentPart(text[i])) i++;
                tokens.Add(new Token(TokenKind.Ident, Punct.None, text, s, i - s, 0, column));
                continue;
            }
            var p = Punct.None;
            if (i + 1 < end && text[i + 1] == c)
                p = c switch { ';' => Punct.Stop, '<' => Punct.ShiftLeft, '>' => Punct.ShiftRight, _ => Punct.None };
            int len = p == Punct.None ? 1 : 2;
            if (p == Punct.None) p = c < 128 ? s_punct[c] : Punct.None;
            if (p == Punct.None)
            {
                error = $"unexpected character '{c}'";
                errorColumn = column;
                return;
            }
            tokens.Add(new Token(TokenKind.Punct, p, text, s, len, 0, column));
            i += len;
        }
        tokens.Add(new Token(TokenKind.End, Punct.None, "", 0, 0, 0, end - start + 1));
    }

    private static readonly Punct[] s_punct = BuildPunct();

    private static Punct[] BuildPunct()
    {
        var t = new Punct[128];
        const string chars = "(){}[],=+-*/%&^|~;:";
        Punct[] kinds =
        {
            Punct.LParen, Punct.RParen, Punct.LBrace, Punct.RBrace, Punct.LBracket, Punct.RBracket, Punct.Comma, Punct.Equals,
            Punct.Plus, Punct.Minus, Punct.Star, Punct.Slash, Punct.Percent, Punct.Ampersand, Punct.Caret, Punct.Bar,
            Punct.Tilde, Punct.Semicolon, Punct.Colon,
        };
        for (int k = 0; k < chars.Length; k++) t[chars[k]] = kinds[k];
        return t;
    }

    // ASCII answers come from arithmetic; anything else from the same char methods as always.
    private static bool IsWhiteSpace(char c) => c == ' ' || (c < 128 ? c is >= '\t' and <= '\r' : char.IsWhiteSpace(c));
    private static bool IsDigit(char c) => c < 128 ? (uint)(c - '0') <= 9 : char.IsDigit(c);
    private static bool IsAsciiLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';
    private static bool IsIdentStart(char c) => c < 128 ? IsAsciiLetter(c) || c is '_' or '.' or '@' : char.IsLetter(c);
    private static bool IsIdentPart(char c) => c < 128 ? IsAsciiLetter(c) || (uint)(c - '0') <= 9 || c is '_' or '.' or '@' : char.IsLetterOrDigit(c);

    private static int HexValue(char c) =>
        (uint)(c - '0') <= 9 ? c - '0' : (uint)((c | 0x20) - 'a') <= 5 ? (c | 0x20) - 'a' + 10 : -1;
}
