using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Tests.Gnu;
using Xunit;
using Xunit.Abstractions;

namespace IvtGen.Tests.Isa;

/// <summary>
/// Every form of the table against GNU as, one test per unit (filter with e.g.
/// <c>--filter "FullyQualifiedName~GnuRoundTripTests.Unit_M"</c>). For random operands of each form:
/// (1) our encoding equals the bits GNU as makes from our formatted text;
/// (2) our decoder reads GNU's bits back, and our encoder re-encodes that to the same bits;
/// (3) the text we format from the decoded instruction reassembles with GNU as to the same bits.
/// Seed: IVT_SEED (default fixed); samples per form: IVT_SAMPLES (default 6).
/// </summary>
public sealed class GnuRoundTripTests
{
    private readonly ITestOutputHelper _out;

    public GnuRoundTripTests(ITestOutputHelper output) => _out = output;

    [Fact] public void Unit_A() => Check(Unit.A);
    [Fact] public void Unit_I() => Check(Unit.I);
    [Fact] public void Unit_M() => Check(Unit.M);
    [Fact] public void Unit_B() => Check(Unit.B);
    [Fact] public void Unit_X() => Check(Unit.X);
    [Fact] public void Unit_F() => Check(Unit.F);

    private sealed record Sample(int Id, Form Form, Instruction Ins, SlotKind Kind, string Text, InsnWord Ours);

    /// <summary>
    /// Branch targets are written relative to a label on the sample's own bundle: GNU as's '.' inside an
    /// instruction is its location counter at parse time, which for an MLX bundle can still be the previous bundle.
    /// </summary>
    private static Formatter.TargetNamer Relative(int id) => (_, d) => d >= 0 ? $"S{id}+{d}" : $"S{id}-{-d}";

    private void Check(Unit unit)
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("IVT_SEED"), out var s) ? s : 20261125 + (int)unit;
        int perForm = int.TryParse(Environment.GetEnvironmentVariable("IVT_SAMPLES"), out var n) ? n : 6;
        var rng = new Random(seed);
        var forms = InstructionTable.Forms.Where(f => f.Unit == unit).ToList();
        _out.WriteLine($"unit {unit}: {forms.Count} forms, {perForm} samples each, seed {seed}");
        if (unit is Unit.A or Unit.I or Unit.M or Unit.B)
            Assert.True(forms.Count > 0, $"no {unit}-unit forms in the table");
        if (forms.Count == 0) return;

        var failures = new List<string>();
        var samples = new List<Sample>();
        foreach (var f in forms)
        {
            for (int k = 0; k < perForm; k++)
            {
                var ins = FormSamples.Make(f, rng, k);
                if (ins is null) { failures.Add($"{f}: cannot make a valid sample"); break; }
                var kind = FormSamples.SlotFor(f.Unit);
                int id = samples.Count;
                string text = Formatter.Format(ins.Value, 0, Relative(id));
                var ours = InstructionEncoder.Encode(ins.Value);
                samples.Add(new Sample(id, f, ins.Value, kind, text, ours));
            }
        }

        // Pass 1: GNU assembles our text; compare with our encoding.
        var gnu = AssembleAll(samples, s => s.Text, failures, "GNU rejected our text", out string source, out var order);

        // Our own assembler on the very source GNU assembled: parser, form choice and explicit bundles.
        var mine = Assembler.Assemble(source);
        foreach (var d in mine.Diagnostics)
        {
            // The samples are random: rsm, ssm and moves to CRs with readers after them and no srlz between. Those
            // warnings are ImplicitDependencyTests' subject, checked there against GNU as -x; here only errors count.
            if (d.Severity == AsmSeverity.Warning && d.Message.Contains(", with no ")) continue;
            failures.Add($"our assembler: {d}: line `{source.Split('\n')[d.Line - 1].Trim()}`");
        }
        if (!mine.HasErrors)
        {
            for (int i = 0; i < order.Count; i++)
            {
                var b = mine.Bundles[i].Bits;
                var (smp, slot) = order[i];
                var w = smp.Kind == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(slot));
                if (gnu.TryGetValue(smp, out var g) && !g.Equals(w))
                    failures.Add($"{smp.Form}: our assembler makes {w} from `{smp.Text}`, GNU {g}");
            }
        }
        var decodedTexts = new Dictionary<Sample, string>();
        foreach (var (sample, word) in gnu)
        {
            if (!word.Equals(sample.Ours))
                failures.Add($"{sample.Form}: `{sample.Text}` ours {sample.Ours} GNU {word} (diff 0x{sample.Ours.Slot ^ word.Slot:x}{(sample.Ours.Long != word.Long ? $" L 0x{sample.Ours.Long ^ word.Long:x}" : "")})");
            if (!InstructionDecoder.TryDecode(sample.Kind, word, out var back))
            {
                failures.Add($"{sample.Form}: decoder cannot read GNU's {word} of `{sample.Text}`");
                continue;
            }
            if (InstructionEncoder.TryEncode(back, out var again) is { } err || !again.Equals(word))
            {
                failures.Add($"{sample.Form}: decoded `{back}` from GNU's {word} re-encodes differently");
                continue;
            }
            decodedTexts[sample] = Formatter.Format(back, 0, Relative(sample.Id));
        }

        // Pass 2: GNU assembles our disassembly of its bytes; it must give the same bytes.
        var pass2 = AssembleAll(decodedTexts.Keys.ToList(), x => decodedTexts[x], failures, "GNU rejected our disassembly", out _, out _);
        foreach (var (sample, word) in pass2)
        {
            if (!gnu.TryGetValue(sample, out var first) || !first.Equals(word))
                failures.Add($"{sample.Form}: disassembly `{decodedTexts[sample]}` reassembles to {word}, not {first}");
        }

        _out.WriteLine($"{samples.Count} samples, {gnu.Count} assembled by GNU, {pass2.Count} disassemblies re-assembled");
        foreach (var f in failures.Take(200)) _out.WriteLine(f);
        Assert.True(failures.Count == 0, $"{failures.Count} failures in unit {unit}; first: {string.Join(" | ", failures.Take(5))}");
    }

    /// <summary>Assembles every sample in one GNU as run; samples GNU rejects are reported and left out.</summary>
    private static Dictionary<Sample, InsnWord> AssembleAll(List<Sample> samples, Func<Sample, string> text, List<string> failures, string what,
        out string source, out List<(Sample, int)> order)
    {
        var result = new Dictionary<Sample, InsnWord>();
        source = "";
        order = new List<(Sample, int)>();
        var pending = samples;
        for (int round = 0; round < 3 && pending.Count > 0; round++)
        {
            // No dependency checking: each sample is alone in its group, and checking would follow branch paths
            // between samples (and serialization needs after itc/ssm) into floods of irrelevant warnings.
            var sb = new StringBuilder(".text\n");
            int line = 2;
            var byLine = new Dictionary<int, Sample>();
            var slots = new List<(Sample, int)>();
            foreach (var s in pending)
            {
                sb.Append('S').Append(s.Id).Append(":\n");
                line++;
                var (lines, insnLine, slot) = FormSamples.Bundle(s.Kind, text(s));
                byLine[line + insnLine] = s;
                foreach (var l in lines) { sb.Append(l).Append('\n'); line++; }
                slots.Add((s, slot));
            }
            var r = GnuBinutils.Assemble(sb.ToString(), dvChecks: false);
            if (r.Text is not null)
            {
                source = sb.ToString();
                order = slots;
                if (r.Text.Length != slots.Count * 16) throw new InvalidOperationException($"GNU produced {r.Text.Length} bytes for {slots.Count} bundles");
                for (int i = 0; i < slots.Count; i++)
                {
                    var b = Bundle.Read(r.Text.AsSpan(i * 16));
                    var (s, slot) = slots[i];
                    var w = s.Kind == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(slot));
                    result[s] = w;
                }
                foreach (var m in r.Messages)
                    // Dependency notes come from branch paths between samples (GNU follows taken branches): not encoding issues.
                    if (byLine.TryGetValue(m.Line, out var ws) && !m.Text.Contains("conflicting usage") &&
                        !m.Text.Contains("dependency") && !m.Text.Contains("Only the first path"))
                        failures.Add($"{ws.Form}: GNU warns on `{text(ws)}`: {m.Text}");
                return result;
            }
            var bad = new HashSet<Sample>();
            foreach (var m in r.Messages.Where(m => m.IsError))
            {
                if (byLine.TryGetValue(m.Line, out var bs) && bad.Add(bs)) failures.Add($"{bs.Form}: {what}: `{text(bs)}`: {m.Text}");
            }
            if (bad.Count == 0) throw new InvalidOperationException("GNU as failed without a line we can attribute: " + r.Stderr);
            pending = pending.Where(p => !bad.Contains(p)).ToList();
        }
        return result;
    }
}
