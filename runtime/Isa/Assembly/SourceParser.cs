using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace IvtGen.Isa;

/// <summary>
/// Reads GNU as source into a <see cref="ParsedSource"/>: labels (named and numeric <c>1:</c> with <c>1b</c>/<c>1f</c>),
/// instructions with their stops, explicit bundles, and the directives .text, .explicit, .auto, .align, .org,
/// .set/<c>name = value</c>, .global. Every problem is a diagnostic at its line and column; parsing goes on.
/// </summary>
public sealed partial class SourceParser
{
    private readonly ParsedSource _parsed;
    private readonly List<SourceItem> _items;
    private readonly List<AsmDiagnostic> _diags;
    private readonly Dictionary<string, long> _absolute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _localCount = new(StringComparer.Ordinal);
    private readonly TokenLine _tokens = new();
    private readonly InstructionSyntaxParser _syntax = new();
    private readonly Func<string, long?> _lookup;
    // The common instruction line, read and matched in one pass (null when a test turned it off).
    private readonly FastLine? _fast;
    private readonly FastLine.Switch? _fastTesting;
    private BundleItem? _open;
    private int _line;
    // Parsing a chunk alone (ParseInChunks): what it took from the state before it, to tell whether that mattered.
    private HashSet<string>? _missed;
    private bool _usesLocalLabels;

    private SourceParser(List<AsmDiagnostic> diags, int expectedInstructions)
    {
        _parsed = new ParsedSource(expectedInstructions);
        _diags = diags;
        _lookup = Lookup;
        _items = _parsed.Items;
        _parsed.AbsoluteSymbols = _absolute;
        _fastTesting = FastLine.Testing.Value;
        if (_fastTesting is null || _fastTesting.Enabled) _fast = new FastLine();
    }

    public static ParsedSource Parse(string source, List<AsmDiagnostic> diags) => Parse(source, diags, DefaultChunkChars);

    /// <param name="chunkChars">Sources longer than this are parsed in chunks of about this many characters on
    /// several threads (<see cref="ParseInChunks"/>); tests make it small to cut sources everywhere.</param>
    internal static ParsedSource Parse(string source, List<AsmDiagnostic> diags, int chunkChars)
    {
        // Instruction lines run 15–30 characters: sizing the tables for one per 12 avoids copying them as they grow.
        if (UseChunks(source.Length, chunkChars)) return ParseInChunks(Chunks(source, chunkChars), diags, source.Length / 12, chunkChars);
        var p = new SourceParser(diags, source.Length / 12);
        p.ParseLines(source, null, 0, source.Length, last: true);
        return p.Finish();
    }

    /// <summary>Parses the text <paramref name="reader"/> gives, a buffer of lines at a time: the same lines as from one string.</summary>
    /// <param name="lengthHint">About how many characters the text has (0 if unknown), to size the tables once.</param>
    public static ParsedSource Parse(TextReader reader, List<AsmDiagnostic> diags, long lengthHint = 0) => Parse(reader, diags, lengthHint, DefaultChunkChars);

    internal static ParsedSource Parse(TextReader reader, List<AsmDiagnostic> diags, long lengthHint, int chunkChars)
    {
        int expected = (int)Math.Min(lengthHint / 12, int.MaxValue / 4);
        if (UseChunks(lengthHint, chunkChars)) return ParseInChunks(Chunks(reader, chunkChars), diags, expected, chunkChars);
        var p = new SourceParser(diags, expected);
        // The same buffers of lines as the chunks, parsed here one after another.
        foreach (var chunk in Chunks(reader, 1 << 16))
        {
            p._line = chunk.FirstLine - 1;
            p.ParseLines(null, chunk.Chars, chunk.Start, chunk.End, chunk.Last);
            Arrays.Return(chunk.Chars!);
        }
        return p.Finish();
    }

    private ParsedSource Finish()
    {
        if (_open is not null)
            Error(_open.Line, _open.Column, "unterminated bundle: '{' without '}'");
        return _parsed;
    }

    /// <summary>
    /// Parses the lines of <paramref name="text"/> (or else <paramref name="chars"/>) from <paramref name="start"/> to
    /// <paramref name="end"/>. The last part of a source is read as one string would be, up to its end; any other
    /// part ends just after a newline, and its lines are only those the newlines end.
    /// </summary>
    private void ParseLines(string? text, char[]? chars, int start, int end, bool last)
    {
        var all = text is not null ? text.AsSpan() : chars.AsSpan();
        while (true)
        {
            int nl = all.Slice(start, end - start).IndexOf('\n');
            if (nl < 0 && !last) return;
            int lineEnd = nl < 0 ? end : start + nl;
            _line++;
            int e = lineEnd;
            while (e > start && all[e - 1] == '\r') e--;
            ParseLine(text, chars, start, e);
            if (nl < 0) return;
            start = lineEnd + 1;
        }
    }

    // ---- Parsing in chunks, on several threads ----
    //
    // Parsing (lexing, operand syntax, form matching) is most of assembling, and a line needs little of what came
    // before it: the open bundle, the .set symbols, the numeric labels' counts, the last statement (a ';;' line
    // belongs to the instruction before it). So a long source is cut into chunks at line ends, each chunk is parsed
    // alone on the thread pool as if it began the source, and the chunks are joined in order on the calling thread.
    // A chunk whose parse could have gone otherwise with the state before it (it starts inside a bundle, looked up a
    // name that an earlier chunk defined, or uses numeric labels after earlier ones did) is parsed again, in order,
    // with that state: the result is always the one parsing from the start gives, the speed only where it is safe.

    /// <summary>About 13,000 instruction lines: enough work per chunk that handing it to a thread costs nothing.</summary>
    internal const int DefaultChunkChars = 1 << 18;

    private static bool UseChunks(long length, int chunkChars) => length > 2L * chunkChars;

    /// <summary>A part of the source ending at a line end (or the source's end), and the number of its first line.</summary>
    private sealed class Chunk
    {
        public string? Text;
        public char[]? Chars;
        public int Start, End, FirstLine;
        public bool Last;
        public Task<SourceParser>? Parsed;

        /// <summary>Parses the chunk as if it began the source, noting what it took from there.</summary>
        public SourceParser ParseAlone(int chunkChars) => SourceParser.ParseAlone(Text, Chars, Start, End, FirstLine, Last, ExpectedInstructions(chunkChars));
    }

    private static IEnumerable<Chunk> Chunks(string source, int chunkChars)
    {
        int start = 0, line = 1;
        while (true)
        {
            int end = source.Length;
            if (source.Length - start > chunkChars) end = Cut(source.AsSpan(), start + chunkChars, chunkChars);
            bool last = end == source.Length;
            yield return new Chunk { Text = source, Start = start, End = end, FirstLine = line, Last = last };
            if (last) yield break;
            line += CountLines(source.AsSpan(start, end - start));
            start = end;
        }
    }

    /// <summary>
    /// Reads chunks of whole lines into buffers of their own (each is parsed while the next is read), taken from the
    /// pool and given back when the chunk is joined: a fresh 512 KB per chunk would cost more in page faults than it saves.
    /// </summary>
    private static IEnumerable<Chunk> Chunks(TextReader reader, int chunkChars)
    {
        var carry = Array.Empty<char>();
        int carried = 0, line = 1;
        while (true)
        {
            // The unfinished line of the previous buffer, then as much as the reader gives, up to the last line end.
            var buffer = Arrays.Rent<char>(Math.Max(chunkChars, carried * 2));
            Array.Copy(carry, buffer, carried);
            int filled = carried;
            while (filled < buffer.Length)
            {
                int n = reader.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) break;
                filled += n;
            }
            bool last = filled < buffer.Length;
            int end = last ? filled : buffer.AsSpan(0, filled).LastIndexOf('\n') + 1;
            if (end == 0 && !last)
            {
                // One line longer than the buffer: read on with a bigger one.
                carry = buffer.AsSpan(0, filled).ToArray();
                carried = filled;
                Arrays.Return(buffer);
                continue;
            }
            // What comes next is taken from the buffer before it is handed out: its taker may give it back at once.
            int lines = last ? 0 : CountLines(buffer.AsSpan(0, end));
            carried = filled - end;
            carry = buffer.AsSpan(end, carried).ToArray();
            yield return new Chunk { Chars = buffer, Start = 0, End = end, FirstLine = line, Last = last };
            if (last) yield break;
            line += lines;
        }
    }

    private static int CountLines(ReadOnlySpan<char> text)
    {
        int count = 0;
        for (int i; (i = text.IndexOf('\n')) >= 0; text = text.Slice(i + 1)) count++;
        return count;
    }

    private static ParsedSource ParseInChunks(IEnumerable<Chunk> chunks, List<AsmDiagnostic> diags, int expected, int chunkChars)
    {
        var joined = new SourceParser(diags, expected);
        // A few chunks in flight keep two to four cores busy while the calling thread reads and joins, and bound the
        // memory held. (Not Environment.ProcessorCount: the generator compiles this file, and analyzers may not read
        // the environment; on one core the chunks simply run one after another.)
        const int inFlight = 4;
        var queue = new Queue<Chunk>();
        foreach (var c in chunks)
        {
            var chunk = c;
            chunk.Parsed = Task.Run(() => chunk.ParseAlone(chunkChars));
            queue.Enqueue(chunk);
            if (queue.Count >= inFlight) joined.Join(queue.Dequeue());
        }
        while (queue.Count > 0) joined.Join(queue.Dequeue());
        return joined.Finish();
    }

    /// <summary>Appends a chunk parsed alone, or parses it again here when the state before it could have changed its parse.</summary>
    private void Join(Chunk chunk)
    {
        var alone = chunk.Parsed!.GetAwaiter().GetResult();
        try { JoinParsed(chunk, alone); }
        finally
        {
            alone._parsed.Release();
            if (chunk.Chars is not null) Arrays.Return(chunk.Chars);
        }
    }

    private void JoinParsed(Chunk chunk, SourceParser alone)
    {
        bool independent = _open is null
            && (!alone._usesLocalLabels || _localCount.Count == 0)
            && !alone._missed!.Overlaps(_absolute.Keys);
        if (!independent)
        {
            _line = chunk.FirstLine - 1;
            ParseLines(chunk.Text, chunk.Chars, chunk.Start, chunk.End, chunk.Last);
            return;
        }
        int offset = _parsed.InstructionCount;
        var items = alone._items;
        int k = 0;
        // Leading ';;' lines: parsed from the start, they end the instructions before the chunk, as ParseStatement does.
        var previous = _items.Count > 0 ? _items[_items.Count - 1] : null;
        int endOfPrevious = previous is InstructionsItem run ? run.First + run.Count - 1 : previous is BundleItem { Count: > 0 } closed ? closed.First + closed.Count - 1 : -1;
        for (; k < items.Count && items[k] is StopItem && endOfPrevious >= 0; k++) _parsed.Instruction(endOfPrevious).StopAfter = true;
        _parsed.Append(alone._parsed);
        for (; k < items.Count; k++)
        {
            switch (items[k])
            {
                case InstructionsItem r when _items.Count > 0 && _items[_items.Count - 1] is InstructionsItem before:
                    before.Count += r.Count; // one run continues across the cut
                    break;
                case InstructionsItem r:
                    _items.Add(new InstructionsItem { Line = r.Line, Column = r.Column, First = r.First + offset, Count = r.Count });
                    break;
                case BundleItem b:
                    _items.Add(Shifted(b, offset));
                    break;
                default:
                    _items.Add(items[k]);
                    break;
            }
        }
        if (alone._open is not null) _open = Shifted(alone._open, offset);
        foreach (var kv in alone._absolute) _absolute[kv.Key] = kv.Value;
        foreach (var kv in alone._localCount)
        {
            _localCount.TryGetValue(kv.Key, out int c);
            _localCount[kv.Key] = c + kv.Value;
        }
        _diags.AddRange(alone._diags);
    }

    private static BundleItem Shifted(BundleItem b, int offset) =>
        new() { Line = b.Line, Column = b.Column, TemplateName = b.TemplateName, First = b.First + offset, Count = b.Count, Broken = b.Broken };

    private void Error(int line, int col, string msg) => _diags.Add(new AsmDiagnostic(AsmSeverity.Error, line, col, msg));

    /// <summary>Parses the line <paramref name="start"/>..<paramref name="end"/> of <paramref name="text"/> or else of <paramref name="chars"/>.</summary>
    private void ParseLine(string? text, char[]? chars, int start, int end)
    {
        if (_fastTesting is not null) Interlocked.Increment(ref _fastTesting.Lines);
        if (_fast is not null && TryFastLine(text is not null ? text.AsSpan(start, end - start) : chars.AsSpan(start, end - start))) return;
        ParseStatements(text, chars, start, end);
    }

    /// <summary>Parses a line of UTF-8 text: through the fast path (which copies it), else decoded for the lexer.</summary>
    private void ParseLine(ReadOnlySpan<byte> line)
    {
        if (_fastTesting is not null) Interlocked.Increment(ref _fastTesting.Lines);
        if (_fast is null || !TryFastLine(line)) ParseGeneral(line);
    }

    /// <summary>A line of UTF-8 text through the lexer and the rest, decoded.</summary>
    private void ParseGeneral(ReadOnlySpan<byte> line)
    {
        // A line end is the byte 0x0A, which no other character's bytes contain: a line decodes alone as it would
        // with the text around it.
        if (_lineChars.Length < line.Length) _lineChars = new char[Math.Max(line.Length, 2 * _lineChars.Length)];
        ParseStatements(null, _lineChars, 0, Decode(line, _lineChars));
    }

    private char[] _lineChars = new char[256];

    /// <summary>The statements of a line, through the lexer, the operand parser and the form matcher.</summary>
    private void ParseStatements(string? text, char[]? chars, int start, int end)
    {
        var tokens = _tokens;
        string? lexError;
        int lexCol;
        if (text is not null) Lexer.Tokenize(text, start, end, tokens, out lexError, out lexCol);
        else Lexer.Tokenize(chars!, start, end, tokens, out lexError, out lexCol);
        if (lexError is not null)
        {
            Error(_line, lexCol, lexError);
            return;
        }
        int i = 0;
        while (tokens[i].Kind != TokenKind.End)
        {
            try
            {
                i = ParseStatement(tokens, i);
            }
            catch (SyntaxError e)
            {
                Error(_line, e.Column, e.Message);
                if (_open is not null) _open.Broken = true;
                return;
            }
            if (i == -1) return;
        }
    }

    /// <summary>The line through <see cref="FastLine"/>, recorded as ParseStatement records it; false (nothing done) when it declines.</summary>
    private bool TryFastLine<TChar>(ReadOnlySpan<TChar> line) where TChar : unmanaged
    {
        if (_fast!.TryParse(line) is not { } form) return false;
        RecordFast(form);
        return true;
    }

    /// <summary>Records the line the fast path took, as ParseStatement records it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RecordFast(Form form)
    {
        var fast = _fast!;
        if (_fastTesting is not null) Interlocked.Increment(ref _fastTesting.Hits);
        fast.TakeExtras(out var pending, out var others);
        int column = fast.Column;
        // The line's ';;' ends the instruction just added, the one Stop would find (in the open bundle or the run).
        bool stop = fast.StopColumn != 0;
        if (pending is null && others is null && column < SourceInstruction.WideColumn)
        {
            // The common line: its instruction is the form's template, placed.
            Counted(_parsed.AddPlain(fast.Template, fast.Qp, fast.TakenValues, _line, column, stop), column);
            return;
        }
        int index = AddInstruction(form, fast.Qp, fast.TakenValues, column, pending, others);
        if (stop) _parsed.Instruction(index).StopAfter = true;
    }

    /// <summary>Parses one statement starting at token <paramref name="i"/>; returns the index after it.</summary>
    private int ParseStatement(TokenLine tk, int i)
    {
        var t = tk[i];
        if (t.Is(Punct.LBrace))
        {
            if (_open is not null) throw new SyntaxError("nested '{': the previous bundle is not closed", t.Column);
            string? tpl = null;
            if (tk[i + 1].Kind == TokenKind.Ident && tk.First(tk[i + 1]) == '.')
            {
                tpl = tk.Text(tk[i + 1]).ToLowerInvariant();
                i++;
            }
            _open = new BundleItem { Line = _line, Column = t.Column, TemplateName = tpl, First = _parsed.InstructionCount };
            return i + 1;
        }
        if (t.Is(Punct.RBrace))
        {
            if (_open is null) throw new SyntaxError("'}' without '{'", t.Column);
            _items.Add(_open);
            _open = null;
            return i + 1;
        }
        if (t.Is(Punct.Stop))
        {
            Stop(t.Column);
            return i + 1;
        }
        if (t.Is(Punct.Semicolon)) return i + 1; // GNU accepts ';' as a statement separator
        // label:
        if ((t.Kind == TokenKind.Ident || t.Kind == TokenKind.Number) && tk[i + 1].Is(Punct.Colon))
        {
            if (_open is not null) throw new SyntaxError("a label inside a bundle", t.Column);
            string name = t.Kind == TokenKind.Number ? DefineLocal(tk.Text(t)) : tk.Text(t);
            _items.Add(new LabelItem { Line = _line, Column = t.Column, Name = name });
            return i + 2;
        }
        // name = value
        if (t.Kind == TokenKind.Ident && tk[i + 1].Is(Punct.Equals) && tk.First(t) != '.')
        {
            var e = ParseExprTokens(tk, i + 2, out int end);
            DefineSet(tk.Text(t), e, t.Column);
            return end;
        }
        if (t.Kind == TokenKind.Ident && tk.First(t) == '.' && tk.Span(t).Length > 1)
            return ParseDirective(tk, i);
        // instruction
        RewriteLocalRefs(tk, i);
        var syntax = _syntax.Parse(tk, i, out int stop);
        // No form has more than MaxOperands operands (more can only end in an error, for which the heap will do).
        Span<long> values = syntax.OperandCount <= ParsedSource.MaxOperands ? stackalloc long[ParsedSource.MaxOperands] : new long[syntax.OperandCount];
        values = values.Slice(0, syntax.OperandCount);
        var form = FormMatcher.Match(syntax, _lookup, null, explain: true, values, out var pending, out var err);
        if (form is null)
        {
            Error(_line, err!.Column, err.Message);
            if (_open is not null) _open.Broken = true;
            return stop;
        }
        AddInstruction(form, syntax.Qp, values, t.Column, pending, OtherUnits(syntax, form));
        return stop;
    }

    /// <summary>Records a matched instruction of this line, in the open bundle or the run of instructions before it; returns its index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int AddInstruction(Form form, int qp, ReadOnlySpan<long> values, int column, PendingOperand[]? pending, MatchedInstruction[]? others)
    {
        int index = _parsed.Add(form, qp, values, _line, column, pending, others);
        Counted(index, column);
        return index;
    }

    /// <summary>Counts the instruction just added in the open bundle or the run of instructions before it, or starts a run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Counted(int index, int column)
    {
        if (_open is not null) _open.Count++;
        else if (_items.Count > 0 && _items[_items.Count - 1] is InstructionsItem run) run.Count++;
        else _items.Add(new InstructionsItem { Line = _line, Column = column, First = index, Count = 1 });
    }

    /// <summary>A ';;': the stop after the last instruction before it, or a stop item when there is none yet.</summary>
    private void Stop(int column)
    {
        if (_open is { Count: > 0 }) _parsed.Instruction(_open.First + _open.Count - 1).StopAfter = true;
        else if (_open is null && _items.Count > 0 && _items[_items.Count - 1] is InstructionsItem prev) _parsed.Instruction(prev.First + prev.Count - 1).StopAfter = true;
        // `} ;;` closes the group at the end of that bundle (its template takes the end stop), as GNU as reads it.
        else if (_open is null && _items.Count > 0 && _items[_items.Count - 1] is BundleItem { Count: > 0 } closed)
            _parsed.Instruction(closed.First + closed.Count - 1).StopAfter = true;
        else if (_open is not null) throw new SyntaxError("a stop at the start of a bundle", column);
        else _items.Add(new StopItem { Line = _line, Column = column });
    }

    /// <summary>Matches of the same text on other units; only spellings the table lists under several units have any.</summary>
    private MatchedInstruction[]? OtherUnits(InstructionSyntax syntax, Form form)
    {
        if (!MayHaveTwin(form)) return null;
        var list = new List<MatchedInstruction>();
        int seen = Bundler.MaskOf(form.Unit);
        while (true)
        {
            int mask = seen;
            var other = FormMatcher.TryMatch(syntax, _lookup, f => (Bundler.MaskOf(f.Unit) & mask) == 0);
            if (other is null) break;
            list.Add(other);
            seen |= Bundler.MaskOf(other.Form.Unit);
        }
        return list.Count == 0 ? null : list.ToArray();
    }

    /// <summary>
    /// Per form id: whether another form of the same spelling, on another unit, could accept the same written operands
    /// (nop.m/nop.i, mov ar=… on M and I). Only then is it worth matching the text again for the other units. Worked
    /// out for a form when it is first matched: all at once it was some 15 million instructions (mov alone has hundreds
    /// of forms, each compared with each) on the thread that starts a long source's parts, before any part began. Two
    /// threads may work out one form at once; both find the same.
    /// </summary>
    private static readonly byte[] s_twins = new byte[InstructionTable.Forms.Count];
    private const byte TwinUnknown = 0, NoTwin = 1, HasTwin = 2;

    internal static bool MayHaveTwin(Form form)
    {
        byte known = s_twins[form.Id];
        if (known == TwinUnknown) s_twins[form.Id] = known = FindTwin(form) ? HasTwin : NoTwin;
        return known == HasTwin;
    }

    private static bool FindTwin(Form f)
    {
        InstructionTable.TryGetForms(f.Mnemonic, out var same);
        foreach (var g in same)
        {
            if (g.Unit == f.Unit || g.Operands.Length != f.Operands.Length || g.Outputs != f.Outputs) continue;
            bool overlap = true;
            for (int i = 0; i < f.Operands.Length && overlap; i++)
                overlap = (WrittenShapes(f.Operands[i]) & WrittenShapes(g.Operands[i])) != 0;
            if (overlap) return true;
        }
        return false;
    }

    /// <summary>
    /// The shapes of written operand an operand of a form can accept, one bit each: a register of each file, [rN],
    /// FILE[rN], an expression. A superset is fine (it only costs a second match); a subset would lose alternatives.
    /// </summary>
    private static int WrittenShapes(OperandSpec op)
    {
        const int Memory = 1 << 6, Indirect = 1 << 7, Expression = 1 << 8;
        switch (op.Kind)
        {
            case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                return 1 << (int)op.Kind;
            case OperandKind.Mem:
                return Memory;
            case OperandKind.Indirect:
                return Indirect;
            case OperandKind.Symbolic:
                return Indirect | Expression; // matched by name, and FILE[rN] has one
            case OperandKind.Fixed:
                // A token spells a register (ar.ccv), which a parenthesized name can also spell, or a name or number.
                var text = op.Text!;
                if (text.IndexOf('[') >= 0) return Memory | Indirect | Expression;
                return InstructionSyntaxParser.TryRegister(text.AsSpan(), out var kind, out _) ? 1 << (int)kind | Expression : Expression;
            default:
                return Expression;
        }
    }

    private long? Lookup(string name)
    {
        if (_absolute.TryGetValue(name, out long v)) return v;
        _missed?.Add(name); // a chunk parsed alone: an earlier chunk may define it
        return Registers.TryPsrField(name, out long psr) ? psr : null;
    }

    private int ParseDirective(TokenLine tk, int i)
    {
        var t = tk[i];
        string d = tk.Text(t).ToLowerInvariant();
        if (d == ".mem.offset") return ParseMemOffset(tk, i);
        if (_open is not null) throw new SyntaxError($"directive {d} inside a bundle", t.Column);
        switch (d)
        {
            case ".text":
                return ExpectEnd(tk, i + 1);
            case ".explicit":
                _items.Add(new DirectiveItem { Line = _line, Column = t.Column, Kind = DirectiveKind.Explicit });
                return ExpectEnd(tk, i + 1);
            case ".auto":
                _items.Add(new DirectiveItem { Line = _line, Column = t.Column, Kind = DirectiveKind.Auto });
                return ExpectEnd(tk, i + 1);
            case ".align":
            case ".balign":
            {
                var e = ParseExprTokens(tk, i + 1, out int end);
                var v = e.Evaluate(_lookup, out string? err);
                if (v is null) throw new SyntaxError(err ?? "alignment must be a constant", e.Column);
                long a = v.Value.Constant;
                if (a <= 0 || (a & (a - 1)) != 0) throw new SyntaxError($"alignment {a} is not a power of two", e.Column);
                _items.Add(new DirectiveItem { Line = _line, Column = t.Column, Kind = DirectiveKind.Align, Value = new Expr.Number(a, e.Column) });
                return end;
            }
            case ".org":
            {
                var e = ParseExprTokens(tk, i + 1, out int end);
                _items.Add(new DirectiveItem { Line = _line, Column = t.Column, Kind = DirectiveKind.Org, Value = e });
                return end;
            }
            case ".set":
            case ".equ":
            {
                var n = tk[i + 1];
                if (n.Kind != TokenKind.Ident || !tk[i + 2].Is(Punct.Comma)) throw new SyntaxError($"expected '{d} name, value'", n.Column);
                var e = ParseExprTokens(tk, i + 3, out int end);
                DefineSet(tk.Text(n), e, n.Column);
                return end;
            }
            case ".global":
            case ".globl":
            {
                int j = i + 1;
                while (tk[j].Kind == TokenKind.Ident)
                {
                    _items.Add(new DirectiveItem { Line = _line, Column = tk[j].Column, Kind = DirectiveKind.Global, Name = tk.Text(tk[j]) });
                    j++;
                    if (tk[j].Is(Punct.Comma)) j++;
                }
                return ExpectEnd(tk, j);
            }
        }
        throw new SyntaxError($"unsupported directive '{tk.Text(t)}'", t.Column);
    }

    /// <summary>
    /// <c>.mem.offset offset, base</c>: GNU as's note, for its dependency checks, of where the next spill or fill goes,
    /// which tells which bit of ar.unat it writes. It makes no code, and may stand inside a bundle. Both values must be
    /// constants, as GNU requires. The note is kept for the next instruction: its offset tells the group checks which
    /// bit of ar.unat a spill writes or a fill reads (the base tells nothing more: GNU as compares the bits alone).
    /// </summary>
    private int ParseMemOffset(TokenLine tk, int i)
    {
        RewriteLocalRefs(tk, i + 1);
        var s = _syntax.ParseOperands(tk, i + 1, out int end);
        if (s.OperandCount != 2 || s.Outputs != 0 || s.Operands[0].Kind != OperandSyntaxKind.Expression || s.Operands[1].Kind != OperandSyntaxKind.Expression)
            throw new SyntaxError("expected '.mem.offset offset, base'", tk[i + 1].Column);
        long offset = 0;
        for (int k = 0; k < 2; k++)
        {
            var e = s.Operands[k].ToExpr();
            var v = e.Evaluate(_lookup, out string? err);
            if (v is null) throw new SyntaxError($".mem.offset takes constants: {err}", e.Column);
            if (k == 0) offset = v.Value.Constant;
        }
        _parsed.NoteMemOffset(offset);
        return end;
    }

    private void DefineSet(string name, Expr e, int column)
    {
        var v = e.Evaluate(_lookup, out string? err);
        if (v is null) throw new SyntaxError($"'{name}' must be a constant: {err}", column);
        _absolute[name] = v.Value.Constant;
        _items.Add(new DirectiveItem { Line = _line, Column = column, Kind = DirectiveKind.Set, Name = name, Value = new Expr.Number(v.Value.Constant, column) });
    }

    private static int ExpectEnd(TokenLine tk, int i)
    {
        if (tk[i].Kind != TokenKind.End && !tk[i].Is(Punct.Semicolon)) throw new SyntaxError($"unexpected {tk.Describe(tk[i])}", tk[i].Column);
        return i;
    }

    private Expr ParseExprTokens(TokenLine tk, int i, out int end)
    {
        RewriteLocalRefs(tk, i);
        // Reuse the instruction operand parser: the operands of a pseudo instruction, of which there must be one.
        var s = _syntax.ParseOperands(tk, i, out end);
        if (s.OperandCount != 1 || s.Outputs != 0 || s.Operands[0].Kind != OperandSyntaxKind.Expression)
            throw new SyntaxError("expected an expression", tk[i].Column);
        return s.Operands[0].ToExpr();
    }

    /// <summary>Numeric labels: each <c>N:</c> gets a unique name; <c>Nb</c> names the last one, <c>Nf</c> the next.</summary>
    private string DefineLocal(string n)
    {
        _usesLocalLabels = true;
        _localCount.TryGetValue(n, out int c);
        _localCount[n] = c + 1;
        return LocalName(n, c);
    }

    private static string LocalName(string n, int k) => n + "\u0002" + k.ToString(CultureInfo.InvariantCulture);

    private void RewriteLocalRefs(TokenLine tk, int from)
    {
        if (!tk.HasLocalRefs) return;
        _usesLocalLabels = true;
        for (int j = from; j < tk.Count; j++)
        {
            var t = tk[j];
            if (t.Kind != TokenKind.LocalRef) continue;
            string text = tk.Text(t);
            string n = text.Substring(0, text.Length - 1);
            _localCount.TryGetValue(n, out int c);
            if (text[text.Length - 1] == 'b')
            {
                if (c == 0) throw new SyntaxError($"no earlier local label {n}: for '{text}'", t.Column);
                tk.Rename(j, LocalName(n, c - 1));
            }
            else tk.Rename(j, LocalName(n, c));
        }
    }

    /// <summary>How a generated local name prints in messages: <c>1\u00022</c> as <c>1</c>.</summary>
    public static string DisplayName(string name)
    {
        int k = name.IndexOf('\u0002');
        return k < 0 ? name : name.Substring(0, k);
    }
}
