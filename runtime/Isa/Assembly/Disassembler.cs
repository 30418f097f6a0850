using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IvtGen.Isa;

/// <summary>A bundle read back from bytes.</summary>
public sealed class DecodedBundle
{
    public long Address { get; }
    public Bundle Bits { get; }
    public Template Template { get; }
    /// <summary>Per slot (slot 1 of MLX is unused: default).</summary>
    public Instruction[] Slots { get; }

    public DecodedBundle(long address, Bundle bits, Template template, Instruction[] slots)
    {
        Address = address;
        Bits = bits;
        Template = template;
        Slots = slots;
    }
}

/// <summary>A problem in a binary: its byte offset and what is wrong.</summary>
public sealed class DecodeError
{
    public long Offset { get; }
    public string Message { get; }
    public DecodeError(long offset, string message) { Offset = offset; Message = message; }
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "offset 0x{0:x}: error: {1}", Offset, Message);
}

/// <summary>
/// Reads raw bundles back into instructions and prints them either as GNU as source (explicit bundles, stops
/// and labels, which GNU as assembles back to exactly the input) or as an objdump-like listing.
/// </summary>
public static class Disassembler
{
    /// <summary>Decodes every bundle; errors for a truncated tail, reserved templates and slots no form matches.</summary>
    public static List<DecodedBundle> Decode(ReadOnlySpan<byte> code, long baseAddress, List<DecodeError> errors)
    {
        var list = new List<DecodedBundle>(code.Length / Bundle.Size);
        if (code.Length % Bundle.Size != 0)
            errors.Add(new DecodeError(code.Length - code.Length % Bundle.Size, $"truncated bundle: {code.Length % Bundle.Size} bytes left over (a bundle is 16 bytes)"));
        for (int off = 0; off + Bundle.Size <= code.Length; off += Bundle.Size)
        {
            var b = Bundle.Read(code.Slice(off));
            var t = Template.FromCode(b.TemplateCode);
            if (t is null)
            {
                errors.Add(new DecodeError(off, $"reserved template 0x{b.TemplateCode:x2}"));
                continue;
            }
            var slots = new Instruction[3];
            bool ok = true;
            for (int s = 0; s < 3; s++)
            {
                var kind = t.Slots[s];
                if (kind == SlotKind.L) continue;
                var word = kind == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(s));
                if (!InstructionDecoder.TryDecode(kind, word, out slots[s]))
                {
                    errors.Add(new DecodeError(off, $"slot {s} ({kind} unit) holds 0x{word.Slot:x11}, which is no instruction"));
                    ok = false;
                }
            }
            if (ok) list.Add(new DecodedBundle(baseAddress + off, b, t, slots));
        }
        return list;
    }

    /// <summary>GNU as source that assembles back to the same bytes: labels for every branch target.</summary>
    public static string ToSource(IReadOnlyList<DecodedBundle> bundles) => ToSource(bundles, null);

    /// <summary>
    /// As <see cref="ToSource(IReadOnlyList{DecodedBundle})"/>, naming addresses after <paramref name="symbols"/>
    /// (vector handlers, routines) and writing runs of zero bundles as <c>.org</c> gaps.
    /// </summary>
    public static string ToSource(IReadOnlyList<DecodedBundle> bundles, IReadOnlyDictionary<long, IReadOnlyList<string>>? symbols)
    {
        var targets = new SortedSet<long>();
        long start = bundles.Count > 0 ? bundles[0].Address : 0;
        long end = bundles.Count > 0 ? bundles[bundles.Count - 1].Address + Bundle.Size : 0;
        foreach (var b in bundles)
            foreach (var ins in b.Slots)
                if (!ins.IsDefault)
                    for (int i = 0; i < ins.Form.Operands.Length; i++)
                        if (ins.Form.Operands[i].Kind == OperandKind.Target)
                        {
                            long t = b.Address + ins.Values[i];
                            if (t >= start && t < end) targets.Add(t);
                        }
        targets.Add(start);
        string Label(long a) => symbols is not null && symbols.TryGetValue(a, out var names) && names.Count > 0
            ? names[0] : "L_" + a.ToString("x", CultureInfo.InvariantCulture);
        string Target(long bundleAddress, long disp)
        {
            long t = bundleAddress + disp;
            if (targets.Contains(t)) return Label(t);
            long rel = t - start;
            return rel >= 0 ? $"{Label(start)}+0x{rel:x}" : $"{Label(start)}-0x{-rel:x}";
        }
        // GNU as always closes the last instruction group of a section with a stop, changing the template of the
        // last instruction bundle. Bundles after the last one that ends in a stop are therefore written as data,
        // with their disassembly as a comment, so that the output still reassembles to exactly the input.
        int lastStop = -1;
        for (int k = 0; k < bundles.Count; k++) if (bundles[k].Template.StopAfter(2)) lastStop = k;
        var sb = new StringBuilder();
        sb.Append("\t.text\n\t.explicit\n");
        for (int k = 0; k < bundles.Count; k++)
        {
            var b = bundles[k];
            // A run of zero bundles after a closed group is a gap: .org pads with zeros, as GNU as does.
            if (symbols is not null && k <= lastStop && IsZero(b) && k > 0 && bundles[k - 1].Template.StopAfter(2) && !targets.Contains(b.Address)
                && !symbols.ContainsKey(b.Address))
            {
                int j = k;
                while (j + 1 <= lastStop && IsZero(bundles[j + 1]) && !targets.Contains(bundles[j + 1].Address) && !symbols!.ContainsKey(bundles[j + 1].Address)) j++;
                if (j + 1 < bundles.Count && j > k)
                {
                    sb.Append("\t.org ").Append(Label(start)).Append("+0x").Append((bundles[j + 1].Address - start).ToString("x", CultureInfo.InvariantCulture)).Append('\n');
                    k = j;
                    continue;
                }
            }
            if (symbols is not null && symbols.TryGetValue(b.Address, out var here))
                foreach (var name in here) sb.Append(name).Append(":\n");
            else if (targets.Contains(b.Address)) sb.Append(Label(b.Address)).Append(":\n");
            if (k > lastStop)
            {
                sb.Append("\tdata8 0x").Append(b.Bits.Lo.ToString("x16", CultureInfo.InvariantCulture))
                  .Append(", 0x").Append(b.Bits.Hi.ToString("x16", CultureInfo.InvariantCulture))
                  .Append("\t// { ").Append(b.Template.Name);
                for (int s = 0; s < 3; s++)
                {
                    if (b.Template.Slots[s] == SlotKind.L) continue;
                    sb.Append(s == 0 ? " " : "; ");
                    Formatter.Append(sb, b.Slots[s], b.Address, Target);
                }
                sb.Append(" } (no closing stop: GNU as would add one)\n");
                continue;
            }
            sb.Append("{ ").Append(b.Template.Name).Append('\n');
            for (int s = 0; s < 3; s++)
            {
                if (b.Template.Slots[s] == SlotKind.L) continue;
                sb.Append('\t');
                Formatter.Append(sb, b.Slots[s], b.Address, Target);
                if (b.Template.StopAfter(s)) sb.Append(" ;;");
                sb.Append('\n');
            }
            sb.Append("}\n");
        }
        return sb.ToString();
    }

    private static bool IsZero(DecodedBundle b) => b.Bits.Lo == 0 && b.Bits.Hi == 0;

    /// <summary>An objdump-like listing: address, bytes, template, instruction, stops.</summary>
    public static string ToListing(IReadOnlyList<DecodedBundle> bundles)
    {
        var sb = new StringBuilder();
        Span<byte> bytes = stackalloc byte[Bundle.Size];
        foreach (var b in bundles)
        {
            b.Bits.Write(bytes);
            int line = 0;
            for (int s = 0; s < 3; s++)
            {
                if (b.Template.Slots[s] == SlotKind.L) continue;
                long addr = b.Address + line * 6;
                sb.Append(addr.ToString("x", CultureInfo.InvariantCulture).PadLeft(8)).Append(":\t");
                int from = line * 6, len = line == 2 || (b.Template.IsLong && line == 1) ? Bundle.Size - from : 6;
                var hex = new StringBuilder();
                for (int k = from; k < from + len; k++) hex.Append(bytes[k].ToString("x2", CultureInfo.InvariantCulture)).Append(' ');
                sb.Append(hex.ToString().PadRight(30));
                sb.Append(line == 0 ? "[" + b.Template.Name.Substring(1).ToUpperInvariant() + "]" : "").Append('\t');
                Formatter.Append(sb, b.Slots[s], b.Address, (ba, d) => "0x" + (ba + d).ToString("x", CultureInfo.InvariantCulture));
                if (b.Template.StopAfter(s)) sb.Append(";;");
                sb.Append('\n');
                line++;
            }
        }
        return sb.ToString();
    }
}
