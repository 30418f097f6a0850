using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Generator.Model;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Generator.Analyzers;

/// <summary>
/// What the analyzers need from the catalogue of paravirtualized operations (runtime/Paravirt), in one place: a
/// <c>pv_…</c> statement's registers per variant, and which operation replaces a raw privileged instruction.
/// </summary>
internal static class ParavirtModel
{
    /// <summary>A register name of the catalogue (<c>r8</c>, <c>b7</c>, <c>p6</c>, <c>ar.unat</c>, <c>ar.k5</c>) as a resource number; −1 if none.</summary>
    public static int Resource(string name)
    {
        string n = name.Trim();
        if (n.StartsWith("ar.k", StringComparison.Ordinal) && int.TryParse(n.Substring(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out int k))
            return DependencyChecker.Resource(OperandKind.Ar, k);
        return InstructionSyntaxParser.TryRegister(n, out var kind, out int num) ? DependencyChecker.Resource(kind, num) : -1;
    }

    private static int[] Resources(IEnumerable<string> names) =>
        names.Select(Resource).Where(r => r > 0 && r != 256 && r != 128 && r != 129).Distinct().ToArray();

    /// <summary>
    /// Fills in a <see cref="StatementKind.Paravirt"/> node: it reads its sources and qualifying predicates, writes its
    /// outputs (under its predicate, when it has one), and per variant clobbers and reserves what the lowering says.
    /// </summary>
    public static bool Describe(StatementSpec st, FlowNode node)
    {
        if (st.Kind != StatementKind.Paravirt || !ParavirtCatalog.TryGet(st.Text, out var op)) return false;
        var operands = st.Operands.ToArray();
        if (!op.Bind(operands, out var bound, out _)) return false;
        var reads = new List<string>();
        var writes = new List<string>();
        int qp = 0;
        foreach (var o in op.Operands)
        {
            string v = bound![o.Name];
            switch (o.Role)
            {
                case PvOperandRole.Source: reads.Add(v); break;
                case PvOperandRole.Predicate:
                    reads.Add(v);
                    // One guard predicate qualifies the whole operation (AltAGuard); several (itc_i_and_d) guard parts of it.
                    if (op.AltAGuard == o.Name && v != "p0") qp = Resource(v) - 256;
                    break;
                case PvOperandRole.KernelRegister: writes.Add(v); break;
            }
        }
        var variants = new Dictionary<string, VariantEffects>(StringComparer.Ordinal);
        string[]? outputs = null;
        foreach (var variant in ParavirtVariants.All)
        {
            if (!op.TryLower(variant, operands, out var lowering, out _) || lowering is null) return false;
            outputs ??= lowering.Outputs;
            // AltA's stub holds the reserved registers in a group of its own: the site shares none with handler code.
            bool inline = lowering.StubName is null;
            variants[variant] = new VariantEffects(Resources(lowering.Clobbers), inline ? Resources(lowering.Reserves) : Array.Empty<int>())
            {
                StartsGroup = lowering.Inline.Length > 0 && lowering.Inline[0] == ";;",
                EndsGroup = EndsWithStop(lowering.Inline),
            };
        }
        writes.AddRange(outputs ?? Array.Empty<string>());
        node.Kind = NodeKind.Paravirt;
        node.Operation = op.DslName;
        node.Qp = qp;
        node.Reads = Resources(reads);
        node.Writes = Resources(writes);
        node.Variants = variants;
        node.Flow = op.Name == "rfi" ? FlowKind.Leave : FlowKind.Next;
        return true;
    }

    private static bool EndsWithStop(string[] lines)
    {
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            if (lines[i] == ";;") return true;
            if (lines[i] != "}") return false;
        }
        return false;
    }

    /// <summary>A raw instruction the catalogue says an operation replaces, with the operands the instruction gives it.</summary>
    public sealed record Replacement(ParavirtOp Op, Dictionary<string, string> Bound, int Lines);

    /// <summary>
    /// The operation that replaces the raw instruction <paramref name="ins"/> (<see cref="ParavirtOp.Replaces"/>), with
    /// the operands it binds (<c>mov r16=cr.ifa</c> → mov_from_ifa, reg=r16). Null when no operation replaces it.
    /// </summary>
    public static Replacement? Replacing(in Instruction ins)
    {
        foreach (var (op, template, dummies) in s_templates.Value)
        {
            if (!ReferenceEquals(template.Form, ins.Form) && (template.Form.Mnemonic != ins.Form.Mnemonic || template.Form.Format != ins.Form.Format)) continue;
            var bound = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!Bind(template.Qp, ins.Qp, OperandKind.Pr, dummies, bound)) continue;
            bool ok = true;
            for (int i = 0; i < template.Values.Length && ok; i++)
                ok = Bind(template.Values[i], ins.Values[i], template.Form.Operands[i].Kind, dummies, bound);
            if (!ok) continue;
            foreach (var o in op.Operands)
                if (o.Role == PvOperandRole.Predicate && !bound.ContainsKey(o.Name)) bound[o.Name] = "p0";
            return new Replacement(op, bound, op.Replaces.Count);
        }
        return null;
    }

    private static bool Bind(long templateValue, long value, OperandKind kind, Dictionary<(OperandKind, long), string> dummies, Dictionary<string, string> bound)
    {
        var k = kind == OperandKind.Pr ? OperandKind.Pr : kind == OperandKind.Ar ? OperandKind.Ar : OperandKind.Gr;
        if (kind is OperandKind.Gr or OperandKind.Pr or OperandKind.Ar && dummies.TryGetValue((k, templateValue), out var name))
        {
            string text = k switch
            {
                OperandKind.Pr => "p" + value.ToString(CultureInfo.InvariantCulture),
                OperandKind.Ar => "ar.k" + value.ToString(CultureInfo.InvariantCulture),
                _ => "r" + value.ToString(CultureInfo.InvariantCulture),
            };
            if (bound.TryGetValue(name, out var prev)) return prev == text;
            bound[name] = text;
            return true;
        }
        return templateValue == value;
    }

    // Each operation's first replaced instruction, parsed with a distinct dummy register per placeholder.
    private static readonly Lazy<List<(ParavirtOp Op, Instruction Template, Dictionary<(OperandKind, long), string> Dummies)>> s_templates = new(() =>
    {
        var list = new List<(ParavirtOp, Instruction, Dictionary<(OperandKind, long), string>)>();
        foreach (var op in ParavirtCatalog.All)
        {
            if (op.Replaces.Count == 0) continue;
            var dummies = new Dictionary<(OperandKind, long), string>();
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            int gr = 100, pr = 50;
            foreach (var o in op.Operands)
            {
                switch (o.Kind)
                {
                    case PvOperandKind.Gr: env[o.Name] = "r" + gr.ToString(CultureInfo.InvariantCulture); dummies[(OperandKind.Gr, gr++)] = o.Name; break;
                    case PvOperandKind.Pr: env[o.Name] = "p" + pr.ToString(CultureInfo.InvariantCulture); dummies[(OperandKind.Pr, pr++)] = o.Name; break;
                    default: env[o.Name] = "ar.k7"; dummies[(OperandKind.Ar, 7)] = o.Name; break;
                }
            }
            string text = op.Replaces[0];
            foreach (var kv in env) text = text.Replace("{" + kv.Key + "}", kv.Value);
            if (!IsaText.TryParse(text, out var template, out _))
                throw new InvalidOperationException($"{op.DslName}: cannot read the replaced instruction '{text}'");
            list.Add((op, template, dummies));
        }
        return list;
    });

    /// <summary>The instructions (after the first) an operation's <see cref="ParavirtOp.Replaces"/> also covers, as parsed forms, for matching statements that follow.</summary>
    public static IReadOnlyList<string> Following(ParavirtOp op) => op.Replaces.Skip(1).ToList();
}
