using System;

namespace IvtGen.Isa;

/// <summary>The nop that fills an empty slot of each kind (<c>nop.m 0</c>, <c>nop.i 0</c>, … <c>nop.x 0</c>).</summary>
public static class Nops
{
    private static readonly Instruction[] s_nops = Build();

    private static Instruction[] Build()
    {
        var r = new Instruction[6];
        foreach (var (kind, name) in new[] { (SlotKind.M, "nop.m"), (SlotKind.I, "nop.i"), (SlotKind.F, "nop.f"), (SlotKind.B, "nop.b"), (SlotKind.X, "nop.x") })
        {
            if (!InstructionTable.TryGetForms(name, out var forms)) continue;
            var f = Array.Find(forms, x => !x.Has(InsnFlags.ParseOnly) && x.Operands.Length == 1) ?? forms[0];
            r[(int)kind] = new Instruction(f, 0, new long[f.Operands.Length]);
        }
        return r;
    }

    public static Instruction For(SlotKind kind) =>
        s_nops[(int)kind].IsDefault ? throw new InvalidOperationException($"the table has no nop for {kind} slots") : s_nops[(int)kind];

    public static bool IsNop(in Instruction ins) => !ins.IsDefault && ins.Form.Mnemonic.StartsWith("nop.", StringComparison.Ordinal);
}
