using System.Globalization;

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
public sealed class OperandSyntax
{
    public OperandSyntaxKind Kind { get; init; }
    public OperandKind RegKind { get; init; }
    public int Number { get; init; }
    /// <summary>Indirect file name, or the bare identifier an expression consists of (ip, psr.l, @rev, ar.ccv…).</summary>
    public string? Name { get; init; }
    public Expr? Expr { get; init; }
    public int Column { get; init; }

    private string? _canonical;

    /// <summary>The canonical spelling compared against fixed tokens of the table (r0, ar.ccv, ip, 1).</summary>
    public string Canonical => _canonical ??= MakeCanonical();

    private string MakeCanonical() => Kind switch
    {
        OperandSyntaxKind.Register => RegKind switch
        {
            OperandKind.Gr => "r" + Number.ToString(CultureInfo.InvariantCulture),
            OperandKind.Fr => "f" + Number.ToString(CultureInfo.InvariantCulture),
            OperandKind.Pr => "p" + Number.ToString(CultureInfo.InvariantCulture),
            OperandKind.Br => "b" + Number.ToString(CultureInfo.InvariantCulture),
            OperandKind.Ar => Registers.ArName(Number),
            _ => Registers.CrName(Number),
        },
        OperandSyntaxKind.Memory => "[r" + Number.ToString(CultureInfo.InvariantCulture) + "]",
        OperandSyntaxKind.Indirect => Name + "[r" + Number.ToString(CultureInfo.InvariantCulture) + "]",
        _ => Name ?? (Expr is Expr.Number n ? n.Value.ToString(CultureInfo.InvariantCulture) : "<expression>"),
    };

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
