using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using IvtGen.Dsl;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Model;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Generator.Lowering;

/// <summary>
/// Turns a <see cref="TableSpec"/> into images: writes the table as GNU as source (each handler at its vector's
/// offset, routines after the 32 KiB IVT), assembles it with the ISA core, measures every handler against its slot,
/// and maps assembler messages back to the statements they came from.
/// </summary>
internal static partial class TableLowering
{
    public const string Native = "native";
    public const string XenAltA = "xen-alta";
    public const string XenAltB = "xen-altb";

    /// <param name="symbols">Addresses of external symbols from outside the source (ivtgen build --symbol), overriding [IvtExtern].</param>
    /// <param name="variants">The variants to build; native only when null.</param>
    public static BuiltTable Build(TableSpec table, IReadOnlyDictionary<string, long>? symbols = null, IReadOnlyList<string>? variants = null)
    {
        var diags = new List<DiagnosticInfo>();
        var images = new List<ImageSpec>();
        var seen = new HashSet<DiagnosticInfo>();
        foreach (var variant in variants ?? new[] { Native })
        {
            // A problem every variant has (a bad operand) is reported once, not once per variant.
            var own = new List<DiagnosticInfo>();
            var image = BuildVariant(table, variant, symbols, own);
            foreach (var d in own)
            {
                // One IVT015 per statement is enough, whichever Xen variant found it first.
                if (d.Id == "IVT015" && diags.Any(x => x.Id == d.Id && x.Handler == d.Handler && x.Statement == d.Statement)) continue;
                if (seen.Add(d)) diags.Add(d);
            }
            if (image is not null) images.Add(image);
        }
        // All or nothing: a table that fails in one variant emits none, so no build ships a partial set.
        return new BuiltTable(table, diags.Any(IsError) ? EquatableArray<ImageSpec>.Empty : images.ToEquatableArray(), diags.ToEquatableArray());
    }

    private static bool IsError(DiagnosticInfo d) => DiagnosticDescriptors.Find(d.Id) is not { } x || x.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error;

    /// <summary>The table written as GNU as source for one variant, and what assembling it gave.</summary>
    private sealed class Lowered
    {
        public readonly List<(int Handler, int Statement)> Map = new(); // per source line (1-based index − 1)
        public readonly Dictionary<string, (string[] Body, int Handler, int Statement)> Stubs = new(StringComparer.Ordinal);
        public readonly List<(int Handler, string Op, string[] Clobbers)> Sites = new();
        public readonly List<DiagnosticInfo> Diagnostics = new();
        public AssemblyResult Result = null!;

        public (int Handler, int Statement) Origin(int line) => line > 0 && line - 1 < Map.Count ? Map[line - 1] : (-1, -1);
    }

    private static readonly IReadOnlyDictionary<int, int> NoSplits = new Dictionary<int, int>();

    private static ImageSpec? BuildVariant(TableSpec table, string variant, IReadOnlyDictionary<string, long>? symbols, List<DiagnosticInfo> diags)
    {
        var lowered = Lower(table, variant, symbols, NoSplits);
        var splits = MoveTailsOutOfLine(table, variant, symbols, ref lowered, diags);
        diags.AddRange(lowered.Diagnostics);
        var result = lowered.Result;
        var stubs = lowered.Stubs;
        var vectors = Vectors(table, result, variant, diags, lowered.Sites, splits);
        bool overflow = vectors.Any(v => v.Used > v.Capacity);
        foreach (var d in result.Diagnostics)
        {
            var (h, st) = lowered.Origin(d.Line);
            // An overflowing handler makes the next .org move backwards; the overflow diagnostic says it better.
            if (overflow && d.Message.Contains(".org")) continue;
            // A read after a write that only serialization settles (a stop does not): its own rule, and no stop fixes it.
            string id = d.Severity == AsmSeverity.Warning ? (d.Message.Contains(", with no ") ? "IVT024" : "IVT009")
                : d.Message.Contains("branch target out of range") ? "IVT006"
                : d.Message.StartsWith("undefined symbol", StringComparison.Ordinal) ? "IVT005"
                : d.Message.Contains("unterminated bundle") || d.Message.Contains("'}' without '{'") || d.Message.Contains("nested '{'") ? "IVT013"
                : "IVT007";
            // Lines of the generated assembly mean nothing in C#: the statement's own location says where.
            string message = id == "IVT005" ? UndefinedName(d.Message)
                : System.Text.RegularExpressions.Regex.Replace(SourceParser.DisplayName(d.Message), @" at line \d+", "");
            diags.Add(h >= 0 && st >= 0
                ? DiagnosticInfo.AtStatement(id, h, st, message)
                : new DiagnosticInfo(id, new EquatableArray<string>(new[] { message }), null, h, -1));
        }
        if (result.HasErrors || overflow) return null;

        // A Xen image may hold no privileged or sensitive instruction: decode what was built and say where one came from.
        if (variant.StartsWith("xen", StringComparison.Ordinal))
        {
            int before = diags.Count;
            foreach (var b in result.Bundles)
                for (int s = 0; s < 3; s++)
                {
                    // Decode what was emitted (the decoder picks the most specific form, e.g. mov.m r=ar.itc).
                    var kind = b.Template.Slots[s];
                    if (kind == SlotKind.L) continue;
                    var word = kind == SlotKind.X ? new InsnWord(b.Bits.Slot(2), b.Bits.Slot(1)) : new InsnWord(b.Bits.Slot(s));
                    if (!InstructionDecoder.TryDecode(kind, word, out var ins) || !ins.Form.Has(InsnFlags.Privileged | InsnFlags.Sensitive)) continue;
                    var (h, st) = lowered.Origin(b.Lines[s]);
                    if (RetainedByCatalogue(table, h, st, ins)) continue;
                    diags.Add(new DiagnosticInfo("IVT015", new EquatableArray<string>(new[] { ins.Form.Mnemonic, variant }), null, h, st));
                }
            if (diags.Count > before) return null;
        }

        var bytes = result.Code;
        var labelAt = new Dictionary<long, List<string>>();
        var symbolsOut = new List<SymbolInfo> { new(table.TableName, 0) };
        foreach (var handler in table.Handlers)
            if (result.Labels.TryGetValue(handler.Symbol, out long addr)) symbolsOut.Add(new SymbolInfo(handler.Symbol, addr));
        foreach (int h in splits.Keys)
            if (result.Labels.TryGetValue(TailLabel(table.Handlers[h]), out long addr)) symbolsOut.Add(new SymbolInfo(TailLabel(table.Handlers[h]), addr));
        foreach (var stub in stubs.Keys)
            if (result.Labels.TryGetValue(stub, out long addr)) symbolsOut.Add(new SymbolInfo(stub, addr));
        // By address; at one address the table's own name first (it names the listing's base), then by name.
        symbolsOut.Sort((a, b) => a.Address != b.Address ? a.Address.CompareTo(b.Address)
            : a.Name == table.TableName ? -1 : b.Name == table.TableName ? 1 : string.CompareOrdinal(a.Name, b.Name));
        foreach (var s in symbolsOut)
        {
            if (!labelAt.TryGetValue(s.Address, out var l)) labelAt[s.Address] = l = new List<string>();
            l.Add(s.Name);
        }

        var relocations = new List<RelocationInfo>();
        var handlerSymbols = new HashSet<string>(table.Handlers.Select(x => x.Symbol), StringComparer.Ordinal);
        var externNames = new HashSet<string>(table.Externs.Select(x => x.Name), StringComparer.Ordinal);
        foreach (var b in result.Bundles)
            for (int s = 0; s < 3; s++)
                if (b.Symbols[s] is { } sym && (handlerSymbols.Contains(sym) || externNames.Contains(sym)) && !b.Slots[s].IsDefault)
                    relocations.Add(new RelocationInfo(b.Address, s, RelocationKind(b.Slots[s].Form), sym));

        var errors = new List<DecodeError>();
        var decoded = Disassembler.Decode(bytes, 0, errors);
        string listing = Disassembler.ToSource(decoded, labelAt.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value));
        return new ImageSpec(variant, new EquatableArray<byte>(bytes), Sha256(bytes), listing,
            vectors.ToEquatableArray(), symbolsOut.ToEquatableArray(), relocations.ToEquatableArray());
    }

    /// <summary>
    /// Writes the table as GNU as source for a variant and assembles it: each handler at its vector's offset, the
    /// routines after the 32 KiB IVT, then the tails moved out of line (<paramref name="splits"/>: handler → first
    /// statement that moves), then AltA's stubs.
    /// </summary>
    private static Lowered Lower(TableSpec table, string variant, IReadOnlyDictionary<string, long>? symbols, IReadOnlyDictionary<int, int> splits)
    {
        var lowered = new Lowered();
        var src = new StringBuilder();
        void Line(string text, int h = -1, int st = -1)
        {
            src.Append(text).Append('\n');
            lowered.Map.Add((h, st));
        }
        void Statement(int h, int k)
        {
            var st = table.Handlers[h].Statements[k];
            if (st.Kind == StatementKind.Paravirt)
            {
                // The catalogue lowers the operation for this variant; AltA's stubs go after the routines, once each.
                if (!ParavirtCatalog.TryGet(st.Text, out var op))
                {
                    lowered.Diagnostics.Add(DiagnosticInfo.AtStatement("IVT007", h, k, "unknown paravirtualized operation '" + st.Text + "'"));
                    return;
                }
                if (!op.TryLower(variant, st.Operands.ToList(), out var lowering, out var error) || lowering is null)
                {
                    lowered.Diagnostics.Add(DiagnosticInfo.AtStatement("IVT007", h, k, "pv_" + st.Text + ": " + error));
                    return;
                }
                foreach (var line in lowering.Inline) Line(Indent(line), h, k);
                if (lowering.StubName is { } stub && !lowered.Stubs.ContainsKey(stub)) lowered.Stubs.Add(stub, (lowering.StubBody, h, k));
                lowered.Sites.Add((h, st.Text, lowering.Clobbers));
                return;
            }
            Line(st.Kind switch
            {
                StatementKind.Stop => "\t;;",
                StatementKind.Label => st.Text + ":",
                StatementKind.BundleStart => "{ " + st.Text,
                StatementKind.BundleEnd => "}",
                _ => "\t" + st.Text,
            }, h, k);
        }

        Line("\t.text");
        Line("\t.explicit");
        foreach (var e in table.Externs)
        {
            long? address = symbols is not null && symbols.TryGetValue(e.Name, out long a) ? a : e.Address;
            if (address is null) continue; // a reference to it is reported as undefined, naming it
            Line(string.Format(CultureInfo.InvariantCulture, "\t.set {0}, 0x{1:x}", e.Name, address.Value));
        }
        Line(table.TableName + ":");
        var order = Enumerable.Range(0, table.Handlers.Count)
            .OrderBy(i => table.Handlers[i].Offset < 0 ? int.MaxValue : table.Handlers[i].Offset).ThenBy(i => i).ToList();
        bool routinesStarted = false;
        foreach (int h in order)
        {
            var handler = table.Handlers[h];
            if (handler.Offset < 0 && !routinesStarted)
            {
                Line(string.Format(CultureInfo.InvariantCulture, "\t.org {0}+0x{1:x}", table.TableName, IvtLayout.TableSize));
                routinesStarted = true;
            }
            if (handler.Offset >= 0)
                Line(string.Format(CultureInfo.InvariantCulture, "\t.org {0}+0x{1:x}", table.TableName, handler.Offset), h);
            Line(handler.Symbol + ":", h);
            int stay = splits.TryGetValue(h, out int split) ? split : handler.Statements.Count;
            for (int k = 0; k < stay; k++) Statement(h, k);
            if (stay < handler.Statements.Count)
            {
                // The branch and stop belong to the first statement that moved: that is where IVT016 points.
                Line("\tbr.sptk.many " + TailLabel(handler), h, stay);
                Line("\t;;", h, stay);
            }
            Line(EndLabel(handler) + ":", h);
        }
        if (!routinesStarted) Line(string.Format(CultureInfo.InvariantCulture, "\t.org {0}+0x{1:x}", table.TableName, IvtLayout.TableSize));
        // Tails moved out of line, in table order, after the routines.
        foreach (int h in order)
        {
            if (!splits.TryGetValue(h, out int split)) continue;
            var handler = table.Handlers[h];
            Line(TailLabel(handler) + ":", h, split);
            for (int k = split; k < handler.Statements.Count; k++) Statement(h, k);
            Line(TailEndLabel(handler) + ":", h);
        }
        // AltA stubs: out-of-line code after the routines, one per (operation, operands), sorted for determinism.
        foreach (var stub in lowered.Stubs.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            Line(stub.Key + ":", stub.Value.Handler, stub.Value.Statement);
            foreach (var line in stub.Value.Body) Line(Indent(line), stub.Value.Handler, stub.Value.Statement);
        }

        lowered.Result = Assembler.Assemble(src.ToString());
        return lowered;
    }

    /// <summary>
    /// Whether a sensitive instruction is one the catalogue keeps on purpose in its Xen lowering (the read of ar.itc in
    /// mov_from_itc, which Xen leaves to the guest and corrects by itc_offset, as Linux does).
    /// </summary>
    private static bool RetainedByCatalogue(TableSpec table, int h, int st, in Instruction ins)
    {
        if (h < 0 || st < 0 || h >= table.Handlers.Count || st >= table.Handlers[h].Statements.Count) return false;
        var spec = table.Handlers[h].Statements[st];
        if (spec.Kind != StatementKind.Paravirt || !ParavirtCatalog.TryGet(spec.Text, out var op)) return false;
        string text = Formatter.Format(ins, 0);
        return op.RetainedPatterns.Any(p => text.Contains(p));
    }

    /// <summary>Catalogue lines are GNU text; labels and stops keep their column, instructions get a tab.</summary>
    private static string Indent(string line) =>
        line.Length == 0 || line[0] == '\t' || line.EndsWith(":", StringComparison.Ordinal) || line[0] == '{' || line[0] == '}' ? line : "\t" + line;

    private static string EndLabel(HandlerSpec h) => h.Symbol + ".__end";

    /// <summary>Where a handler's tail continues out of line when it did not fit its slot; exported as a symbol.</summary>
    private static string TailLabel(HandlerSpec h) => h.Symbol + ".__tail";

    private static string TailEndLabel(HandlerSpec h) => h.Symbol + ".__tail_end";

    private static string UndefinedName(string message)
    {
        int q = message.IndexOf('\'');
        int e = q < 0 ? -1 : message.IndexOf('\'', q + 1);
        return q >= 0 && e > q ? SourceParser.DisplayName(message.Substring(q + 1, e - q - 1)) : message;
    }

    /// <summary>The ELF relocation a linker would apply to this instruction's symbolic operand.</summary>
    private static string RelocationKind(Form f) =>
        // The loader's table of relocatable fields (PCREL21B/21M/21F/60B, IMM14/22/64), so both agree with GNU as.
        IvtGen.Loading.RelocationSites.TryGet(f, out _, out var type) ? IvtGen.Loading.RelocationSites.Name(type) : "NONE";

    private static List<VectorInfo> Vectors(TableSpec table, AssemblyResult result, string variant, List<DiagnosticInfo> diags,
        List<(int Handler, string Op, string[] Clobbers)> sites, IReadOnlyDictionary<int, int> splits)
    {
        var byOffset = new Dictionary<int, int>();
        for (int i = 0; i < table.Handlers.Count; i++)
            if (table.Handlers[i].Offset >= 0) byOffset[table.Handlers[i].Offset] = i;
        var list = new List<VectorInfo>(IvtLayout.EntryCount);
        for (int index = 0; index < IvtLayout.EntryCount; index++)
        {
            int offset = IvtLayout.Offset(index);
            int capacity = IvtLayout.Capacity(index);
            if (!byOffset.TryGetValue(offset, out int h))
            {
                list.Add(new VectorInfo(index, offset, IvtLayout.Name(index), "", 0, capacity));
                continue;
            }
            var handler = table.Handlers[h];
            int used = Bundles(result, handler.Symbol, EndLabel(handler));
            if (used > capacity)
                diags.Add(new DiagnosticInfo("IVT008", new EquatableArray<string>(new[]
                {
                    handler.Name, IvtLayout.Name(index), offset.ToString("x4", CultureInfo.InvariantCulture),
                    used.ToString(CultureInfo.InvariantCulture), variant, capacity.ToString(CultureInfo.InvariantCulture),
                }), null, h, -1));
            var mine = sites.Where(x => x.Handler == h).ToList();
            list.Add(new VectorInfo(index, offset, IvtLayout.Name(index), handler.Name, used, capacity)
            {
                ParavirtSites = mine.Count,
                MovedOutOfLine = splits.ContainsKey(h) ? Bundles(result, TailLabel(handler), TailEndLabel(handler)) : 0,
                Clobbers = mine.SelectMany(x => x.Clobbers).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToEquatableArray(),
            });
        }
        return list;
    }

    /// <summary>Bundles from one label to another (0 when either is missing).</summary>
    private static int Bundles(AssemblyResult result, string from, string to) =>
        result.Labels.TryGetValue(from, out long start) && result.Labels.TryGetValue(to, out long end)
            ? (int)((end - start + Bundle.Size - 1) / Bundle.Size) : 0;

    private static string Sha256(byte[] bytes)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
        var sb = new StringBuilder(64);
        foreach (var b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
