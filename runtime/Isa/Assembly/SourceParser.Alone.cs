using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace IvtGen.Isa;

// A part of a source parsed on its own, as the chunked parse and the assembler's segments (Assembler.Segments.cs) do:
// where to cut a source, parsing a part as if it began the source, and telling afterwards whether the parts before
// it could have changed that parse.
public sealed partial class SourceParser
{
    /// <summary>Parses <paramref name="text"/> (or else <paramref name="chars"/>) from <paramref name="start"/> to <paramref name="end"/>, whose first line is <paramref name="firstLine"/>, as if it began the source, noting what it took from there.</summary>
    internal static SourceParser ParseAlone(string? text, char[]? chars, int start, int end, int firstLine, bool last, int expectedInstructions)
    {
        var p = new SourceParser(new List<AsmDiagnostic>(), expectedInstructions) { _line = firstLine - 1, _missed = new HashSet<string>(StringComparer.Ordinal) };
        // With the fast path, the part is made UTF-8 (one pass, vectorized for ASCII) and read as a file's part is: its
        // lines where they are, none copied. Text that UTF-8 cannot hold exactly (a lone surrogate) is read as it is.
        int length = 0;
        byte[]? utf8 = p._fast is not null ? Utf8(text, chars, start, end, out length) : null;
        if (utf8 is null) p.ParseLines(text, chars, start, end, last);
        else
        {
            try { p.ParseLines(utf8.AsSpan(0, length), last); }
            finally { Arrays.Return(utf8); }
        }
        return p;
    }

    private static readonly UTF8Encoding s_exactUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The characters as UTF-8 in a table from the pool, or null when some character has no exact encoding.</summary>
    private static byte[]? Utf8(string? text, char[]? chars, int start, int end, out int length)
    {
        length = 0;
        var bytes = Arrays.Rent<byte>(s_exactUtf8.GetMaxByteCount(end - start));
        try
        {
            length = text is not null ? s_exactUtf8.GetBytes(text, start, end - start, bytes, 0) : s_exactUtf8.GetBytes(chars!, start, end - start, bytes, 0);
            return bytes;
        }
        catch (EncoderFallbackException)
        {
            Arrays.Return(bytes);
            return null;
        }
    }

    /// <summary>
    /// <see cref="ParseAlone(string?, char[]?, int, int, int, bool, int)"/> of UTF-8 text, read line by line as bytes: the
    /// fast path reads the common line as it is, and only the lines it declines are decoded, one at a time.
    /// </summary>
    internal static SourceParser ParseAlone(ReadOnlySpan<byte> utf8, int firstLine, bool last, int expectedInstructions)
    {
        var p = new SourceParser(new List<AsmDiagnostic>(), expectedInstructions) { _line = firstLine - 1, _missed = new HashSet<string>(StringComparer.Ordinal) };
        p.ParseLines(utf8, last);
        return p;
    }

    /// <summary>The lines of UTF-8 text, as <see cref="ParseLines(string?, char[]?, int, int, bool)"/> reads those of a string.</summary>
    private unsafe void ParseLines(ReadOnlySpan<byte> text, bool last)
    {
        // Every line up to the last '\n' is read where it is, through a pointer: the fast path stops at the '\n', and
        // finds it as it parses.
        int lastNewline = text.LastIndexOf((byte)'\n');
        var fast = _fast;
        fixed (byte* begin = text)
        {
            byte* p = begin, end = begin + lastNewline + 1, readable = begin + text.Length;
            while (p < end)
            {
                _line++;
                if (_fastTesting is not null) Interlocked.Increment(ref _fastTesting.Lines);
                if (fast is not null && fast.TryParseAt(p, readable, out byte* next) is { } form)
                {
                    RecordFast(form);
                    p = next;
                    continue;
                }
                var rest = new ReadOnlySpan<byte>(p, (int)(end - p));
                int newline = rest.IndexOf((byte)'\n');
                ParseGeneral(TrimReturns(rest.Slice(0, newline)));
                p += newline + 1;
            }
        }
        // The text after the last '\n': the last line of the source, or the start of a line the next part holds.
        if (!last) return;
        _line++;
        ParseLine(TrimReturns(text.Slice(lastNewline + 1)));
    }

    private static ReadOnlySpan<byte> TrimReturns(ReadOnlySpan<byte> line)
    {
        int e = line.Length;
        while (e > 0 && line[e - 1] == (byte)'\r') e--;
        return line.Slice(0, e);
    }

    private static int Decode(ReadOnlySpan<byte> bytes, char[] chars)
    {
#if NET
        return Encoding.UTF8.GetChars(bytes, chars);
#else
        return bytes.Length == 0 ? 0 : Encoding.UTF8.GetChars(bytes.ToArray(), 0, bytes.Length, chars, 0);
#endif
    }

    internal ParsedSource Parsed => _parsed;

    /// <summary>The instruction table's size for a part of about <paramref name="chars"/> characters (lines run 15–30).</summary>
    internal static int ExpectedInstructions(int chars) => chars / 12;

    /// <summary>The messages of this parse, in order (a part's own, when it was parsed alone).</summary>
    internal List<AsmDiagnostic> Diagnostics => _diags;

    /// <summary>The text ended inside an explicit bundle.</summary>
    internal bool EndsInsideBundle => _open is not null;

    /// <summary>What the parts before a part leave that its parse could depend on (<see cref="JoinParsed"/> says why each).</summary>
    internal sealed class Before
    {
        public readonly Dictionary<string, long> Absolute = new(StringComparer.Ordinal);
        public bool LocalLabels;
        public bool Open;
    }

    /// <summary>Whether this part, parsed alone, is what parsing from the start gives after the parts that left <paramref name="before"/>.</summary>
    internal bool SameAsFromStart(Before before) =>
        !before.Open && (!_usesLocalLabels || !before.LocalLabels) && !_missed!.Overlaps(before.Absolute.Keys);

    /// <summary>Adds what this part leaves to <paramref name="before"/>, for the part after it.</summary>
    internal void Leave(Before before)
    {
        foreach (var kv in _absolute) before.Absolute[kv.Key] = kv.Value;
        before.LocalLabels |= _localCount.Count > 0;
        before.Open = _open is not null;
    }

    /// <summary>
    /// Where to end a part of <paramref name="text"/> that should end at or after <paramref name="from"/>: after the first
    /// line end there that a label line follows (<c>name:</c> at the start of the line), so the part after begins where
    /// layout starts afresh (the assembler's segments); failing that within <paramref name="window"/> characters, after
    /// the text's end if that is within the window, else the first line end (at least 64K characters are searched).
    /// Parsing does not care where the cut is, only that it is at a line end.
    /// </summary>
    internal static int Cut(ReadOnlySpan<char> text, int from, int window) => Cut(text, from, window, '\n', s_charAt);

    /// <summary><see cref="Cut(ReadOnlySpan{char}, int, int)"/> on UTF-8 text (a line end is the byte 0x0A, which no other character's bytes contain).</summary>
    internal static int Cut(ReadOnlySpan<byte> text, int from, int window) => Cut(text, from, window, (byte)'\n', s_byteAt);

    // Labels are ASCII: a UTF-8 byte and a UTF-16 char read the same where it matters.
    private static readonly Func<char, char> s_charAt = c => c;
    private static readonly Func<byte, char> s_byteAt = b => (char)b;

    private static int Cut<T>(ReadOnlySpan<T> text, int from, int window, T newline, Func<T, char> charOf) where T : IEquatable<T>
    {
        window = Math.Max(window, MinCutWindow);
        int first = -1;
        int limit = (int)Math.Min(text.Length, (long)from + window);
        for (int i = from; i < limit; i++)
        {
            int nl = text.Slice(i, limit - i).IndexOf(newline);
            if (nl < 0) break;
            i += nl;
            if (first < 0) first = i + 1;
            if (StartsWithLabel(text.Slice(i + 1), charOf)) return i + 1;
        }
        // No label line: the text's end when it is near, so the part runs to it, else the first line end.
        if (limit == text.Length) return text.Length;
        if (first >= 0) return first;
        int any = text.Slice(from).IndexOf(newline);
        return any < 0 ? text.Length : from + any + 1;
    }

    private const int MinCutWindow = 1 << 16;

    /// <summary>Whether <paramref name="line"/> starts, in its first column, with an identifier and a colon.</summary>
    private static bool StartsWithLabel<T>(ReadOnlySpan<T> line, Func<T, char> charOf)
    {
        if (line.Length == 0) return false;
        char c = charOf(line[0]);
        if (!IsLabelChar(c) || (uint)(c - '0') <= 9) return false;
        for (int i = 1; i < line.Length && i < 256; i++)
        {
            c = charOf(line[i]);
            if (c == ':') return true;
            if (!IsLabelChar(c)) return false;
        }
        return false;
    }

    private static bool IsLabelChar(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c is '_' or '.' or '@' or '$';
}
