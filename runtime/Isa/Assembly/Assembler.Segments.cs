using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace IvtGen.Isa;

public static partial class Assembler
{
    /// <summary>
    /// An instruction of a part assembled alone whose operands are evaluated once the parts are linked (a branch
    /// target, a label): its slot was left zero. What it needs is copied out, so the part's tables can go back to the pool.
    /// </summary>
    internal readonly struct Fixup
    {
        private readonly long _address;
        private readonly int _slot, _template, _qp;
        private readonly Form _form;
        private readonly long[] _values;
        private readonly PendingOperand[] _pending;

        public Fixup(long address, int slot, int template, Form form, int qp, long[] values, PendingOperand[] pending)
        {
            _address = address;
            _slot = slot;
            _template = template;
            _form = form;
            _qp = qp;
            _values = values;
            _pending = pending;
        }

        /// <summary>
        /// Evaluates the operands as resolution does (<see cref="Evaluate"/>), encodes, and writes the slot into the bundle
        /// in <paramref name="code"/>. False when anything fails: the messages are left to assembling the source whole.
        /// </summary>
        public bool Apply(byte[] code, long @base, Symbols symbols)
        {
            long address = symbols.Dot = _address + @base;
            var values = _values;
            foreach (var p in _pending)
            {
                if (Evaluate(_form, p, symbols.Lookup, address, out long value) is not null) return false;
                values[p.Index] = value;
            }
            if (InstructionEncoder.TryEncode(_form, _qp, values, out var w) is not null) return false;
            var at = code.AsSpan((int)address, Bundle.Size);
            Bundle.Read(at).With(_slot, w, Template.FromCode(_template)!.IsLong).Write(at);
            return true;
        }
    }

    /// <summary>What a fixup's operands may name, as resolution sees it: '.', labels, absolute symbols, PSR fields. One per thread.</summary>
    internal sealed class Symbols
    {
        private readonly Dictionary<string, long> _labels;
        private readonly IReadOnlyDictionary<string, long> _absolute;
        /// <summary>The address of the bundle being fixed.</summary>
        public long Dot;
        public readonly Func<string, long?> Lookup;

        public Symbols(Dictionary<string, long> labels, IReadOnlyDictionary<string, long> absolute)
        {
            _labels = labels;
            _absolute = absolute;
            Lookup = Find;
        }

        private long? Find(string name) =>
            name == "." ? Dot : _labels.TryGetValue(name, out long l) ? l : _absolute.TryGetValue(name, out long a) ? a
            : Registers.TryPsrField(name, out long psr) ? psr : null;
    }

    /// <summary>
    /// A long source assembled in parts, side by side, and linked: separate assembly of the parts, the way a linker
    /// joins objects. Each part is cut just before a label line, parsed alone, and laid out alone from address 0 on a
    /// thread of its own; then the parts get their addresses, the labels are joined, and each part resolves, encodes
    /// and checks its instruction groups, again side by side. Only the joining is serial, and it touches labels only.
    /// <para>
    /// This gives what assembling the whole source at once gives only where nothing before a part could change it, so
    /// each part is checked: its parse could not have gone otherwise (<see cref="SourceParser.SameAsFromStart"/>); it
    /// starts with a label (layout packs the instructions between labels on their own) that no stop line follows
    /// (that stop would end the group before the label); no stop in it belongs to code before it; it has no .align
    /// or .org (they depend on the address); it was laid out in the mode the part before it ends in (.auto or .explicit,
    /// which the part before tells once it is parsed); the part before it ends an instruction group
    /// (so the group checks, which also forget predicate relations at labels, see the same groups); and no label is
    /// defined twice across parts or as an absolute symbol. When any check fails, the whole source is assembled at
    /// once instead: the result is always the same, the speed only where it is safe. Large generated listings, the
    /// case this is for, pass every check; tests cut sources everywhere and compare.
    /// </para>
    /// </summary>
    private static class Segments
    {
        /// <summary>
        /// About how many characters a part has (some 13,000 instruction lines). A part's fixed costs (its parser's
        /// caches, its dictionaries) vanish at this size; at 64K characters they outweighed the smaller tables (6,400
        /// page faults against 4,300 for the 600k listing).
        /// </summary>
        public const int PartChars = 1 << 18;

        /// <summary>The source: a string, or UTF-8 bytes (a file as read or mapped) that each part decodes for itself.</summary>
        public readonly struct Text
        {
            public readonly string? String;
            public readonly ReadOnlyMemory<byte> Utf8;

            public Text(string s) { String = s; Utf8 = default; }
            public Text(ReadOnlyMemory<byte> utf8) { String = null; Utf8 = utf8; }

            public int Length => String?.Length ?? Utf8.Length;

            public int Cut(int from, int window) => String is not null
                ? SourceParser.Cut(String.AsSpan(), from, window)
                : SourceParser.Cut(Utf8.Span, from, window);

            public int CountLines(int from, int to) => String is not null
                ? Lines(String.AsSpan(from, to - from))
                : Lines(Utf8.Span.Slice(from, to - from));

#if NET
            private static int Lines(ReadOnlySpan<char> t) => t.Count('\n');
            private static int Lines(ReadOnlySpan<byte> t) => t.Count((byte)'\n');
#else
            private static int Lines(ReadOnlySpan<char> t)
            {
                int count = 0;
                for (int i; (i = t.IndexOf('\n')) >= 0; t = t.Slice(i + 1)) count++;
                return count;
            }

            private static int Lines(ReadOnlySpan<byte> t)
            {
                int count = 0;
                for (int i; (i = t.IndexOf((byte)'\n')) >= 0; t = t.Slice(i + 1)) count++;
                return count;
            }
#endif
        }

        public sealed class Linked
        {
            public AssemblyResult Result = null!;
            public int Count;
        }

        /// <summary>A part of the source and what assembling it alone made.</summary>
        private sealed class Part
        {
            public int Start, End, FirstLine;
            public bool First, Last;
            /// <summary>The part before this one (null for the first), whose parse tells the mode this one starts in.</summary>
            public Part? Previous;
            /// <summary>Whether the code before the part leaves .auto mode on: the mode it is laid out in.</summary>
            public bool StartsAuto;
            // The mode the part's text leaves (its last .auto or .explicit, else the one it starts in), given once it is
            // parsed: the next part waits for it before its layout.
            private bool _leavesAuto;
            private readonly ManualResetEventSlim _modeKnown = new(false);

            public void LeaveMode(bool auto)
            {
                _leavesAuto = auto;
                _modeKnown.Set();
            }

            /// <summary>The mode this part's text leaves, waiting for its parse if need be.</summary>
            public bool LeavesAuto()
            {
                _modeKnown.Wait();
                return _leavesAuto;
            }
            public Task? Work;
            public SourceParser? Parser;
            /// <summary>Whether it could be laid out alone; when not, the source is assembled whole.</summary>
            public bool Alone;
            public bool EndsGroup, EndsAuto;
            /// <summary>A write at its end still waits for serialization: the next part cannot be checked alone.</summary>
            public bool SerializationPending;
            /// <summary>Its code, from the pool, <see cref="Size"/> bytes of it.</summary>
            public byte[]? Code;
            public int Size;
            public Dictionary<string, long>? Labels;
            public readonly List<Fixup> Fixups = new();
            public readonly List<AsmDiagnostic> GroupDiags = new();
        }

        /// <summary>The source assembled in parts and linked, or null when some part could not be assembled alone (nothing is reported then).</summary>
        public static Linked? TryAssemble(Text text, int chunkChars, Func<List<AssembledBundle>> describe)
        {
            // A few parts in flight keep the cores busy while this thread joins them in order; each part's tables go
            // back to the pool as soon as it is built, so the next part reuses memory already paged in.
            const int inFlight = 4;
            // One more than in flight: the next part starts before the oldest is joined and gives its code back.
            WarmUp(chunkChars, inFlight + 1);
            var queue = new Queue<Part>();
            var linker = new Linker(text.Length);
            try
            {
                foreach (var part in Cut(text, chunkChars))
                {
                    var p = part;
                    p.Work = Task.Run(() => Build(text, p, chunkChars));
                    queue.Enqueue(p);
                    if (queue.Count >= inFlight && !linker.Add(queue.Dequeue())) return null;
                }
                while (queue.Count > 0)
                    if (!linker.Add(queue.Dequeue())) return null;
                return linker.Finish(describe);
            }
            finally
            {
                foreach (var p in queue)
                {
                    try { p.Work!.GetAwaiter().GetResult(); } catch { /* the source is assembled whole, which reports it */ }
                    if (p.Code is not null) Arrays.Return(p.Code);
                }
            }
        }

        /// <summary>
        /// Puts the large tables the parts in flight will rent into the pool now. They are large-object-heap arrays, and
        /// the first of them set off a full collection: here, before any part is parsed, there is little to collect;
        /// once parts are in flight, that collection copied their live objects around (a tenth of a 600k-line run).
        /// </summary>
        private static void WarmUp(int chunkChars, int parts)
        {
            int instructions = SourceParser.ExpectedInstructions(chunkChars);
            var held = new List<Action>();
            for (int k = 0; k < parts; k++)
            {
                var table = Arrays.Rent<SourceInstruction>(instructions);
                var values = Arrays.Rent<int>(3 * table.Length);
                var bundles = Arrays.Rent<LaidBundle>(Layout.BundlesFor(table.Length));
                var code = Arrays.Rent<byte>(CodeBytesFor(table.Length));
                held.Add(() => { Arrays.Return(table); Arrays.Return(values); Arrays.Return(bundles); Arrays.Return(code); });
            }
            foreach (var give in held) give();
        }

        private static int CodeBytesFor(int instructions) => Layout.BundlesFor(instructions) * Bundle.Size;

        private static IEnumerable<Part> Cut(Text text, int chunkChars)
        {
            int start = 0, line = 1;
            Part? previous = null;
            while (true)
            {
                int end = text.Length - start > chunkChars ? text.Cut(start + chunkChars, chunkChars) : text.Length;
                var part = new Part { Start = start, End = end, FirstLine = line, First = start == 0, Last = end == text.Length, Previous = previous };
                yield return part;
                if (part.Last) yield break;
                line += text.CountLines(start, end);
                start = end;
                previous = part;
            }
        }

        /// <summary>Parses a part alone and, when nothing in it depends on what came before, lays it out and encodes it alone.</summary>
        private static void Build(Text text, Part part, int chunkChars)
        {
            // Parts start in order on the pool, so the part before this one is parsed or being parsed: the mode it
            // leaves, which this one is laid out in, is known or soon will be. It is told whatever happens here, or the
            // part after would wait for ever.
            try
            {
                part.Parser = text.String is not null
                    ? SourceParser.ParseAlone(text.String, null, part.Start, part.End, part.FirstLine, part.Last, SourceParser.ExpectedInstructions(chunkChars))
                    : SourceParser.ParseAlone(text.Utf8.Span.Slice(part.Start, part.End - part.Start), part.FirstLine, part.Last, SourceParser.ExpectedInstructions(chunkChars));
                part.StartsAuto = part.Previous?.LeavesAuto() ?? false;
            }
            finally
            {
                part.LeaveMode(part.Parser is { } parser ? LastMode(parser.Parsed.Items) ?? part.StartsAuto : part.StartsAuto);
            }
            var parsed = part.Parser.Parsed;
            if (!CanLayOutAlone(part))
            {
                parsed.Release();
                return;
            }
            var layout = new Layout(part.Parser.Diagnostics, parsed, part.StartsAuto);
            try
            {
                layout.Run();
                part.Size = checked((int)layout.Size);
                // At least the size the warm-up rented, so the part finds it in the pool.
                part.Code = Arrays.Rent<byte>(Math.Max(part.Size, CodeBytesFor(parsed.Capacity)));
                layout.EncodeAlone(part.Code, part.Fixups, part.GroupDiags);
                part.Labels = layout.Labels;
                part.EndsGroup = layout.EndsGroup;
                part.EndsAuto = layout.EndsAuto;
                part.SerializationPending = layout.SerializationPending;
                part.Alone = true;
            }
            finally
            {
                layout.Release();
            }
        }

        /// <summary>Whether the last .auto or .explicit among <paramref name="items"/> is .auto; null when there is neither.</summary>
        private static bool? LastMode(List<SourceItem> items)
        {
            for (int i = items.Count - 1; i >= 0; i--)
                if (items[i] is DirectiveItem { Kind: DirectiveKind.Auto or DirectiveKind.Explicit } d) return d.Kind == DirectiveKind.Auto;
            return null;
        }

        /// <summary>The checks a part can make of itself (the class comment lists them all).</summary>
        private static bool CanLayOutAlone(Part part)
        {
            var parser = part.Parser!;
            if (parser.EndsInsideBundle) return false;
            var items = parser.Parsed.Items;
            if (!part.First && (items.Count == 0 || items[0] is not LabelItem)) return false;
            bool code = false;
            for (int i = 0; i < items.Count; i++)
            {
                switch (items[i])
                {
                    case LabelItem:
                        break;
                    case StopItem:
                        // A stop with no instruction before it in this part belongs to code before it (or a label: an error there).
                        if (!code) return false;
                        break;
                    case InstructionsItem or BundleItem:
                        code = true;
                        break;
                    case DirectiveItem { Kind: DirectiveKind.Align or DirectiveKind.Org }:
                        return false;
                }
            }
            return true;
        }

        /// <summary>Joins the parts in order: their code one after another, their labels, and then the fixups.</summary>
        private sealed class Linker
        {
            private readonly SourceParser.Before _before = new();
            private readonly Dictionary<string, long> _labels = new(StringComparer.Ordinal);
            private readonly List<(long Base, List<Fixup> Fixups)> _fixups = new();
            private readonly List<AsmDiagnostic> _diags = new(), _groupDiags = new();
            private byte[] _code = Array.Empty<byte>();
            private int _pc, _parts;
            private bool _auto, _previousEndsGroup = true, _previousPending;

            public Linker(int textLength)
            {
                // Made before any part is parsed, like the pool's tables (WarmUp), for half as many bytes as the text has: a
                // listing's lines of some 19 characters make about a third of that (3 instructions to a 16-byte bundle),
                // and a source of short lines that each take a bundle grows it. What is never written is never paged in,
                // but a program that assembles again and again counts it all against its large-object budget (a full
                // collection each time it is spent).
                _code = Uninitialized((int)Math.Min(int.MaxValue / 2, textLength / 2 + (64L << 10)));
            }

            /// <summary>Adds the next part; false when it could not be assembled alone.</summary>
            public bool Add(Part part)
            {
                part.Work!.GetAwaiter().GetResult();
                try
                {
                    // The mode the part was laid out in must be the one the part before it ended in.
                    // A write the part before left waiting for serialization: this part's reads of it were never checked.
                    if (!part.Alone || !part.Parser!.SameAsFromStart(_before) || _auto != part.StartsAuto || !_previousEndsGroup || _previousPending) return false;
                    part.Parser.Leave(_before);
                    foreach (var kv in part.Labels!)
                    {
                        // Defined twice: assembling whole reports it, at the later one.
                        if (_labels.ContainsKey(kv.Key)) return false;
                        _labels.Add(kv.Key, kv.Value + _pc);
                    }
                    Append(part.Code!, part.Size);
                    if (part.Fixups.Count > 0) _fixups.Add((_pc, part.Fixups));
                    _diags.AddRange(part.Parser.Diagnostics);
                    _groupDiags.AddRange(part.GroupDiags);
                    _pc += part.Size;
                    _auto = part.EndsAuto;
                    _previousEndsGroup = part.EndsGroup || part.Last;
                    _previousPending = part.SerializationPending && !part.EndsAuto;
                    _parts++;
                    return true;
                }
                finally
                {
                    if (part.Code is not null) Arrays.Return(part.Code);
                    part.Code = null;
                }
            }

            private void Append(byte[] code, int size)
            {
                if (_pc + (long)size > _code.Length)
                {
                    var bigger = Uninitialized((int)Math.Min(int.MaxValue / 2, Math.Max(_code.Length * 2L, _pc + (long)size)));
                    Buffer.BlockCopy(_code, 0, bigger, 0, _pc);
                    _code = bigger;
                }
                Buffer.BlockCopy(code, 0, _code, _pc, size);
            }

            private static byte[] Uninitialized(int length)
            {
#if NET
                var a = GC.AllocateUninitializedArray<byte>(length);
#else
                var a = new byte[length];
#endif
                HugePages.Advise(a);
                return a;
            }

            /// <summary>The linked result: fixups evaluated and encoded in place; null when one of them fails (assembling whole reports it).</summary>
            public Linked? Finish(Func<List<AssembledBundle>> describe)
            {
                var absolute = _before.Absolute;
                foreach (var name in _labels.Keys)
                    if (absolute.ContainsKey(name)) return null;
                var code = _code;
                // Each part's fixups write only its own bundles.
                bool failed = false;
                Parallel.ForEach(_fixups, part =>
                {
                    var symbols = new Symbols(_labels, absolute);
                    foreach (var f in part.Fixups)
                        if (!f.Apply(code, part.Base, symbols)) { failed = true; return; }
                });
                if (failed) return null;
                // Dependency warnings stand only if the source ends in .explicit mode, as assembling whole decides.
                var diags = _diags.Concat(_auto ? _groupDiags.Where(d => d.Severity != AsmSeverity.Warning) : _groupDiags);
                // Each part's messages come in the order assembling whole gives them for its lines (parse, layout,
                // encoding, groups); lines of different parts differ, so the stable sort gives the same order.
                var ordered = diags.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
                return new Linked { Result = new AssemblyResult(code, _pc, new LazyList<AssembledBundle>(describe), _labels, ordered), Count = _parts };
            }
        }
    }
}
