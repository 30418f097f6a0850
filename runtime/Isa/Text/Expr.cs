using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// The value of an assembly expression: a constant, or a symbol plus a constant. Label arithmetic that
/// cancels (<c>b - a</c>) folds to a constant once both are known.
/// </summary>
public readonly struct ExprValue
{
    public readonly long Constant;
    public readonly string? Symbol;

    public ExprValue(long constant, string? symbol = null)
    {
        Constant = constant;
        Symbol = symbol;
    }

    public bool IsConstant => Symbol is null;
}

/// <summary>A parsed expression: numbers, symbols, '.', unary - ~, and binary * / % + - &lt;&lt; &gt;&gt; &amp; ^ |.</summary>
public abstract class Expr
{
    public int Column { get; }

    protected Expr(int column) => Column = column;

    /// <summary>Evaluates with <paramref name="lookup"/> giving a symbol's address (false: unknown); null when unresolvable.</summary>
    public abstract ExprValue? Evaluate(Func<string, long?> lookup, out string? error);

    public sealed class Number : Expr
    {
        public long Value { get; }
        public Number(long value, int column) : base(column) => Value = value;
        public override ExprValue? Evaluate(Func<string, long?> lookup, out string? error) { error = null; return new ExprValue(Value); }
    }

    public sealed class Symbol : Expr
    {
        public string Name { get; }
        public Symbol(string name, int column) : base(column) => Name = name;
        public override ExprValue? Evaluate(Func<string, long?> lookup, out string? error)
        {
            error = null;
            // GNU reads its named constants (@nat, @pause…) before any symbol of that name.
            if (PseudoConstants.TryGet(Name, out long constant)) return new ExprValue(constant);
            var v = lookup(Name);
            if (v is null) { error = $"undefined symbol '{Name}'"; return null; }
            return new ExprValue(v.Value);
        }
    }

    public sealed class Unary : Expr
    {
        public char Op { get; }
        public Expr Operand { get; }
        public Unary(char op, Expr operand, int column) : base(column) { Op = op; Operand = operand; }
        public override ExprValue? Evaluate(Func<string, long?> lookup, out string? error)
        {
            var v = Operand.Evaluate(lookup, out error);
            if (v is null) return null;
            return new ExprValue(Op == '-' ? -v.Value.Constant : ~v.Value.Constant);
        }
    }

    public sealed class Binary : Expr
    {
        public string Op { get; }
        public Expr Left { get; }
        public Expr Right { get; }
        public Binary(string op, Expr left, Expr right, int column) : base(column) { Op = op; Left = left; Right = right; }
        public override ExprValue? Evaluate(Func<string, long?> lookup, out string? error)
        {
            var l = Left.Evaluate(lookup, out error);
            if (l is null) return null;
            var r = Right.Evaluate(lookup, out error);
            if (r is null) return null;
            long a = l.Value.Constant, b = r.Value.Constant;
            switch (Op)
            {
                case "+": return new ExprValue(unchecked(a + b));
                case "-": return new ExprValue(unchecked(a - b));
                case "*": return new ExprValue(unchecked(a * b));
                case "/": if (b == 0) { error = "division by zero"; return null; } return new ExprValue(a / b);
                case "%": if (b == 0) { error = "division by zero"; return null; } return new ExprValue(a % b);
                case "<<": return new ExprValue(b >= 64 ? 0 : a << (int)b);
                case ">>": return new ExprValue(b >= 64 ? (a < 0 ? -1 : 0) : a >> (int)b);
                case "&": return new ExprValue(a & b);
                case "^": return new ExprValue(a ^ b);
                case "|": return new ExprValue(a | b);
            }
            error = $"unknown operator {Op}";
            return null;
        }
    }

    /// <summary>Symbols the expression names (for dependency and relocation decisions).</summary>
    public void CollectSymbols(List<string> into)
    {
        switch (this)
        {
            case Symbol s when !PseudoConstants.Is(s.Name): into.Add(s.Name); break;
            case Unary u: u.Operand.CollectSymbols(into); break;
            case Binary b: b.Left.CollectSymbols(into); b.Right.CollectSymbols(into); break;
        }
    }
}
