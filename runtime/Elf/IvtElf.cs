using System;
using System.Collections.Generic;
using IvtGen.Dsl;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;

namespace IvtGen.Elf;

/// <summary>
/// A verified image as an ELF relocatable object, for GNU ld. Each variant's code (IVT then out-of-line code) is one
/// section <c>.text.ivt.VARIANT</c>, 32 KiB aligned so wherever ld puts it is a valid IVA. Symbols: the table, each
/// handler, routine and stub the image names (global functions, sized), and a local <c>TABLE.ENTRY</c> label for each
/// of the 68 entries. Branches inside the section are resolved in place, as GNU as does for a local label; external
/// references and <c>movl</c>/<c>addl</c> of addresses get the RELA relocation GNU as emits for the same instruction
/// (field zero, addend in the entry; an MLX instruction is named by slot 1). Symbols of a variant other than
/// native are prefixed with the variant (<c>xen_altb_</c>) so the variants of one table link into one program.
/// </summary>
public static class IvtElf
{
    public static string SectionName(string variant) => ".text.ivt." + variant;

    /// <summary>The prefix of the symbols a variant defines: "" for native, "xen_altb_" for xen-altb.</summary>
    public static string SymbolPrefix(string variant) => variant == VariantRules.Native ? "" : variant.Replace('-', '_') + "_";

    /// <summary>One object holding every given variant, each in its own section.</summary>
    public static byte[] Write(params VerifiedIvt[] images)
    {
        var w = new ElfObjectWriter();
        foreach (var v in images) Add(w, v);
        return w.ToArray();
    }

    public static void Add(ElfObjectWriter w, VerifiedIvt verified)
    {
        var image = verified.Image;
        string prefix = SymbolPrefix(image.Variant);
        var bytes = image.Bytes.ToArray();
        var section = w.AddSection(SectionName(image.Variant), bytes, IvtLayout.Alignment);
        long len = bytes.Length;

        // Symbols: sizes run to the next symbol (vectors: the bundles the handler uses; the table: 32 KiB).
        var sorted = new List<IvtSymbol>(image.Symbols);
        sorted.Sort((a, b) => a.Address.CompareTo(b.Address));
        foreach (var s in sorted)
        {
            if (s.Name == image.Table)
            {
                w.Define(prefix + s.Name, section, (ulong)s.Address, IvtImage.TableSize, ElfSymbolType.NoType, ElfSymbolBinding.Global);
                continue;
            }
            long size;
            int entry = s.Address < IvtImage.TableSize ? IvtLayout.IndexOf((int)s.Address) : -1;
            if (entry >= 0 && entry < image.Vectors.Count) size = image.Vectors[entry].BundlesUsed * (long)Bundle.Size;
            else
            {
                long end = s.Address < IvtImage.TableSize ? IvtImage.TableSize : len;
                foreach (var o in sorted)
                    if (o.Address > s.Address && o.Address < end && o.Name != image.Table) { end = o.Address; break; }
                size = end - s.Address;
            }
            w.Define(prefix + s.Name, section, (ulong)s.Address, (ulong)size, ElfSymbolType.Func, ElfSymbolBinding.Global);
        }
        for (int i = 0; i < IvtLayout.EntryCount; i++)
            w.Define(prefix + image.Table + "." + IvtLayout.Name(i), section, (ulong)IvtLayout.Offset(i), 0, ElfSymbolType.NoType, ElfSymbolBinding.Local);

        // Relocations: external references and absolute addresses; IP-relative references inside the section stay resolved.
        foreach (var rel in image.Relocations)
        {
            int b = (int)(rel.Offset / Bundle.Size);
            int slot = rel.Slot;
            BundleFacts.TryDecodeSlot(image.Bytes, b, ref slot, out var template, out var ins);
            var t = template!;
            RelocationSites.TryGet(ins.Form, out int operand, out var type);
            bool pc = RelocationSites.IsPcRelative(type);
            bool internalSymbol = verified.SymbolAddresses.ContainsKey(rel.Symbol);
            if (pc && internalSymbol) continue;
            long reached = pc ? rel.Offset + ins.Values[operand] : ins.Values[operand];
            ElfSymbol target;
            long addend;
            if (internalSymbol)
            {
                target = section.SectionSymbol; // as GNU as does for a local label: section + offset
                addend = reached;
            }
            else
            {
                target = w.Undefined(rel.Symbol);
                addend = reached - verified.ExternalAddresses[rel.Symbol];
            }
            var bundle = Bundle.Read(bytes.AsSpan(b * Bundle.Size));
            var err = RelocationSites.TryPatch(bundle, t, slot, ins, operand, 0, out var zeroed);
            if (err is not null) throw new InvalidOperationException($"cannot clear the field of '{ins.Form.Mnemonic}' at 0x{rel.Offset:x}: {err}");
            zeroed.Write(bytes.AsSpan(b * Bundle.Size));
            section.Relocations.Add(new ElfRelocation((ulong)rel.Offset + (ulong)(t.IsLong && slot == 2 ? 1 : slot), target, type, addend));
        }
    }
}
