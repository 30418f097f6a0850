using System;
using System.Collections.Generic;
using IvtGen.Isa;

namespace IvtGen.Generator.Analyzers;

/// <summary>One instruction's GNU as text read with the ISA core's own parser and form matcher.</summary>
internal static class IsaText
{
    /// <summary>The instruction <paramref name="text"/> spells, and the symbol its branch target names (if any).</summary>
    public static bool TryParse(string text, out Instruction instruction, out string? target)
    {
        instruction = default;
        target = null;
        ParsedSource source;
        try
        {
            source = SourceParser.Parse(text, new List<AsmDiagnostic>());
        }
        catch (Exception)
        {
            return false;
        }
        if (source.InstructionCount != 1) return false;
        var si = source.Instruction(0);
        Span<long> buffer = stackalloc long[ParsedSource.MaxOperands];
        instruction = new Instruction(si.Form, si.Qp, source.ValuesOf(0, buffer).ToArray());
        if (source.PendingOf(0) is { } pending)
            foreach (var p in pending)
                if (si.Form.Operands[p.Index].Kind == OperandKind.Target && p.Expr is Expr.Symbol s) target = s.Name;
        return true;
    }
}
