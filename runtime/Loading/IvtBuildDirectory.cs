#if NET
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using IvtGen.Tables;

namespace IvtGen.Loading;

/// <summary>
/// The table sets <c>ivtgen build</c> wrote to a folder: manifest.json plus, per table N and variant V, N.V.bin (the
/// image) and N.V.S (its listing). Reading checks only that the files are there and parse; verification judges them.
/// </summary>
public sealed class IvtBuildDirectory
{
    private readonly Dictionary<string, Dictionary<string, long>> _sizes;

    private IvtBuildDirectory(string path, IReadOnlyList<IvtTableSet> tables, Dictionary<string, Dictionary<string, long>> sizes)
    {
        Path = path;
        Tables = tables;
        _sizes = sizes;
    }

    public string Path { get; }
    public IReadOnlyList<IvtTableSet> Tables { get; }

    /// <summary>The sizes the manifest recorded for <paramref name="table"/>'s variants.</summary>
    public IReadOnlyDictionary<string, long> ExpectedSizes(string table) =>
        _sizes.TryGetValue(table, out var d) ? d : new Dictionary<string, long>();

    /// <summary>The table called <paramref name="name"/>, or the only one when <paramref name="name"/> is null.</summary>
    public IvtTableSet Table(string? name)
    {
        if (name is null)
        {
            if (Tables.Count == 1) return Tables[0];
            var names = new List<string>();
            foreach (var t in Tables) names.Add(t.Name);
            throw new IvtLoadException($"{Path} holds {Tables.Count} tables ({string.Join(", ", names)}); name one with --table");
        }
        foreach (var t in Tables) if (t.Name == name) return t;
        throw new IvtLoadException($"{Path} holds no table {name}");
    }

    public static IvtBuildDirectory Read(string dir)
    {
        string manifestPath = System.IO.Path.Combine(dir, "manifest.json");
        if (!File.Exists(manifestPath)) throw new IvtLoadException($"{manifestPath}: no such file (is {dir} a folder ivtgen build wrote?)");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(manifestPath)); }
        catch (JsonException e) { throw new IvtLoadException($"{manifestPath}: not valid JSON: {e.Message}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new IvtLoadException($"{manifestPath}: cannot read: {e.Message}"); }
        using (doc)
        {
            try
            {
                var tables = new List<IvtTableSet>();
                var sizes = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
                foreach (var t in Array(doc.RootElement, "tables"))
                {
                    string name = Str(t, "table");
                    var images = new List<IvtImage>();
                    var sz = new Dictionary<string, long>(StringComparer.Ordinal);
                    foreach (var v in Array(t, "variants"))
                    {
                        string variant = Str(v, "variant");
                        string stem = System.IO.Path.Combine(dir, name + "." + variant);
                        if (!File.Exists(stem + ".bin")) throw new IvtLoadException($"{stem}.bin: no such file (the manifest lists {name}.{variant})");
                        byte[] bytes = File.ReadAllBytes(stem + ".bin");
                        string listing = File.Exists(stem + ".S") ? File.ReadAllText(stem + ".S") : "";
                        var vectors = new List<IvtVectorInfo>();
                        foreach (var e in Array(v, "vectors"))
                            vectors.Add(new IvtVectorInfo(Int(e, "index"), (int)Num(e, "offset"), Str(e, "name"), Str(e, "handler"), Int(e, "bundlesUsed"), Int(e, "capacity"),
                                OptionalInt(e, "paravirtSites"), e.TryGetProperty("clobbers", out _) ? Array(e, "clobbers").Select(c => c.GetString() ?? "").ToArray() : null,
                                OptionalInt(e, "bundlesMovedOutOfLine")));
                        var symbols = new List<IvtSymbol>();
                        foreach (var e in Array(v, "symbols")) symbols.Add(new IvtSymbol(Str(e, "name"), Num(e, "address")));
                        var relocations = new List<IvtRelocation>();
                        foreach (var e in Array(v, "relocations"))
                            relocations.Add(new IvtRelocation(Num(e, "offset"), Int(e, "slot"), Str(e, "kind"), Str(e, "symbol")));
                        images.Add(new IvtImage(name, variant, bytes, Str(v, "sha256"), vectors, symbols, relocations, listing));
                        sz[variant] = Num(v, "size");
                    }
                    tables.Add(new IvtTableSet(name, images));
                    sizes[name] = sz;
                }
                return new IvtBuildDirectory(dir, tables, sizes);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
            {
                throw new IvtLoadException($"{manifestPath}: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IvtLoadException($"{dir}: cannot read: {e.Message}");
            }
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement e, string name)
    {
        var a = Get(e, name);
        if (a.ValueKind != JsonValueKind.Array) throw new FormatException($"'{name}' is not an array");
        return a.EnumerateArray();
    }

    private static JsonElement Get(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new KeyNotFoundException($"missing '{name}'");

    private static string Str(JsonElement e, string name) => Get(e, name).GetString() ?? throw new FormatException($"'{name}' is null");

    private static int Int(JsonElement e, string name) => checked((int)Num(e, name));

    /// <summary>A count a manifest from an older build may not have: 0 then.</summary>
    private static int OptionalInt(JsonElement e, string name) => e.TryGetProperty(name, out _) ? Int(e, name) : 0;

    /// <summary>A number, or a string "0x…"/decimal (the manifest writes offsets and addresses in hex).</summary>
    private static long Num(JsonElement e, string name)
    {
        var v = Get(e, name);
        if (v.ValueKind == JsonValueKind.Number) return v.GetInt64();
        string s = v.GetString() ?? throw new FormatException($"'{name}' is null");
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return (long)ulong.Parse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
#endif
