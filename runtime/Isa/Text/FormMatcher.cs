using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace IvtGen.Isa;

/// <summary>A form chosen for written operands: values known now, and expressions to evaluate after layout.</summary>
public sealed class MatchedInstruction
{
    public Form Form { get; }
    public int Qp { get; }
    public long[] Values { get; }
    /// <summary>Per operand, an expression still to evaluate (branch targets, forward symbols); null when known.</summary>
    public Expr?[] Pending { get; }

    public MatchedInstruction(Form form, int qp, long[] values, Expr?[] pending)
    {
        Form = form;
        Qp = qp;
        Values = values;
        Pending = pending;
    }

    public bool IsResolved => Array.TrueForAll(Pending, p => p is null);
}

/// <summary>
/// Chooses the table form for an instruction as written: the first form of that mnemonic (in table order)
/// whose operand kinds, '=' position and values all fit. When none fits, the error names the operand
/// that failed in the form that got furthest, and lists the accepted operand shapes.
/// </summary>
public static class FormMatcher
{
    public sealed class MatchError
    {
        public string Message { get; }
        public int Column { get; }
        public MatchError(string message, int column) { Message = message; Column = column; }
    }

    /// <param name="lookup">Resolves symbols known at this point (absolute symbols, earlier labels); null when unknown.</param>
    public static MatchedInstruction? Match(InstructionSyntax s, Func<string, long?> lookup, out MatchError? error, Func<Form, bool>? accept = null)
    {
        error = null;
        if (!InstructionTable.TryGetForms(s.Mnemonic, out var forms))
        {
            error = new MatchError($"unknown mnemonic '{s.Mnemonic}'", s.MnemonicColumn);
            return null;
        }
        (int reached, string msg, int col) best = (-1, "", s.MnemonicColumn);
        foreach (var f in forms)
        {
            if (f.Operands.Length != s.Operands.Count || f.Outputs != s.Outputs) continue;
            if (accept is not null && !accept(f)) continue;
            if (!KindsFit(f, s))
            {
                // The common miss (another shape of the same mnemonic): no allocation, and a message only if nothing fits.
                if (best.reached < 0) best = (-1, "", s.MnemonicColumn);
                continue;
            }
            var values = new long[f.Operands.Length];
            var pending = new Expr?[f.Operands.Length];
            int i = 0;
            string? why = null;
            for (; i < f.Operands.Length; i++)
            {
                why = MatchOperand(f.Operands[i], s.Operands[i], lookup, out values[i], out pending[i]);
                if (why is not null) break;
            }
            if (why is null)
            {
                if (s.Qp != 0 && (f.Pattern.Mask & 0x3f) != 0)
                {
                    why = $"{f.Mnemonic} cannot be predicated";
                    i = -1;
                }
                else if (f.Codec is not null && Array.TrueForAll(pending, p => p is null))
                {
                    var w = new InsnWord(f.Pattern.Value);
                    why = f.Codec.Encode(values, ref w);
                    i = f.Operands.Length - 1;
                }
                if (why is null) return new MatchedInstruction(f, s.Qp, values, pending);
            }
            if (i > best.reached)
            {
                int col = i >= 0 && i < s.Operands.Count ? s.Operands[i].Column : s.MnemonicColumn;
                best = (i, i >= 0 && i < s.Operands.Count ? $"operand {i + 1} of '{s.Mnemonic}': {why}" : why!, col);
            }
        }
        if (best.reached < 0 && best.msg.Length == 0 && forms.Any(f => f.Operands.Length == s.Operands.Count && f.Outputs == s.Outputs && (accept is null || accept(f))))
        {
            // Some form has the right shape but the wrong operand kinds: say which operand.
            return MatchSlow(s, forms, lookup, out error, accept);
        }
        if (best.reached < 0 && best.msg.Length == 0)
        {
            var shapes = forms.Select(Shape).Distinct().Take(8);
            error = new MatchError($"wrong operands for '{s.Mnemonic}': expected {string.Join(" or ", shapes.Select(x => "'" + x + "'"))}", s.MnemonicColumn);
            return null;
        }
        error = new MatchError(best.msg, best.col);
        return null;
    }

    /// <summary>Whether each written operand is of the kind the form's operand wants (values not checked).</summary>
    private static bool KindsFit(Form f, InstructionSyntax s)
    {
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            var w = s.Operands[i];
            bool ok = op.Kind switch
            {
                OperandKind.Fixed => w.Canonical == op.Text,
                OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr =>
                    w.Kind == OperandSyntaxKind.Register && w.RegKind == op.Kind,
                OperandKind.Mem => w.Kind == OperandSyntaxKind.Memory,
                OperandKind.Indirect => w.Kind == OperandSyntaxKind.Indirect && w.Name == op.Text,
                OperandKind.Symbolic => w.Name is not null,
                _ => w.Kind == OperandSyntaxKind.Expression && !IsReservedName(w.Name),
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>The message-producing match over every form, for when no form's operand kinds fit.</summary>
    private static MatchedInstruction? MatchSlow(InstructionSyntax s, Form[] forms, Func<string, long?> lookup, out MatchError? error, Func<Form, bool>? accept)
    {
        (int reached, string msg, int col) best = (-1, "", s.MnemonicColumn);
        foreach (var f in forms)
        {
            if (f.Operands.Length != s.Operands.Count || f.Outputs != s.Outputs) continue;
            if (accept is not null && !accept(f)) continue;
            for (int i = 0; i < f.Operands.Length; i++)
            {
                string? why = MatchOperand(f.Operands[i], s.Operands[i], lookup, out _, out _);
                if (why is null) continue;
                if (i > best.reached) best = (i, $"operand {i + 1} of '{s.Mnemonic}': {why}", s.Operands[i].Column);
                break;
            }
        }
        error = new MatchError(best.msg.Length > 0 ? best.msg : $"wrong operands for '{s.Mnemonic}'", best.col);
        return null;
    }

    /// <summary>Returns null when <paramref name="w"/> fits <paramref name="op"/>, else why not.</summary>
    private static string? MatchOperand(OperandSpec op, OperandSyntax w, Func<string, long?> lookup, out long value, out Expr? pending)
    {
        value = 0;
        pending = null;
        switch (op.Kind)
        {
            case OperandKind.Fixed:
                return w.Canonical == op.Text ? null : $"expected '{op.Text}'";
            case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                if (w.Kind != OperandSyntaxKind.Register || w.RegKind != op.Kind) return $"expected {KindName(op.Kind)}, found {w.Describe()}";
                value = w.Number;
                if (op.IsOutput && op.Kind == OperandKind.Gr && value == 0) return "r0 cannot be a destination";
                if (op.IsOutput && op.Kind == OperandKind.Fr && value < 2) return $"f{value} cannot be a destination";
                return FieldCheck(op, value);
            case OperandKind.Mem:
                if (w.Kind != OperandSyntaxKind.Memory) return $"expected a memory operand [rN], found {w.Describe()}";
                value = w.Number;
                return FieldCheck(op, value);
            case OperandKind.Indirect:
                if (w.Kind != OperandSyntaxKind.Indirect || w.Name != op.Text) return $"expected {op.Text}[rN], found {w.Describe()}";
                value = w.Number;
                return FieldCheck(op, value);
            case OperandKind.Symbolic:
                if (w.Name is null) return $"expected one of {string.Join(", ", op.Symbols!.Where(x => x.Length > 0))}";
                int idx = Array.IndexOf(op.Symbols!, w.Name);
                if (idx < 0 || w.Name.Length == 0) return $"expected one of {string.Join(", ", op.Symbols!.Where(x => x.Length > 0))}, found '{w.Name}'";
                value = idx;
                return null;
            case OperandKind.Target:
                if (w.Kind != OperandSyntaxKind.Expression || IsReservedName(w.Name)) return $"expected a branch target, found {Found(w)}";
                pending = w.Expr;
                return null;
            default: // Imm, ImmSet
                if (w.Kind != OperandSyntaxKind.Expression || IsReservedName(w.Name)) return $"expected an immediate, found {Found(w)}";
                var v = w.Expr!.Evaluate(lookup, out _);
                if (v is null)
                {
                    // A symbol not known yet (a label later in the file): evaluated after layout.
                    pending = w.Expr;
                    return null;
                }
                value = v.Value.Constant;
                if (op.Field is null) return null; // codec-encoded, checked as a whole
                return FieldCheck(op, value);
        }
    }

    private static string Found(OperandSyntax w) => w.Name is not null && IsReservedName(w.Name) ? $"'{w.Name}'" : w.Describe();

    // Names the table uses as fixed tokens or symbolic values (ip, pr, psr.l, ar.ccv, @rev…) are never symbols.
    private static readonly HashSet<string> s_reserved = BuildReserved();

    private static HashSet<string> BuildReserved()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in InstructionTable.Forms)
            foreach (var op in f.Operands)
            {
                if (op.Kind == OperandKind.Fixed && op.Text is { } t && !char.IsDigit(t[0])) set.Add(t);
                if (op.Kind == OperandKind.Symbolic) foreach (var sym in op.Symbols!) if (sym.Length > 0) set.Add(sym);
            }
        return set;
    }

    private static bool IsReservedName(string? name) => name is not null && s_reserved.Contains(name);

    private static string? FieldCheck(OperandSpec op, long value)
    {
        if (InstructionEncoder.CheckOperand(op, value) is { } err) return err;
        if (op.Field is not null && !op.TryToStored(value, out _)) return InstructionEncoder.Describe(op, value);
        return null;
    }

    private static string KindName(OperandKind k) => k switch
    {
        OperandKind.Gr => "a general register",
        OperandKind.Fr => "a floating-point register",
        OperandKind.Pr => "a predicate register",
        OperandKind.Br => "a branch register",
        OperandKind.Ar => "an application register",
        _ => "a control register",
    };

    /// <summary>The operand shape of a form, e.g. <c>r=[r],imm9</c>.</summary>
    public static string Shape(Form f)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < f.Operands.Length; i++)
        {
            if (i > 0) sb.Append(i == f.Outputs ? "=" : ",");
            var op = f.Operands[i];
            sb.Append(op.Kind switch
            {
                OperandKind.Gr => "r",
                OperandKind.Fr => "f",
                OperandKind.Pr => "p",
                OperandKind.Br => "b",
                OperandKind.Ar => "ar",
                OperandKind.Cr => "cr",
                OperandKind.Mem => "[r]",
                OperandKind.Indirect => op.Text + "[r]",
                OperandKind.Target => "target",
                OperandKind.Symbolic => "@sym",
                OperandKind.Fixed => op.Text,
                _ => op.Field is null ? "imm" : "imm" + op.Field.Width,
            });
        }
        return sb.ToString();
    }
}
