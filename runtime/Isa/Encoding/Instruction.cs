using System;
using System.Text;

namespace IvtGen.Isa;

/// <summary>
/// One decoded or parsed instruction: a form, its qualifying predicate and one value per operand
/// (register number, immediate, symbol index, or for an IP-relative target the byte displacement
/// from the address of the instruction's bundle). Fixed-token operands carry 0.
/// </summary>
public readonly struct Instruction : IEquatable<Instruction>
{
    public readonly Form Form;
    public readonly int Qp;
    public readonly long[] Values;

    public Instruction(Form form, int qp, long[] values)
    {
        Form = form;
        Qp = qp;
        Values = values;
    }

    public bool IsDefault => Form is null;

    public bool Equals(Instruction other)
    {
        if (!ReferenceEquals(Form, other.Form) || Qp != other.Qp || Values.Length != other.Values.Length) return false;
        for (int i = 0; i < Values.Length; i++)
            if (Values[i] != other.Values[i]) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Instruction i && Equals(i);

    public override int GetHashCode()
    {
        int h = Form?.Id ?? 0;
        h = h * 31 + Qp;
        foreach (var v in Values ?? Array.Empty<long>()) h = h * 31 + v.GetHashCode();
        return h;
    }

    public override string ToString() => Formatter.Format(this, 0);
}
