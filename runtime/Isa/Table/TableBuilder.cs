using System;
using System.Collections.Generic;
using System.Text;

namespace IvtGen.Isa;

/// <summary>A completer choice: its spelling and the value it puts in the group's field.</summary>
public readonly struct CompleterOption
{
    public readonly string Text;
    public readonly ulong Value;
    /// <summary>Accepted when parsing, never printed: another option spells the same bits.</summary>
    public readonly bool Alias;

    public CompleterOption(string text, ulong value, bool alias = false)
    {
        Text = text;
        Value = value;
        Alias = alias;
    }

    /// <summary>("", 0) and ("~.few", 0): a leading '~' marks an alias.</summary>
    public static implicit operator CompleterOption((string text, ulong value) t) =>
        t.text.StartsWith("~", StringComparison.Ordinal)
            ? new CompleterOption(t.text.Substring(1), t.value, alias: true)
            : new CompleterOption(t.text, t.value);
}

/// <summary>A set of completers that share one field, such as ldhint (<c>""</c>, <c>.nt1</c>, <c>.nta</c>) in bits 28–29.</summary>
public sealed class CompleterGroup
{
    public string Name { get; }
    public Field Field { get; }
    public CompleterOption[] Options { get; }

    public CompleterGroup(string name, Field field, CompleterOption[] options)
    {
        Name = name;
        Field = field;
        Options = options;
    }
}

/// <summary>
/// Builds the instruction table. A row names a mnemonic template whose <c>{group}</c> placeholders expand over
/// the options of registered completer groups; each combination becomes one concrete <see cref="Form"/>.
/// Operand lists use <see cref="O.Eq"/> where the assembly syntax has '='.
/// </summary>
public sealed class TableBuilder
{
    private readonly List<Form> _forms = new();
    private readonly Dictionary<string, CompleterGroup> _groups = new(StringComparer.Ordinal);

    public IReadOnlyList<Form> Forms => _forms;

    /// <summary>Registers a completer group for use as <c>{name}</c> in mnemonic templates.</summary>
    public void Group(string name, Field field, params CompleterOption[] options)
    {
        if (_groups.ContainsKey(name)) throw new InvalidOperationException($"completer group {name} registered twice");
        _groups.Add(name, new CompleterGroup(name, field, options));
    }

    /// <summary>Adds every expansion of <paramref name="template"/> as a form.</summary>
    public void Add(string template, Unit unit, string format, Pattern pattern, OperandSpec[] operands,
        InsnFlags flags = InsnFlags.None, IFormCodec? codec = null)
    {
        // Split operands at O.Eq.
        int eq = Array.IndexOf(operands, O.Eq);
        var ops = new List<OperandSpec>(operands.Length);
        for (int i = 0; i < operands.Length; i++)
        {
            if (i == eq) continue;
            ops.Add(eq >= 0 && i < eq ? operands[i].AsOutput() : operands[i]);
        }
        int outputs = eq < 0 ? 0 : eq;
        Expand(template, 0, new StringBuilder(), pattern, false, unit, format, ops.ToArray(), outputs, flags, codec);
    }

    private void Expand(string t, int at, StringBuilder name, Pattern pattern, bool alias, Unit unit, string format,
        OperandSpec[] ops, int outputs, InsnFlags flags, IFormCodec? codec)
    {
        int open = t.IndexOf('{', at);
        if (open < 0)
        {
            // One string per form (the table has thousands, all made at start-up): the name so far plus the rest.
            int before = name.Length;
            string mnemonic = name.Append(t, at, t.Length - at).ToString();
            name.Length = before;
            var f = alias ? flags | InsnFlags.ParseOnly : flags;
            _forms.Add(new Form(mnemonic, unit, format, pattern, ops, outputs, f, codec) { Id = _forms.Count });
            return;
        }
        int close = t.IndexOf('}', open);
        string key = t.Substring(open + 1, close - open - 1);
        if (!_groups.TryGetValue(key, out var g)) throw new InvalidOperationException($"unknown completer group {{{key}}} in {t}");
        int len = name.Length;
        foreach (var o in g.Options)
        {
            name.Append(t, at, open - at).Append(o.Text);
            var p = pattern;
            ulong v = o.Value;
            foreach (var piece in g.Field.Pieces)
            {
                if (piece.InLongSlot) throw new InvalidOperationException($"completer group {key} lies in the L slot");
                p = p.F(piece.Pos, piece.Len, v & BitRange.Mask(piece.Len));
                v >>= piece.Len;
            }
            Expand(t, close + 1, name, p, alias || o.Alias, unit, format, ops, outputs, flags, codec);
            name.Length = len;
        }
    }
}
