using System;
using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>
/// Implemented by a codec whose whole effect is rules between operand values and coded operands that each go into
/// a field of their own: what it does is then data, which the compiled encoding (<see cref="CompiledEncoding"/>)
/// takes over, and the codec's <see cref="IFormCodec.Encode"/> is only asked for its message when a rule fails.
/// </summary>
internal interface IFormCodecRules
{
    /// <summary>The rules the codec checks, in the order it checks them.</summary>
    OperandRule[] Rules { get; }

    /// <summary>The operands the codec writes, each into its own field.</summary>
    CodedField[] Fields { get; }
}

/// <summary>What an <see cref="OperandRule"/> asks of the values of its operands A and B.</summary>
internal enum OperandRuleKind : byte
{
    /// <summary>A is not 0 (r0, which a base update would write).</summary>
    NotZero,
    /// <summary>A and B differ.</summary>
    Distinct,
    /// <summary>A and B are both static registers (below 32) or both rotating ones.</summary>
    SameBank,
    /// <summary>One of A and B is odd, the other even.</summary>
    OddAndEven,
}

/// <summary>A rule between operand values that no single field expresses (a register pair, a base that is not r0).</summary>
internal readonly struct OperandRule
{
    public readonly OperandRuleKind Kind;
    /// <summary>The operands' indices; a rule about one operand has B = A.</summary>
    public readonly int A, B;

    private OperandRule(OperandRuleKind kind, int a, int b)
    {
        Kind = kind;
        A = a;
        B = b;
    }

    public static OperandRule NotZero(int a) => new(OperandRuleKind.NotZero, a, a);
    public static OperandRule Distinct(int a, int b) => new(OperandRuleKind.Distinct, a, b);
    public static OperandRule SameBank(int a, int b) => new(OperandRuleKind.SameBank, a, b);
    public static OperandRule OddAndEven(int a, int b) => new(OperandRuleKind.OddAndEven, a, b);

    /// <summary>Whether values <paramref name="a"/> of operand A and <paramref name="b"/> of operand B keep the rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Holds(long a, long b) => Kind switch
    {
        OperandRuleKind.NotZero => a != 0,
        OperandRuleKind.Distinct => a != b,
        OperandRuleKind.SameBank => a < 32 == b < 32,
        _ => ((a ^ b) & 1) != 0,
    };

    public bool Holds(long[] values) => Holds(values[A], values[B]);
}

/// <summary>
/// An operand with no field of its own (<see cref="OperandSpec.Coded"/>) that a codec writes into <see cref="Field"/>:
/// the written values 0 … <see cref="Count"/> − 1 store <see cref="Stored"/> of themselves, and no other value is taken.
/// </summary>
internal readonly struct CodedField
{
    public readonly int Operand;
    public readonly Field Field;
    public readonly int Count;
    public readonly Func<long, long> Stored;

    public CodedField(int operand, Field field, int count, Func<long, long> stored)
    {
        Operand = operand;
        Field = field;
        Count = count;
        Stored = stored;
    }
}
