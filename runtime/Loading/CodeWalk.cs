using System;
using System.Collections.Generic;
using System.Text;
using IvtGen.Isa;

namespace IvtGen.Loading;

/// <summary>One instruction met walking code in order: where it is, what it is, and whether a stop precedes it.</summary>
internal readonly struct CodeInsn
{
    public CodeInsn(int bundle, int slot, Instruction ins, bool stopBefore)
    {
        Bundle = bundle;
        Slot = slot;
        Ins = ins;
        StopBefore = stopBefore;
    }

    public int Bundle { get; }
    public int Slot { get; }
    public Instruction Ins { get; }
    /// <summary>An instruction-group boundary lies between the previous instruction of the walk and this one.</summary>
    public bool StopBefore { get; }
}

/// <summary>What the code walks share: nops, decoded catalogue lines, comparing and showing walks.</summary>
internal static class CodeWalk
{
    public static bool IsNop(Form f) => f.Mnemonic.StartsWith("nop", StringComparison.Ordinal);

    /// <summary>The template of bundle <paramref name="b"/>, or null for a reserved one.</summary>
    public static Template? TemplateAt(ReadOnlySpan<byte> code, int b) => Template.FromCode(code[b * Bundle.Size] & 0x1f);

    /// <summary>The instructions of GNU as lines (as the catalogue writes them), nops left out; null when they do not assemble.</summary>
    public static CodeInsn[]? Assemble(IEnumerable<string> lines)
    {
        var src = new StringBuilder("\t.text\n\t.explicit\n");
        foreach (var l in lines)
        {
            if (l.Length > 0 && l[0] != '{' && l[0] != '}' && !l.EndsWith(":", StringComparison.Ordinal)) src.Append('\t');
            src.Append(l).Append('\n');
        }
        string key = src.ToString();
        lock (s_assembled)
            if (s_assembled.TryGetValue(key, out var known)) return known;
        CodeInsn[]? result = null;
        var asm = Assembler.Assemble(key);
        if (!asm.HasErrors && asm.Code.Length > 0)
        {
            // Decoded again, so each instruction is the form the verifier's decoder names (mov for addl r=imm,r0).
            var code = asm.Code;
            var list = new List<CodeInsn>();
            new CodeWalker(code, BundleFacts.DecodeAll(code, new List<TargetSite>())).Forward(0, 0, int.MaxValue, skipNops: true, list); // to the end
            result = list.ToArray();
        }
        lock (s_assembled)
        {
            // Operand tuples come from the images verified: keep the cache bounded whatever they hold.
            if (s_assembled.Count >= MaxAssembled) s_assembled.Clear();
            s_assembled[key] = result;
        }
        return result;
    }

    private const int MaxAssembled = 1024;
    private static readonly Dictionary<string, CodeInsn[]?> s_assembled = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="actual"/> is <paramref name="expected"/>: the same instructions with the same stops between them.</summary>
    public static bool Same(IReadOnlyList<CodeInsn> expected, IReadOnlyList<CodeInsn> actual, int actualStart = 0)
    {
        if (actual.Count - actualStart < expected.Count) return false;
        for (int i = 0; i < expected.Count; i++)
        {
            var a = actual[actualStart + i];
            if (!expected[i].Ins.Equals(a.Ins)) return false;
            if (i > 0 && expected[i].StopBefore != a.StopBefore) return false;
        }
        return true;
    }

    /// <summary>GNU-like text of a walk, for findings: <c>adds r16=16,r16 ;; mov b7=r16</c>.</summary>
    public static string Show(IReadOnlyList<CodeInsn> insns, int start, int count)
    {
        var sb = new StringBuilder();
        for (int i = start; i < start + count && i < insns.Count; i++)
        {
            if (i > start) sb.Append(insns[i].StopBefore ? " ;; " : "; ");
            sb.Append(Formatter.Format(insns[i].Ins, 0));
        }
        return sb.ToString();
    }
}

/// <summary>
/// Walks decoded code instruction by instruction in program order (slot 0, 1, 2 of each bundle; an MLX bundle's L slot
/// is part of its X instruction), for the checks that follow straight-line code: AltA stubs and the Xen sequences the
/// catalogue keeps a sensitive instruction in. Nops (what the bundler pads with) can be skipped; the stops between the
/// instructions kept are recorded either way.
/// </summary>
internal readonly ref struct CodeWalker
{
    private readonly ReadOnlySpan<byte> _code;
    private readonly BundleFacts?[] _facts;

    /// <summary>A walker over <paramref name="code"/>, whose bundles <paramref name="facts"/> describes.</summary>
    public CodeWalker(ReadOnlySpan<byte> code, BundleFacts?[] facts)
    {
        _code = code;
        _facts = facts;
    }

    /// <summary>The instruction position after (b, s), skipping an L slot; false past the end of <paramref name="code"/> or at a reserved template.</summary>
    public bool Next(ref int b, ref int s)
    {
        int n = _code.Length / Bundle.Size;
        do
        {
            if (++s == 3)
            {
                s = 0;
                if (++b >= n) return false;
            }
            var t = CodeWalk.TemplateAt(_code, b);
            if (t is null) return false;
            if (t.Slots[s] != SlotKind.L) return true;
        } while (true);
    }

    /// <summary>The instruction position before (b, s), skipping an L slot; false before the start or at a reserved template.</summary>
    public bool Prev(ref int b, ref int s)
    {
        do
        {
            if (--s < 0)
            {
                s = 2;
                if (--b < 0) return false;
            }
            var t = CodeWalk.TemplateAt(_code, b);
            if (t is null) return false;
            if (t.Slots[s] != SlotKind.L) return true;
        } while (true);
    }

    /// <summary>The instruction at (b, s); false when the slot holds none (reserved template, undecodable, L slot).</summary>
    public bool TryGet(int b, int s, out Instruction ins, out bool stopAfter)
    {
        ins = default;
        stopAfter = false;
        if (b < 0 || b >= _facts.Length) return false;
        var f = _facts[b];
        if (f is not null)
        {
            if (f.Template is null || f.FormAt(s) is null) return false;
            ins = f.Ins(s);
            stopAfter = f.Template.StopAfter(s);
            return true;
        }
        // An ordinary bundle decodes in every slot: decode just this one.
        var bits = Bundle.Read(_code.Slice(b * Bundle.Size));
        var t = Template.FromCode(bits.TemplateCode)!;
        var kind = t.Slots[s];
        if (kind == SlotKind.L) return false;
        var word = kind == SlotKind.X ? new InsnWord(bits.Slot(2), bits.Slot(1)) : new InsnWord(bits.Slot(s));
        if (!SlotDecoder.TryDecode(kind, word, out ins)) return false;
        stopAfter = t.StopAfter(s);
        return true;
    }

    /// <summary>
    /// Up to <paramref name="count"/> instructions from (b, s) on, nops left out when <paramref name="skipNops"/>, into
    /// <paramref name="into"/>; false when a slot on the way holds no instruction or the code ends first.
    /// </summary>
    public bool Forward(int b, int s, int count, bool skipNops, List<CodeInsn> into)
    {
        bool stop = false;
        while (into.Count < count)
        {
            if (!TryGet(b, s, out var ins, out bool stopAfter)) return false;
            if (!skipNops || !CodeWalk.IsNop(ins.Form))
            {
                into.Add(new CodeInsn(b, s, ins, stop && into.Count > 0));
                stop = false;
            }
            stop |= stopAfter;
            if (into.Count < count && !Next(ref b, ref s)) return false;
        }
        return true;
    }

    /// <summary>Steps back over <paramref name="count"/> instructions before (b, s) that are no nops; false when the code starts first.</summary>
    public bool BackOver(ref int b, ref int s, int count)
    {
        while (count > 0)
        {
            if (!Prev(ref b, ref s) || !TryGet(b, s, out var ins, out _)) return false;
            if (!CodeWalk.IsNop(ins.Form)) count--;
        }
        return true;
    }
}
