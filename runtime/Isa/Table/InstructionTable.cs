using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// The IA-64 instruction table: every form the encoder, decoder, formatter and parser know.
/// Rows live in the unit files beside this one (Forms.A.cs, Forms.I.cs, Forms.M.cs, Forms.B.cs, Forms.X.cs, Forms.F.cs).
/// </summary>
public static partial class InstructionTable
{
    private static readonly Form[] s_forms;
    private static readonly Dictionary<string, Form[]> s_byMnemonic;

    static InstructionTable()
    {
        var b = new TableBuilder();
        AddA(b);
        AddI(b);
        AddM(b);
        AddB(b);
        AddX(b);
        AddF(b);
        s_forms = new Form[b.Forms.Count];
        for (int i = 0; i < s_forms.Length; i++) s_forms[i] = b.Forms[i];

        var groups = new Dictionary<string, List<Form>>(StringComparer.Ordinal);
        foreach (var f in s_forms)
        {
            if (!groups.TryGetValue(f.Mnemonic, out var list)) groups.Add(f.Mnemonic, list = new List<Form>());
            list.Add(f);
        }
        s_byMnemonic = new Dictionary<string, Form[]>(StringComparer.Ordinal);
        foreach (var kv in groups) s_byMnemonic.Add(kv.Key, kv.Value.ToArray());
    }

    /// <summary>All forms, in table order (ids are indices).</summary>
    public static IReadOnlyList<Form> Forms => s_forms;

    /// <summary>The forms spelled <paramref name="mnemonic"/>, in table order (the parser tries them in turn).</summary>
    public static bool TryGetForms(string mnemonic, out Form[] forms) => s_byMnemonic.TryGetValue(mnemonic, out forms!);

    public static IEnumerable<string> Mnemonics => s_byMnemonic.Keys;

    static partial void AddA(TableBuilder b);
    static partial void AddI(TableBuilder b);
    static partial void AddM(TableBuilder b);
    static partial void AddB(TableBuilder b);
    static partial void AddX(TableBuilder b);
    static partial void AddF(TableBuilder b);
}
