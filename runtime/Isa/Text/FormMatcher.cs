using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace IvtGen.Isa;

/// <summary>An operand whose value is known only after layout (a branch target, a label later in the file).</summary>
public readonly struct PendingOperand
{
    /// <summary>Which operand of the form.</summary>
    public readonly int Index;
    public readonly Expr Expr;
    /// <summary>Where the operand was written, for messages.</summary>
    public readonly int Column;

    public PendingOperand(int index, Expr expr, int column)
    {
        Index = index;
        Expr = expr;
        Column = column;
    }
}

/// <summary>A form chosen for written operands: values known now, and expressions to evaluate after layout.</summary>
public sealed class MatchedInstruction
{
    public Form Form { get; }
    public int Qp { get; }
    public long[] Values { get; }
    /// <summary>The operands still to evaluate (branch targets, forward symbols); empty when all are known.</summary>
    public PendingOperand[] Pending { get; }

    public MatchedInstruction(Form form, int qp, long[] values, PendingOperand[] pending)
    {
        Form = form;
        Qp = qp;
        Values = values;
        Pending = pending;
    }

    public bool IsResolved => Pending.Length == 0;
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
        var values = new long[s.OperandCount];
        var form = Match(s, lookup, accept, explain: true, values, out var pending, out error);
        return form is null ? null : new MatchedInstruction(form, s.Qp, values, pending ?? Array.Empty<PendingOperand>());
    }

    /// <summary>The match among the forms <paramref name="accept"/> takes, or null; no error message is composed.</summary>
    public static MatchedInstruction? TryMatch(InstructionSyntax s, Func<string, long?> lookup, Func<Form, bool> accept)
    {
        var values = new long[s.OperandCount];
        var form = Match(s, lookup, accept, explain: false, values, out var pending, out _);
        return form is null ? null : new MatchedInstruction(form, s.Qp, values, pending ?? Array.Empty<PendingOperand>());
    }

    /// <summary>
    /// Chooses the form and writes its operand values into <paramref name="values"/> (one per written operand), so a
    /// caller that keeps many instructions can have them written straight into its own storage.
    /// </summary>
    /// <param name="explain">Compose the error when nothing fits (the alternative-unit search does not need one).</param>
    internal static Form? Match(InstructionSyntax s, Func<string, long?> lookup, Func<Form, bool>? accept, bool explain, Span<long> values,
        out PendingOperand[]? pending, out MatchError? error)
    {
        error = null;
        pending = null;
        var forms = s.Forms;
        if (forms is null)
        {
            if (explain) error = new MatchError($"unknown mnemonic '{s.Mnemonic}'", s.MnemonicColumn);
            return null;
        }
        var written = s.Operands;
        (int reached, string msg, int col) best = (-1, "", s.MnemonicColumn);
        foreach (var f in forms)
        {
            if (f.Operands.Length != written.Length || f.Outputs != s.Outputs) continue;
            if (accept is not null && !accept(f)) continue;
            if (!KindsFit(f, written))
            {
                // The common miss (another shape of the same mnemonic): no allocation, and a message only if nothing fits.
                if (best.reached < 0) best = (-1, "", s.MnemonicColumn);
                continue;
            }
            pending = null;
            int pendingCount = 0;
            int i = 0;
            string? why = null;
            for (; i < f.Operands.Length; i++)
            {
                why = MatchOperand(f.Operands[i], written[i], lookup, out values[i], out var later);
                if (why is not null) break;
                if (later is not null)
                {
                    pending ??= new PendingOperand[f.Operands.Length];
                    pending[pendingCount++] = new PendingOperand(i, later, written[i].Column);
                }
            }
            if (why is null)
            {
                if (s.Qp != 0 && (f.Pattern.Mask & 0x3f) != 0)
                {
                    why = $"{f.Mnemonic} cannot be predicated";
                    i = -1;
                }
                else if (f.Codec is not null && pending is null)
                {
                    var w = new InsnWord(f.Pattern.Value);
                    why = f.Codec.Encode(InstructionEncoder.CodecArgument(values), ref w);
                    i = f.Operands.Length - 1;
                }
                if (why is null)
                {
                    if (pending is not null && pendingCount < pending.Length) Array.Resize(ref pending, pendingCount);
                    return f;
                }
            }
            if (explain && i > best.reached)
            {
                int col = i >= 0 && i < written.Length ? written[i].Column : s.MnemonicColumn;
                best = (i, i >= 0 && i < written.Length ? $"operand {i + 1} of '{s.Mnemonic}': {why}" : why!, col);
            }
        }
        pending = null;
        if (!explain) return null;
        error = best.reached < 0 && best.msg.Length == 0 ? NothingFits(s, forms, lookup, accept) : new MatchError(best.msg, best.col);
        return null;
    }

    /// <summary>The error when no form got past the operand kinds (kept apart: its lambdas would allocate on every match).</summary>
    private static MatchError NothingFits(InstructionSyntax s, Form[] forms, Func<string, long?> lookup, Func<Form, bool>? accept)
    {
        int count = s.OperandCount, outputs = s.Outputs;
        if (forms.Any(f => f.Operands.Length == count && f.Outputs == outputs && (accept is null || accept(f))))
        {
            // Some form has the right shape but the wrong operand kinds: say which operand.
            return WhichOperand(s, forms, lookup, accept);
        }
        var shapes = forms.Select(Shape).Distinct().Take(8);
        return new MatchError($"wrong operands for '{s.Mnemonic}': expected {string.Join(" or ", shapes.Select(x => "'" + x + "'"))}", s.MnemonicColumn);
    }

    /// <summary>Whether each written operand is of the kind the form's operand wants (values not checked).</summary>
    private static bool KindsFit(Form f, ReadOnlySpan<OperandSyntax> written)
    {
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            ref readonly var w = ref written[i];
            bool ok = op.Kind switch
            {
                OperandKind.Fixed => w.IsSpelled(op.Text!),
                OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr =>
                    w.Kind == OperandSyntaxKind.Register && w.RegKind == op.Kind,
                OperandKind.Mem => w.Kind == OperandSyntaxKind.Memory,
                OperandKind.Indirect => w.Kind == OperandSyntaxKind.Indirect && w.Name == op.Text,
                OperandKind.Symbolic => w.Name is not null,
                _ => w.Kind == OperandSyntaxKind.Expression && !IsReservedFor(op, w.Name),
            };
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>The message-producing match over every form, for when no form's operand kinds fit.</summary>
    private static MatchError WhichOperand(InstructionSyntax s, Form[] forms, Func<string, long?> lookup, Func<Form, bool>? accept)
    {
        var written = s.Operands;
        (int reached, string msg, int col) best = (-1, "", s.MnemonicColumn);
        foreach (var f in forms)
        {
            if (f.Operands.Length != written.Length || f.Outputs != s.Outputs) continue;
            if (accept is not null && !accept(f)) continue;
            for (int i = 0; i < f.Operands.Length; i++)
            {
                string? why = MatchOperand(f.Operands[i], written[i], lookup, out _, out _);
                if (why is null) continue;
                if (i > best.reached) best = (i, $"operand {i + 1} of '{s.Mnemonic}': {why}", written[i].Column);
                break;
            }
        }
        return new MatchError(best.msg.Length > 0 ? best.msg : $"wrong operands for '{s.Mnemonic}'", best.col);
    }

    /// <summary>Returns null when <paramref name="w"/> fits <paramref name="op"/>, else why not.</summary>
    private static string? MatchOperand(OperandSpec op, in OperandSyntax w, Func<string, long?> lookup, out long value, out Expr? pending)
    {
        value = 0;
        pending = null;
        switch (op.Kind)
        {
            case OperandKind.Fixed:
                return w.IsSpelled(op.Text!) ? null : $"expected '{op.Text}'";
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
                pending = w.ToExpr();
                return null;
            default: // Imm, ImmSet
                if (w.Kind != OperandSyntaxKind.Expression || IsReservedFor(op, w.Name)) return $"expected an immediate, found {Found(w)}";
                if (w.IsLiteral) value = w.Value;
                else
                {
                    var v = w.Expr!.Evaluate(lookup, out _);
                    if (v is null)
                    {
                        // A symbol not known yet (a label later in the file): evaluated after layout.
                        pending = w.Expr;
                        return null;
                    }
                    value = v.Value.Constant;
                }
                if (op.Field is null) return null; // codec-encoded, checked as a whole
                return FieldCheck(op, value);
        }
    }

    private static string Found(in OperandSyntax w) => w.Name is not null && IsReservedName(w.Name) ? $"'{w.Name}'" : w.Describe();

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

    internal static bool IsReservedName(string? name) => name is not null && s_reserved.Contains(name);

    /// <summary>
    /// Whether <paramref name="name"/> cannot stand as <paramref name="op"/>, an immediate or a branch target: a name the
    /// table reserves, but for GNU's named constants (@rev, @pause…), which are values to an immediate.
    /// </summary>
    private static bool IsReservedFor(OperandSpec op, string? name) =>
        IsReservedName(name) && !(op.Kind != OperandKind.Target && PseudoConstants.Is(name));

    /// <summary>
    /// Whether MatchOperand takes <paramref name="value"/> for <paramref name="op"/>, a register, memory or immediate
    /// operand written as the kind it wants: its value checks, without composing the message of a refusal.
    /// </summary>
    internal static bool Takes(OperandSpec op, long value)
    {
        if (op.IsOutput && op.Kind == OperandKind.Gr && value == 0) return false;
        if (op.IsOutput && op.Kind == OperandKind.Fr && value < 2) return false;
        if (op.Kind == OperandKind.Imm && op.Field is null) return true; // codec-encoded: the codec checks it
        return InstructionEncoder.CheckOperand(op, value) is null && (op.Field is null || op.TryToStored(value, out _));
    }

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
