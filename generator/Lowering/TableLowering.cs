using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using IvtGen.Dsl;
using IvtGen.Generator.Model;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Generator.Lowering;

/// <summary>
/// Turns a <see cref="TableSpec"/> into images: writes the table as GNU as source (each handler at its vector's
/// offset, routines after the 32 KiB IVT), assembles it with the ISA core, measures every handler against its slot,
/// and maps assembler messages back to the statements they came from.
/// </summary>
internal static class TableLowering
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
        return new BuiltTable(table, diags.Any(d => d.Id != "IVT009") ? EquatableArray<ImageSpec>.Empty : images.ToEquatableArray(), diags.ToEquatableArray());
    }

    private static ImageSpec? BuildVariant(TableSpec table, string variant, IReadOnlyDictionary<string, long>? symbols, List<DiagnosticInfo> diags)
    {
        var src = new StringBuilder();
        var stubs = new Dictionary<string, (string[] Body, int Handler, int Statement)>(StringComparer.Ordinal);
        var sites = new List<(int Handler, string Op, string[] Clobbers)>();
        var map = new List<(int Handler, int Statement)>(); // per source line (1-based index − 1)
        void Line(string text, int h = -1, int st = -1)
        {
            src.Append(text).Append('\n');
            map.Add((h, st));
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
            for (int k = 0; k < handler.Statements.Count; k++)
            {
                var st = handler.Statements[k];
                if (st.Kind == StatementKind.Paravirt)
                {
                    // The catalogue lowers the operation for this variant; AltA's stubs go after the routines, once each.
                    if (!ParavirtCatalog.TryGet(st.Text, out var op))
                    {
                        diags.Add(DiagnosticInfo.AtStatement("IVT007", h, k, "unknown paravirtualized operation '" + st.Text + "'"));
                        continue;
                    }
                    if (!op.TryLower(variant, st.Operands.ToList(), out var lowering, out var error) || lowering is null)
                    {
                        diags.Add(DiagnosticInfo.AtStatement("IVT007", h, k, "pv_" + st.Text + ": " + error));
                        continue;
                    }
                    foreach (var line in lowering.Inline) Line(Indent(line), h, k);
                    if (lowering.StubName is { } stub && !stubs.ContainsKey(stub)) stubs.Add(stub, (lowering.StubBody, h, k));
                    sites.Add((h, st.Text, lowering.Clobbers));
                    continue;
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
            Line(EndLabel(handler) + ":", h);
        }
        if (!routinesStarted) Line(string.Format(CultureInfo.InvariantCulture, "\t.org {0}+0x{1:x}", table.TableName, IvtLayout.TableSize));
        // AltA stubs: out-of-line code after the routines, one per (operation, operands), sorted for determinism.
        foreach (var stub in stubs.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            Line(stub.Key + ":", stub.Value.Handler, stub.Value.Statement);
            foreach (var line in stub.Value.Body) Line(Indent(line), stub.Value.Handler, stub.Value.Statement);
        }

        var result = Assembler.Assemble(src.ToString());
        var vectors = Vectors(table, result, variant, diags, sites);
        bool overflow = vectors.Any(v => v.Used > v.Capacity);
        foreach (var d in result.Diagnostics)
        {
            var (h, st) = d.Line - 1 < map.Count ? map[d.Line - 1] : (-1, -1);
            // An overflowing handler makes the next .org move backwards; the overflow diagnostic says it better.
            if (overflow && d.Message.Contains(".org")) continue;
            string id = d.Severity == AsmSeverity.Warning ? "IVT009"
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
                    var (h, st) = b.Lines[s] > 0 && b.Lines[s] - 1 < map.Count ? map[b.Lines[s] - 1] : (-1, -1);
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
        List<(int Handler, string Op, string[] Clobbers)> sites)
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
            int used = result.Labels.TryGetValue(handler.Symbol, out long start) && result.Labels.TryGetValue(EndLabel(handler), out long end)
                ? (int)((end - start + Bundle.Size - 1) / Bundle.Size) : 0;
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
                Clobbers = mine.SelectMany(x => x.Clobbers).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToEquatableArray(),
            });
        }
        return list;
    }

    private static string Sha256(byte[] bytes)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(bytes);
        var sb = new StringBuilder(64);
        foreach (var b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
