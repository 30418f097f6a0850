using System;

namespace IvtGen.Isa;

public enum OperandSyntaxKind : byte
{
    /// <summary>A register of some file (RegKind says which).</summary>
    Register,
    /// <summary>[rN]</summary>
    Memory,
    /// <summary>FILE[rN]</summary>
    Indirect,
    /// <summary>Any expression (number, symbol, '.', arithmetic). A bare name also keeps its text for fixed tokens.</summary>
    Expression,
}

/// <summary>One operand as written, before a form is chosen.</summary>
public readonly struct OperandSyntax
{
    public OperandSyntaxKind Kind { get; init; }
    public OperandKind RegKind { get; init; }
    public int Number { get; init; }
    /// <summary>Indirect file name, or the bare identifier an expression consists of (ip, psr.l, @rev, ar.ccv…).</summary>
    public string? Name { get; init; }
    /// <summary>
    /// The expression; null for a literal number or a negated one (<c>16</c>, <c>-8</c>), the most common operands,
    /// whose value is <see cref="Value"/> with no tree to build or walk.
    /// </summary>
    public Expr? Expr { get; init; }
    /// <summary>The value of a literal when <see cref="Expr"/> is null.</summary>
    public long Value { get; init; }
    /// <summary>The literal is written as a plain number (so it spells its value, as a fixed token such as "1" would).</summary>
    public bool IsNumber { get; init; }
    public int Column { get; init; }

    /// <summary>Whether the operand is an expression whose value is known without evaluation.</summary>
    public bool IsLiteral => Kind == OperandSyntaxKind.Expression && Expr is null;

    /// <summary>The expression as a tree (a literal becomes a number node).</summary>
    public Expr ToExpr() => Expr ?? new Expr.Number(Value, Column);

    /// <summary>
    /// Whether the canonical spelling of the operand (r0, ar.ccv, [r3], ip, 1…) is <paramref name="text"/>: how a
    /// fixed token of the table is compared. Registers spell as the formatter prints them, numbers in decimal, names
    /// as written, any other expression as nothing a token can equal.
    /// </summary>
    public bool IsSpelled(string text)
    {
        var t = text.AsSpan();
        switch (Kind)
        {
            case OperandSyntaxKind.Register:
                return RegKind switch
                {
                    OperandKind.Gr => IsPrefixedNumber(t, "r", Number),
                    OperandKind.Fr => IsPrefixedNumber(t, "f", Number),
                    OperandKind.Pr => IsPrefixedNumber(t, "p", Number),
                    OperandKind.Br => IsPrefixedNumber(t, "b", Number),
                    OperandKind.Ar => text == Registers.ArName(Number),
                    _ => text == Registers.CrName(Number),
                };
            case OperandSyntaxKind.Memory:
                return t.Length > 3 && t[0] == '[' && t[t.Length - 1] == ']' && IsPrefixedNumber(t.Slice(1, t.Length - 2), "r", Number);
            case OperandSyntaxKind.Indirect:
                return t.StartsWith(Name.AsSpan(), StringComparison.Ordinal) && t.Length > Name!.Length + 2 && t[Name.Length] == '[' &&
                       t[t.Length - 1] == ']' && IsPrefixedNumber(t.Slice(Name.Length + 1, t.Length - Name.Length - 2), "r", Number);
            default:
                if (Name is not null) return text == Name;
                long v;
                if (Expr is Expr.Number n) v = n.Value;
                else if (Expr is null && IsNumber) v = Value;
                else return text == "<expression>"; // how any other expression spells
                return IsDecimal(t, v);
        }
    }

    private static bool IsPrefixedNumber(ReadOnlySpan<char> t, string prefix, long n) =>
        t.StartsWith(prefix.AsSpan(), StringComparison.Ordinal) && IsDecimal(t.Slice(prefix.Length), n);

    /// <summary>Whether <paramref name="t"/> is <paramref name="v"/> in invariant decimal (no leading zeros, '-' for negatives).</summary>
    private static bool IsDecimal(ReadOnlySpan<char> t, long v)
    {
        if (t.Length == 0) return false;
        ulong u = (ulong)v;
        if (v < 0)
        {
            if (t[0] != '-') return false;
            t = t.Slice(1);
            u = 0 - u;
        }
        if (t.Length == 0 || (t[0] == '0' && t.Length > 1)) return false;
        ulong x = 0;
        foreach (char c in t)
        {
            uint d = (uint)(c - '0');
            if (d > 9 || x > (ulong.MaxValue - d) / 10) return false;
            x = x * 10 + d;
        }
        return x == u;
    }

    public string Describe() => Kind switch
    {
        OperandSyntaxKind.Register => RegKind switch
        {
            OperandKind.Gr => "general register",
            OperandKind.Fr => "floating-point register",
            OperandKind.Pr => "predicate register",
            OperandKind.Br => "branch register",
            OperandKind.Ar => "application register",
            _ => "control register",
        },
        OperandSyntaxKind.Memory => "memory operand",
        OperandSyntaxKind.Indirect => "indirect register",
        _ => "expression",
    };
}
