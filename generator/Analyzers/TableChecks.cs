using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Lowering;
using IvtGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace IvtGen.Generator.Analyzers;

/// <summary>A finding of the analyzers: a descriptor, where, the message arguments and what a code fix needs.</summary>
internal sealed record Finding(DiagnosticDescriptor Descriptor, LocationInfo Location, string[] Args, IReadOnlyDictionary<string, string?>? Properties = null);

/// <summary>
/// The checks the IDE analyzers run on one parsed table, independent of Roslyn's analyzer API (the analyzer turns
/// findings into diagnostics; tests may call this directly). Every variant the lowering knows is checked, whether or
/// not this build makes it: the convention must hold for the build that will.
/// </summary>
internal sealed partial class TableChecks
{
    private readonly TableSpec _table;
    private readonly EquatableArray<HandlerLocations> _locations;
    private readonly IReadOnlyDictionary<string, long> _symbols;
    private readonly IReadOnlyCollection<string> _built;
    private readonly List<Finding> _findings = new();
    private readonly Dictionary<string, BuiltTable> _lowered = new(StringComparer.Ordinal);

    /// <summary>All variants, in the order messages list them.</summary>
    public static readonly string[] Variants = GeneratorOptions.AllVariants;

    private TableChecks(TableSpec table, EquatableArray<HandlerLocations> locations, IReadOnlyDictionary<string, long>? symbols, IReadOnlyCollection<string> built)
    {
        _table = table;
        _locations = locations;
        _built = built;
        // An extern without an address is the generator's error to report; here it is placed at 0 so the rest measures.
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in table.Externs) all[e.Name] = e.Address ?? 0;
        if (symbols is not null) foreach (var kv in symbols) all[kv.Key] = kv.Value;
        _symbols = all;
    }

    /// <param name="built">The variants this build makes (the generator reports their slot overflows as IVT008).</param>
    public static List<Finding> Run(TableSpec table, EquatableArray<HandlerLocations> locations, IReadOnlyDictionary<string, long>? symbols,
        IReadOnlyCollection<string> built)
    {
        var checks = new TableChecks(table, locations, symbols, built);
        checks.Dependencies();
        checks.SlotBudget();
        checks.Paravirtualization();
        return checks._findings;
    }

    private BuiltTable Lowered(string variant)
    {
        if (!_lowered.TryGetValue(variant, out var b))
            _lowered[variant] = b = TableLowering.Build(_table, _symbols, new[] { variant });
        return b;
    }

    private LocationInfo? StatementLocation(int handler, int statement) =>
        handler >= 0 && handler < _locations.Count && statement >= 0 && statement < _locations[handler].Statements.Count
            ? _locations[handler].Statements[statement] : null;

    private static string VariantList(IEnumerable<string> variants)
    {
        var list = variants.ToList();
        return list.Count switch
        {
            1 => list[0],
            2 => list[0] + " and " + list[1],
            _ => string.Join(", ", list.Take(list.Count - 1)) + " and " + list[list.Count - 1],
        };
    }

    // ---- IVT009: dependency violations, in every variant's lowering -------------------------------------------------

    private void Dependencies()
    {
        // (handler, statement, message) → the variants whose lowering has the violation.
        var seen = new Dictionary<(int, int, string), List<string>>();
        var order = new List<(int, int, string)>();
        var serialization = new HashSet<(int, int, string)>();
        foreach (var v in Variants)
            foreach (var d in Lowered(v).Diagnostics)
            {
                if (d.Id is not ("IVT009" or "IVT024") || d.Handler < 0 || d.Statement < 0 || d.Args.Count == 0) continue;
                var key = (d.Handler, d.Statement, d.Args[0]);
                if (d.Id == "IVT024") serialization.Add(key);
                if (!seen.TryGetValue(key, out var vs)) { seen[key] = vs = new List<string>(); order.Add(key); }
                if (!vs.Contains(v)) vs.Add(v);
            }
        var fixes = new Dictionary<(int, int), int?>();
        foreach (var key in order)
        {
            var (h, st, message) = key;
            if (StatementLocation(h, st) is not { } at) continue;
            var variants = seen[key];
            string text = variants.Count == Variants.Length ? message : message + " (in the " + VariantList(variants) + " variant" + (variants.Count > 1 ? "s" : "") + ")";
            if (serialization.Contains(key))
            {
                // IVT024: a stop does not settle it (srlz.d or srlz.i does), so there is no insert-stop fix.
                _findings.Add(new Finding(DiagnosticDescriptors.MissingSerialization, at, new[] { text }, null));
                continue;
            }
            if (!fixes.TryGetValue((h, st), out var before)) fixes[(h, st)] = before = StopFix(h, st, variants);
            var props = before is { } b && StatementLocation(h, b) is { } place
                ? new Dictionary<string, string?> { [FixProperties.StopBefore] = place.Start.ToString(CultureInfo.InvariantCulture) }
                : null;
            _findings.Add(new Finding(DiagnosticDescriptors.DependencyViolation, at, new[] { text }, props));
        }
    }

    /// <summary>
    /// Where a stop ends the violation at statement <paramref name="st"/>: before it, or before the labels right before
    /// it (a stop after a label would not end the group before the label). Checked by lowering the table with the stop
    /// in every variant that had the violation: the fix is offered only when it removes it and breaks nothing (a stop
    /// inside an explicit bundle may leave no template for it).
    /// </summary>
    private int? StopFix(int h, int st, List<string> variants)
    {
        var statements = _table.Handlers[h].Statements;
        int k = st;
        while (k > 0 && statements[k - 1].Kind == StatementKind.Label) k--;
        var list = statements.ToList();
        list.Insert(k, new StatementSpec(StatementKind.Stop, ";;"));
        var handlers = _table.Handlers.ToList();
        handlers[h] = handlers[h] with { Statements = list.ToEquatableArray() };
        var patched = _table with { Handlers = handlers.ToEquatableArray() };
        foreach (var v in variants)
        {
            var before = Lowered(v).Diagnostics;
            var after = TableLowering.Build(patched, _symbols, new[] { v }).Diagnostics;
            if (after.Any(d => d.Id == "IVT009" && d.Handler == h && d.Statement == st + 1)) return null;
            if (after.Count(d => d.Id is not ("IVT009" or "IVT024")) > before.Count(d => d.Id is not ("IVT009" or "IVT024"))) return null;
        }
        return k;
    }

    // ---- IVT023: slot overflow in a variant this build does not make --------------------------------------------------

    private void SlotBudget()
    {
        // A handler that overflows in a variant this build makes already has the generator's IVT008.
        var reported = new HashSet<int>(Variants.Where(_built.Contains).SelectMany(v => Lowered(v).Diagnostics)
            .Where(d => d.Id == "IVT008").Select(d => d.Handler));
        foreach (var v in Variants)
        {
            if (_built.Contains(v)) continue;
            foreach (var d in Lowered(v).Diagnostics)
            {
                if (d.Id != "IVT008" || d.Handler < 0 || d.Handler >= _locations.Count || reported.Contains(d.Handler)) continue;
                _findings.Add(new Finding(DiagnosticDescriptors.SlotOverflowInOtherVariant, _locations[d.Handler].Method, d.Args.ToArray()));
            }
        }
    }
}
