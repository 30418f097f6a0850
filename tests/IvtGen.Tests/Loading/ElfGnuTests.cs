using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using IvtGen.Elf;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using IvtGen.Tests.Gnu;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>
/// Our ELF objects against GNU binutils: objdump disassembles them to our instructions, readelf finds the relocations
/// GNU as emits for the same source, and ld links them with GNU-made objects to the bytes our linker produces.
/// </summary>
public sealed class ElfGnuTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ivtgen-elf-" + Guid.NewGuid().ToString("N"));

    public ElfGnuTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Tool(string name)
    {
        string path = GnuBinutils.Tool(name);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{name} not found beside {GnuBinutils.As}; install it with: sudo apt-get install -y binutils-ia64-linux-gnu");
        return path;
    }

    private string Run(string tool, string args)
    {
        var (code, stdout, stderr) = GnuBinutils.Run(Tool(tool), args);
        Assert.True(code == 0, $"{tool} {args}\n{stderr}{stdout}");
        return stdout;
    }

    private string WriteObject(string name, params VerifiedIvt[] images)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, IvtElf.Write(images));
        return path;
    }

    private string GnuAssemble(string name, string source)
    {
        string s = Path.Combine(_dir, name + ".s"), o = Path.Combine(_dir, name + ".o");
        File.WriteAllText(s, source);
        Run("ia64-linux-gnu-as", $"-x -o \"{o}\" \"{s}\"");
        return o;
    }

    // ---- objdump ----------------------------------------------------------------------------------------------------

    private sealed record Line(long Address, string Template, string Text);

    private static readonly Regex s_insn = new(@"^\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(?:\[(\w+)\])?\s*(.*)$");
    private static readonly Regex s_reloc = new(@"^\t\t\t([0-9a-f]+): (\w+)\t(.+)$");

    /// <summary>objdump's instructions (one per slot, MLX as one) and relocation annotations.</summary>
    private static (List<Line> Lines, List<(long Offset, string Type, string Symbol)> Relocs) ParseObjdump(string text)
    {
        var lines = new List<Line>();
        var relocs = new List<(long, string, string)>();
        foreach (var raw in text.Split('\n'))
        {
            var r = s_reloc.Match(raw);
            if (r.Success)
            {
                relocs.Add((long.Parse(r.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), r.Groups[2].Value, r.Groups[3].Value.Trim()));
                continue;
            }
            var m = s_insn.Match(raw);
            if (!m.Success || m.Groups[3].Value.Trim().Length == 0) continue;
            lines.Add(new Line(long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[2].Value, Normalize(m.Groups[3].Value)));
        }
        return (lines, relocs);
    }

    private static string Normalize(string s)
    {
        s = Regex.Replace(s, @"\(p0(\d)\)", "(p$1)");
        s = Regex.Replace(s, @" <[^>]*>", "");
        return Regex.Replace(s.Trim(), @"\s+", " ");
    }

    /// <summary>Our disassembly of <paramref name="code"/>, printed as objdump prints (targets as bare hex, alloc as sof,sol,sor).</summary>
    private static List<Line> Ours(byte[] code)
    {
        var errors = new List<DecodeError>();
        var bundles = Disassembler.Decode(code, 0, errors);
        Assert.Empty(errors);
        var lines = new List<Line>();
        foreach (var b in bundles)
        {
            int line = 0;
            for (int s = 0; s < 3; s++)
            {
                if (b.Template.Slots[s] == SlotKind.L) continue;
                var ins = b.Slots[s];
                string text = Formatter.Format(ins, b.Address, (ba, d) => (ba + d).ToString("x", CultureInfo.InvariantCulture));
                if (ins.Form.Mnemonic == "alloc")
                {
                    // GNU as takes alloc r=ar.pfs,i,l,o,r; objdump prints sof=i+l+o, sol=i+l, sor.
                    var v = ins.Values;
                    text = $"alloc r{v[0]}=ar.pfs,{v[2] + v[3] + v[4]},{v[2] + v[3]},{v[5]}";
                }
                if (b.Template.StopAfter(s)) text += ";;";
                lines.Add(new Line(b.Address + line * 6, line == 0 ? b.Template.Name.Substring(1).ToUpperInvariant() : "", Normalize(text)));
                line++;
            }
        }
        return lines;
    }

    private static byte[] SectionBytes(string file, string section, Func<string, string, string> run, string dir)
    {
        string bin = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".bin");
        run("ia64-linux-gnu-objcopy", $"-O binary -j {section} \"{file}\" \"{bin}\"");
        return File.ReadAllBytes(bin);
    }

    [Fact]
    public void Objdump_disassembles_our_object_to_our_instructions_with_our_relocations()
    {
        foreach (var image in new[] { TestImages.Sample(), TestImages.NativeWithRelocations().Image, TestImages.XenLike().Image })
        {
            var v = IvtVerifier.Verify(image);
            string o = WriteObject(image.Table + "." + image.Variant + ".o", v);
            string section = IvtElf.SectionName(image.Variant);
            byte[] code = SectionBytes(o, section, Run, _dir);
            Assert.Equal(image.Bytes.Length, code.Length);

            var (theirs, relocs) = ParseObjdump(Run("ia64-linux-gnu-objdump", $"-d -z -r -j {section} \"{o}\""));
            var ours = Ours(code);
            Assert.Equal(ours.Count, theirs.Count);
            for (int k = 0; k < ours.Count; k++) Assert.Equal(ours[k], theirs[k]);

            // The object's bytes are the image's except at relocated slots, and each relocation names our symbol.
            var external = image.Relocations.Where(r => !v.SymbolAddresses.ContainsKey(r.Symbol) || !IsPc(v, r)).ToList();
            Assert.Equal(external.Count, relocs.Count);
            foreach (var r in external)
            {
                var bundle = Template.FromCode(image.Bytes[(int)r.Offset] & 0x1f)!;
                long at = r.Offset + (bundle.IsLong && r.Slot == 2 ? 1 : r.Slot);
                var rel = Assert.Single(relocs, x => x.Offset == at);
                Assert.Equal(r.Kind, rel.Type);
                if (v.SymbolAddresses.ContainsKey(r.Symbol))
                    Assert.Equal($"{section}+0x{v.SymbolAddresses[r.Symbol]:x}", rel.Symbol);
                else
                    Assert.Equal(r.Symbol, rel.Symbol); // externals keep their names in every variant
            }
            var patched = new HashSet<long>(external.Select(r => r.Offset));
            for (int b = 0; b < code.Length; b += 16)
                if (!patched.Contains(b)) Assert.True(code.AsSpan(b, 16).SequenceEqual(image.Bytes.Slice(b, 16)), $"{image.Table} bundle 0x{b:x} differs");
        }
    }

    private static bool IsPc(VerifiedIvt v, IvtRelocation r) =>
        RelocationSites.TryParseKind(r.Kind, out var t) && RelocationSites.IsPcRelative(t);

    // ---- readelf against GNU as ------------------------------------------------------------------------------------

    private static readonly Regex s_readelf = new(@"^([0-9a-f]{16}) +[0-9a-f]{16} (R_IA64_\w+) +[0-9a-f]{16} (\S+) \+ ([0-9a-f]+)$");

    private List<(long Offset, string Type, string Symbol, long Addend)> Relocations(string obj, string section, string sectionAs)
    {
        var list = new List<(long, string, string, long)>();
        foreach (var line in Run("ia64-linux-gnu-readelf", $"-rW \"{obj}\"").Split('\n'))
        {
            var m = s_readelf.Match(line.Trim());
            if (!m.Success) continue;
            string sym = m.Groups[3].Value == section ? sectionAs : m.Groups[3].Value;
            list.Add((long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[2].Value, sym,
                long.Parse(m.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }
        return list.OrderBy(x => x.Item1).ToList();
    }

    [Fact]
    public void Our_relocations_and_bytes_are_what_GNU_as_makes_of_the_same_source()
    {
        var built = TestImages.NativeWithRelocations();
        var v = IvtVerifier.Verify(built.Image);
        string ours = WriteObject("ours.o", v);
        string gnu = GnuAssemble("gnu", built.SourceWithUndefinedExternals);

        var theirRelocs = Relocations(gnu, ".text", "SECTION");
        var ourRelocs = Relocations(ours, IvtElf.SectionName("native"), "SECTION");
        Assert.Equal(10, theirRelocs.Count); // br.call, chk.s.m, chk.s.i, fchkf, brl, brl.call, movl of an external, movl of a routine, addl, adds
        Assert.Equal(theirRelocs, ourRelocs);
        Assert.Contains(ourRelocs, r => r.Type == "R_IA64_PCREL21M");
        Assert.Contains(ourRelocs, r => r.Type == "R_IA64_PCREL21F");
        Assert.Contains(ourRelocs, r => r.Type == "R_IA64_IMM14");
        Assert.Contains(ourRelocs, r => r.Type == "R_IA64_IMM22");
        Assert.Contains(ourRelocs, r => r.Type == "R_IA64_IMM64" && r.Symbol == "SECTION" && r.Addend == 0x8000);

        Assert.Equal(SectionBytes(gnu, ".text", Run, _dir), SectionBytes(ours, IvtElf.SectionName("native"), Run, _dir));
        var header = Run("ia64-linux-gnu-readelf", $"-h \"{ours}\"");
        Assert.Contains("Intel IA-64", header);
        Assert.Contains("REL (Relocatable file)", header);
        Assert.Contains("Flags:                             0x10, 64-bit", header);
    }

    // ---- ld ---------------------------------------------------------------------------------------------------------

    private const string Externals = """
        	.section .text.near,"ax",@progbits
        	.global near_handler
        near_handler:
        { .mib
        	nop.m 0
        	nop.i 0
        	br.ret.sptk.many b0 ;;
        }
        	.section .text.far,"ax",@progbits
        	.global far_handler
        	.global ia64_do_page_fault
        far_handler:
        ia64_do_page_fault:
        { .mib
        	nop.m 0
        	nop.i 0
        	br.ret.sptk.many b0 ;;
        }
        	.global small_sym
        	.global tiny_sym
        	small_sym = 0x1ffff
        	tiny_sym = 0x1fff
        """;

    private static Dictionary<string, ulong> Nm(string output)
    {
        var d = new Dictionary<string, ulong>();
        foreach (var line in output.Split('\n'))
        {
            var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (p.Length == 3) d[p[2]] = ulong.Parse(p[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return d;
    }

    /// <summary>
    /// Links <paramref name="objects"/> with GNU ld, tables at <paramref name="ivas"/> (section → address), the externals
    /// 1 MiB after the first table (br reach) and 12 GiB away (brl reach; far enough that ld keeps brl as brl).
    /// </summary>
    private (string Exe, Dictionary<string, ulong> Symbols) Ld(string name, IReadOnlyList<(string Section, ulong Iva)> ivas, params string[] objects)
    {
        var script = new StringBuilder("SECTIONS {\n");
        int k = 0;
        foreach (var (section, iva) in ivas) script.Append(CultureInfo.InvariantCulture, $"  .ivt{k++} 0x{iva:x} : {{ *({section}) }}\n");
        script.Append(CultureInfo.InvariantCulture, $"  .near 0x{ivas[0].Iva + 0x10_0000:x} : {{ *(.text.near) }}\n");
        script.Append("  .far 0xa000000400000000 : { *(.text.far) }\n}\n");
        string lds = Path.Combine(_dir, name + ".lds"), exe = Path.Combine(_dir, name);
        File.WriteAllText(lds, script.ToString());
        string ext = GnuAssemble(name + "-ext", Externals);
        Run("ia64-linux-gnu-ld", $"-e 0 -T \"{lds}\" -o \"{exe}\" " + string.Join(" ", objects.Select(o => $"\"{o}\"")) + $" \"{ext}\"");
        return (exe, Nm(Run("ia64-linux-gnu-nm", $"\"{exe}\"")));
    }

    private static IvtLinkOptions LinkOptionsFrom(VerifiedIvt v, ulong iva, Dictionary<string, ulong> nm)
    {
        var o = new IvtLinkOptions { Iva = iva };
        foreach (var name in v.ExternalAddresses.Keys) o.Symbols[name] = nm[name];
        return o;
    }

    [Fact]
    public void GNU_ld_links_our_object_with_GNU_objects_to_the_bytes_our_linker_makes()
    {
        foreach (var image in new[] { TestImages.NativeWithRelocations().Image, TestImages.Sample() })
        {
            var v = IvtVerifier.Verify(image);
            string o = WriteObject(image.Table + ".o", v);
            const ulong Iva = 0xa000_0001_0000_0000;
            var (exe, nm) = Ld(image.Table, new[] { (IvtElf.SectionName("native"), Iva) }, o);
            Assert.Equal(Iva, nm[image.Table]);
            foreach (var s in image.Symbols) Assert.Equal(Iva + (ulong)s.Address, nm[s.Name]);

            byte[] gnu = SectionBytes(exe, ".ivt0", Run, _dir);
            var linked = IvtLinker.Link(v, LinkOptionsFrom(v, Iva, nm));
            Assert.Equal(linked.ToContiguous(), gnu);
            // And what GNU linked verifies as placed: every external reached at the address ld gave it.
            Assert.Equal(v.ExternalAddresses.Count, v.ExternalAddresses.Keys.Count(k => linked.Symbols[k] == nm[k]));
        }
    }

    [Fact]
    public void Variants_link_together_from_one_object_or_from_one_object_each()
    {
        var native = IvtVerifier.Verify(TestImages.NativeWithRelocations().Image);
        var xenA = IvtVerifier.Verify(TestImages.XenLike(VariantRules.XenAltA).Image);
        var xenB = IvtVerifier.Verify(TestImages.XenLike(VariantRules.XenAltB).Image);
        const ulong N = 0xa000_0001_0000_0000, A = 0xa000_0001_0002_0000, B = 0xa000_0001_0004_0000;
        var sections = new[] { (IvtElf.SectionName("native"), N), (IvtElf.SectionName("xen-alta"), A), (IvtElf.SectionName("xen-altb"), B) };

        string one = WriteObject("all.o", native, xenA, xenB);
        var objects = new[] { WriteObject("n.o", native), WriteObject("a.o", xenA), WriteObject("b.o", xenB) };
        foreach (var inputs in new[] { new[] { one }, objects })
        {
            var (exe, nm) = Ld("all" + inputs.Length, sections, inputs);
            Assert.Equal(N, nm["ivt_rel"]);
            Assert.Equal(A, nm["xen_alta_xen_ivt"]);
            Assert.Equal(B + 0x8020, nm["xen_altb_stub_get_ivr"]);
            Assert.Equal(IvtLinker.Link(native, LinkOptionsFrom(native, N, nm)).ToContiguous(), SectionBytes(exe, ".ivt0", Run, _dir));
            Assert.Equal(IvtLinker.Link(xenA, new IvtLinkOptions { Iva = A }).ToContiguous(), SectionBytes(exe, ".ivt1", Run, _dir));
            Assert.Equal(IvtLinker.Link(xenB, new IvtLinkOptions { Iva = B }).ToContiguous(), SectionBytes(exe, ".ivt2", Run, _dir));
        }
        string sectionsText = Run("ia64-linux-gnu-readelf", $"-SW \"{one}\"");
        Assert.Contains(".text.ivt.native", sectionsText);
        Assert.Contains(".text.ivt.xen-alta", sectionsText);
        Assert.Contains(".text.ivt.xen-altb", sectionsText);
        Assert.Matches(@"\.text\.ivt\.native\s+PROGBITS\s+0+ [0-9a-f]+ 008[0-9a-f]+ 00 +AX +0 +0 32768", sectionsText);
    }
}
