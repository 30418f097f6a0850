using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;

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

/// <summary>
/// A token: where it is in its <see cref="TokenLine"/>'s text, which the line gives as a span or, when a message
/// needs it, a string. No reference inside, so filling the token buffer costs no GC write barrier.
/// </summary>
public readonly struct Token
{
    public readonly TokenKind Kind;
    /// <summary>Which punctuation, for <see cref="TokenKind.Punct"/>; None otherwise.</summary>
    public readonly Punct Punct;
    /// <summary>1-based column.</summary>
    public readonly int Column;
    /// <summary>Offset in the source text; negative (~index) for a name the line holds (a rewritten numeric-label reference).</summary>
    internal readonly int Start;
    internal readonly int Length;
    /// <summary>The value of a number.</summary>
    public readonly long Value;

    internal Token(TokenKind kind, Punct punct, int start, int length, long value, int column)
    {
        Kind = kind;
        Punct = punct;
        Start = start;
        Length = length;
        Value = value;
        Column = column;
    }

    public bool Is(Punct p) => Punct == p;
}

/// <summary>The tokens of one line, always ending with an <see cref="TokenKind.End"/> token. Reused line after line.</summary>
public sealed class TokenLine
{
    private Token[] _tokens = new Token[16];
    private readonly List<string> _names = new();
    // The text the tokens are slices of (a whole source, or a buffer of lines): one of the two.
    private string? _text;
    private char[]? _chars;

    public int Count { get; private set; }

    /// <summary>Whether the line has numeric-label references (<c>1b</c>, <c>1f</c>) not yet renamed.</summary>
    public bool HasLocalRefs { get; private set; }

    public ref readonly Token this[int i] => ref _tokens[i];

    public ReadOnlySpan<char> Span(in Token t) =>
        t.Start < 0 ? _names[~t.Start].AsSpan() : _text is not null ? _text.AsSpan(t.Start, t.Length) : _chars.AsSpan(t.Start, t.Length);

    public string Text(in Token t) => t.Start < 0 ? _names[~t.Start] : Span(t).ToString();
    /// <summary>The first character of the token (0 for the end of the line).</summary>
    public char First(in Token t) => t.Length == 0 ? '\0' : Span(t)[0];
    /// <summary>How a message names the token: <c>'add'</c>, or <c>end of line</c>.</summary>
    public string Describe(in Token t) => t.Kind == TokenKind.End ? "end of line" : $"'{Text(t)}'";

    /// <summary>Starts a line of <paramref name="length"/> characters (so at most length + 1 tokens); returns the buffer to fill.</summary>
    internal Token[] Start(string? text, char[]? chars, int length)
    {
        _text = text;
        _chars = chars;
        Count = 0;
        if (_names.Count > 0) _names.Clear();
        if (_tokens.Length <= length) _tokens = new Token[Math.Max(length + 1, _tokens.Length * 2)];
        return _tokens;
    }

    /// <summary>Ends the line: the first <paramref name="count"/> tokens of the buffer are it.</summary>
    internal void End(int count, bool localRefs)
    {
        Count = count;
        HasLocalRefs = localRefs;
    }

    /// <summary>Turns token <paramref name="i"/> into the identifier <paramref name="name"/> (a numeric-label reference's label).</summary>
    internal void Rename(int i, string name)
    {
        _names.Add(name);
        _tokens[i] = new Token(TokenKind.Ident, Punct.None, ~(_names.Count - 1), name.Length, 0, _tokens[i].Column);
    }
}

/// <summary>Splits one source line into tokens; comments (<c>//</c> and <c>#</c>) end the line.</summary>
public static class Lexer
{
    /// <summary>Tokenizes <paramref name="text"/>[<paramref name="start"/>..<paramref name="end"/>) into <paramref name="tokens"/>; columns count from <paramref name="start"/>.</summary>
    public static void Tokenize(string text, int start, int end, TokenLine tokens, out string? error, out int errorColumn)
    {
        int count = Tokenize(text.AsSpan(start, end - start), start, tokens.Start(text, null, end - start), out bool localRefs, out error, out errorColumn);
        tokens.End(count, localRefs);
    }

    /// <summary>Tokenizes <paramref name="chars"/>[<paramref name="start"/>..<paramref name="end"/>) (a line in a buffer) into <paramref name="tokens"/>.</summary>
    public static void Tokenize(char[] chars, int start, int end, TokenLine tokens, out string? error, out int errorColumn)
    {
        int count = Tokenize(chars.AsSpan(start, end - start), start, tokens.Start(null, chars, end - start), out bool localRefs, out error, out errorColumn);
        tokens.End(count, localRefs);
    }

    /// <summary>Tokenizes <paramref name="line"/> (at <paramref name="start"/> in its text) into <paramref name="tokens"/>, which has room for one more than its length; returns the count.</summary>
    private static int Tokenize(ReadOnlySpan<char> line, int start, Token[] tokens, out bool localRefs, out string? error, out int errorColumn)
    {
        localRefs = false;
        error = null;
        errorColumn = 0;
        int count = 0;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (c == ' ' || c == '\t') { i++; continue; }
            int cls = Class(c);
            if ((cls & Space) != 0) { i++; continue; }
            if (c == '#' || (c == '/' && i + 1 < line.Length && line[i + 1] == '/')) break;
            int s = i;
            int column = s + 1;
            if ((cls & Digit) != 0)
            {
                if (c == '0' && i + 1 < line.Length && (line[i + 1] | 0x20) == 'x')
                {
                    i += 2;
                    ulong hex = 0;
                    while (i < line.Length && HexValue(line[i]) is var h && h >= 0)
                    {
                        hex = hex << 4 | (uint)h;
                        i++;
                    }
                    int digits = i - s - 2;
                    if (digits == 0 || digits > 16 || (i < line.Length && (Class(line[i]) & IdentPart) != 0))
                    {
                        error = $"bad number '{line.Slice(s, Math.Max(i - s, 1)).ToString()}'";
                        errorColumn = column;
                        return count;
                    }
                    tokens[count++] = new Token(TokenKind.Number, Punct.None, start + s, i - s, (long)hex, column);
                    continue;
                }
                bool ascii = true;
                ulong dec = 0;
                bool overflow = false;
                while (i < line.Length && (Class(line[i]) & Digit) != 0)
                {
                    uint d = (uint)(line[i] - '0');
                    if (d > 9) ascii = false;
                    else if (dec > (ulong.MaxValue - d) / 10) overflow = true;
                    else dec = dec * 10 + d;
                    i++;
                }
                if (i < line.Length && (line[i] == 'b' || line[i] == 'f') && (i + 1 >= line.Length || (Class(line[i + 1]) & IdentPart) == 0))
                {
                    i++;
                    tokens[count++] = new Token(TokenKind.LocalRef, Punct.None, start + s, i - s, 0, column);
                    localRefs = true;
                    continue;
                }
                if (i < line.Length && (Class(line[i]) & IdentPart) != 0)
                {
                    error = $"bad number '{line.Slice(s, i - s + 1).ToString()}'";
                    errorColumn = column;
                    return count;
                }
                // Digits of other scripts (char.IsDigit accepts them) are left to ulong.TryParse, which rejects them.
                if (overflow || (!ascii && !ulong.TryParse(line.Slice(s, i - s).ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out dec)))
                {
                    error = $"number '{line.Slice(s, i - s).ToString()}' does not fit in 64 bits";
                    errorColumn = column;
                    return count;
                }
                tokens[count++] = new Token(TokenKind.Number, Punct.None, start + s, i - s, (long)dec, column);
                continue;
            }
            if ((cls & IdentStart) != 0)
            {
                i++;
                while (i < line.Length && (Class(line[i]) & IdentPart) != 0) i++;
                tokens[count++] = new Token(TokenKind.Ident, Punct.None, start + s, i - s, 0, column);
                continue;
            }
            var p = Punct.None;
            if (i + 1 < line.Length && line[i + 1] == c)
                p = c switch { ';' => Punct.Stop, '<' => Punct.ShiftLeft, '>' => Punct.ShiftRight, _ => Punct.None };
            int len = p == Punct.None ? 1 : 2;
            if (p == Punct.None) p = c < 128 ? s_punct[c] : Punct.None;
            if (p == Punct.None)
            {
                error = $"unexpected character '{c}'";
                errorColumn = column;
                return count;
            }
            tokens[count++] = new Token(TokenKind.Punct, p, start + s, len, 0, column);
            i += len;
        }
        tokens[count++] = new Token(TokenKind.End, Punct.None, start + line.Length, 0, 0, line.Length + 1);
        return count;
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

    // Character classes: char.IsWhiteSpace, char.IsDigit, identifier start (char.IsLetter or _ . @) and part
    // (char.IsLetterOrDigit or _ . @). A table answers for ASCII, the char methods for anything else.
    private const byte Space = 1, Digit = 2, IdentStart = 4, IdentPart = 8;
    private static readonly byte[] s_class = BuildClasses();

    private static byte[] BuildClasses()
    {
        var t = new byte[128];
        for (int c = 0; c < 128; c++) t[c] = SlowClass((char)c);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Class(char c) => c < 128 ? s_class[c] : SlowClass(c);

    private static byte SlowClass(char c)
    {
        int k = 0;
        if (char.IsWhiteSpace(c)) k |= Space;
        if (char.IsDigit(c)) k |= Digit;
        if (char.IsLetter(c) || c is '_' or '.' or '@') k |= IdentStart;
        if (char.IsLetterOrDigit(c) || c is '_' or '.' or '@') k |= IdentPart;
        return (byte)k;
    }

    private static int HexValue(char c) =>
        (uint)(c - '0') <= 9 ? c - '0' : (uint)((c | 0x20) - 'a') <= 5 ? (c | 0x20) - 'a' + 10 : -1;
}
