extern alias gen;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using IvtGen.Dsl;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;
using IvtGen.Tests.Generator;
using Xunit;

namespace IvtGen.Tests.Loading;

/// <summary>
/// Images for loader tests. <see cref="Build"/> lays out GNU as text the way the generator does (each handler at its
/// vector's <c>.org</c>, routines after the 32 KiB table, externals as <c>.set</c>) and assembles it with the ISA core,
/// so xen-like images can be made by hand before the generator emits Xen variants. <see cref="Sample"/> is what the
/// real generator makes of samples/NativeIvt.
/// </summary>
public static class TestImages
{
    public sealed record Handler(string Name, int Offset, string Body);
    public sealed record Routine(string Name, string Body);

    public sealed class Built
    {
        public required IvtImage Image { get; init; }
        /// <summary>The assembler input, with the externals' .set lines (for our assembler).</summary>
        public required string Source { get; init; }
        /// <summary>The same source without the .set lines: GNU as leaves the externals undefined and emits relocations.</summary>
        public required string SourceWithUndefinedExternals { get; init; }
    }

    public static Built Build(string table, string variant, IEnumerable<Handler> handlers, IEnumerable<Routine>? routines = null,
        IReadOnlyDictionary<string, long>? externs = null)
    {
        var hs = handlers.OrderBy(h => h.Offset).ToList();
        var rs = (routines ?? Array.Empty<Routine>()).ToList();
        externs ??= new Dictionary<string, long>();
        var body = new StringBuilder();
        body.Append(table).Append(":\n");
        foreach (var h in hs)
        {
            body.Append(CultureInfo.InvariantCulture, $"\t.org {table}+0x{h.Offset:x}\n{h.Name}:\n{h.Body.TrimEnd()}\n{h.Name}.__end:\n");
        }
        body.Append(CultureInfo.InvariantCulture, $"\t.org {table}+0x{IvtLayout.TableSize:x}\n");
        foreach (var r in rs) body.Append(r.Name).Append(":\n").Append(r.Body.TrimEnd()).Append('\n');
        string head = "\t.text\n\t.explicit\n";
        string sets = string.Concat(externs.Select(e => string.Create(CultureInfo.InvariantCulture, $"\t.set {e.Key}, 0x{e.Value:x}\n")));
        // The .set lines go last: a symbol defined later stays a pending reference, which the assembler records per slot.
        string source = head + body + sets;

        var result = Assembler.Assemble(source);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics.Select(d => d.ToString())) + "\n" + source);
        var bytes = result.Code;

        var vectors = new List<IvtVectorInfo>();
        for (int i = 0; i < IvtLayout.EntryCount; i++)
        {
            int off = IvtLayout.Offset(i);
            var h = hs.FirstOrDefault(x => x.Offset == off);
            int used = h is null ? 0 : (int)((result.Labels[h.Name + ".__end"] - result.Labels[h.Name] + 15) / 16);
            vectors.Add(new IvtVectorInfo(i, off, IvtLayout.Name(i), h?.Name ?? "", used, IvtLayout.Capacity(i)));
        }
        var symbols = new List<IvtSymbol> { new(table, 0) };
        foreach (var h in hs) symbols.Add(new IvtSymbol(h.Name, result.Labels[h.Name]));
        foreach (var r in rs) symbols.Add(new IvtSymbol(r.Name, result.Labels[r.Name]));
        var names = new HashSet<string>(hs.Select(h => h.Name).Concat(rs.Select(r => r.Name)).Concat(externs.Keys));
        var relocations = new List<IvtRelocation>();
        foreach (var b in result.Bundles)
            for (int s = 0; s < 3; s++)
                if (b.Symbols[s] is { } sym && names.Contains(sym) && !b.Slots[s].IsDefault)
                {
                    Assert.True(RelocationSites.TryGet(b.Slots[s].Form, out _, out var type), b.Slots[s].ToString());
                    relocations.Add(new IvtRelocation(b.Address, s, RelocationSites.Name(type), sym));
                }
        var errors = new List<DecodeError>();
        string listing = Disassembler.ToSource(Disassembler.Decode(bytes, 0, errors));
        var image = new IvtImage(table, variant, bytes, Sha256(bytes), vectors, symbols, relocations, listing);
        return new Built { Image = image, Source = source, SourceWithUndefinedExternals = head + body };
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>The image with other bytes, recording their digest (so only structure can object) or keeping the old one.</summary>
    public static IvtImage WithBytes(IvtImage i, byte[] bytes, bool recomputeDigest) =>
        new(i.Table, i.Variant, bytes, recomputeDigest ? Sha256(bytes) : i.Sha256, i.Vectors, i.Symbols, i.Relocations, i.Listing);

    public static IvtImage WithVariant(IvtImage i, string variant) =>
        new(i.Table, variant, i.Bytes.ToArray(), i.Sha256, i.Vectors, i.Symbols, i.Relocations, i.Listing);

    /// <summary>What the generator makes of samples/NativeIvt/NativeTable.cs (native only).</summary>
    public static IvtImage Sample() => s_sample.Value;

    private static readonly Lazy<IvtImage> s_sample = new(() =>
    {
        var run = GeneratorHarness.RunOn(GeneratorHarness.Compile(("NativeTable.cs", GeneratorHarness.Sample("NativeTable.cs"))));
        var t = run.Tables.Single();
        return FromSpec(t.Table.TableName, t.Images.Single());
    });

    public static IvtImage FromSpec(string table, gen::IvtGen.Generator.Model.ImageSpec spec) =>
        new(table, spec.Variant, spec.Bytes.ToArray(), spec.Sha256,
            spec.Vectors.Select(v => new IvtVectorInfo(v.Index, v.Offset, v.Name, v.Handler, v.Used, v.Capacity)).ToList(),
            spec.Symbols.Select(s => new IvtSymbol(s.Name, s.Address)).ToList(),
            spec.Relocations.Select(r => new IvtRelocation(r.Offset, r.Slot, r.Kind, r.Symbol)).ToList(),
            spec.Listing);

    // ---- Hand-written tables -------------------------------------------------------------------------------------

    /// <summary>
    /// A native table that exercises every relocation kind: br/brl/chk/fchkf/movl/addl/adds against externals, branches
    /// from the IVT into the out-of-line code, a movl of a routine's address, a branch back into the table.
    /// </summary>
    public static Built NativeWithRelocations(IReadOnlyDictionary<string, long>? externs = null) => Build("ivt_rel", VariantRules.Native,
        new[]
        {
            new Handler("vhpt", 0x0000, """
                { .mii
                	mov r16=cr.ifa
                	mov r29=b0
                	mov r31=pr ;;
                }
                { .mmi
                	thash r17=r16
                	mov r19=cr.iha
                	nop.i 0 ;;
                }
                { .mii
                	ld8 r18=[r17]
                	nop.i 0 ;;
                	tbit.z p6,p7=r18,0 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	(p6) br.cond.spnt.many fault
                }
                { .mmi
                	(p7) itc.d r18 ;;
                	nop.m 0
                	nop.i 0
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	rfi ;;
                }
                """),
            new Handler("itlb", 0x0400, """
                { .mlx
                	nop.m 0
                	movl r2=fault ;;
                }
                { .mlx
                	nop.m 0
                	movl r3=far_handler ;;
                }
                { .mii
                	addl r4=small_sym,r0
                	adds r5=tiny_sym,r0
                	nop.i 0 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	br.call.sptk.many b0=near_handler ;;
                }
                """),
            new Handler("dtlb", 0x0800, """
                { .mmi
                	chk.s.m r2, near_handler
                	nop.m 0
                	chk.s.i r3, near_handler ;;
                }
                { .mfi
                	nop.m 0
                	fchkf.s0 near_handler
                	nop.i 0 ;;
                }
                { .mlx
                	nop.m 0
                	brl.sptk.many far_handler ;;
                }
                """),
            new Handler("ext_int", 0x3000, """
                { .mib
                	mov r12=cr.ivr
                	nop.i 0
                	br.sptk.many fault ;;
                }
                """),
            new Handler("gen_ex", 0x5400, """
                { .mib
                	mov r16=cr.isr
                	nop.i 0
                	br.sptk.many helper ;;
                }
                """),
        },
        new[]
        {
            new Routine("fault", """
                { .mii
                	ssm psr.dt
                	nop.i 0
                	nop.i 0 ;;
                }
                { .mlx
                	nop.m 0
                	brl.call.sptk.many b0=far_handler ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	br.sptk.many ext_int ;;
                }
                """),
            new Routine("helper", """
                { .mib
                	nop.m 0
                	nop.i 0
                	br.ret.sptk.many b0 ;;
                }
                """),
        },
        externs ?? DefaultExterns);

    public static readonly IReadOnlyDictionary<string, long> DefaultExterns = new Dictionary<string, long>
    {
        ["near_handler"] = 0x10_0000, ["far_handler"] = 0x4000_0000, ["small_sym"] = 0x1234, ["tiny_sym"] = 0x123,
    };

    /// <summary>
    /// A xen-like table written by hand the way Linux's Xen macros expand (shared/reference/linux-pv-ivt.md §2.2):
    /// XSI loads instead of CR reads, hyperprivop breaks instead of thash/itc/rfi, and an out-of-line stub returning
    /// through b6. Nothing in it is privileged or sensitive.
    /// </summary>
    public static Built XenLike(string variant = VariantRules.XenAltB) => Build("xen_ivt", variant,
        new[]
        {
            new Handler("vhpt", 0x0000, """
                { .mlx
                	nop.m 0
                	movl r16=0xfffffffffff048a0 ;;
                }
                { .mii
                	ld8 r16=[r16]
                	mov r29=b0
                	mov r31=pr ;;
                }
                { .mii
                	mov r8=r16
                	nop.i 0
                	nop.i 0 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	break.b 0xd ;;
                }
                { .mii
                	ld8 r18=[r8]
                	nop.i 0 ;;
                	tbit.z p6,p7=r18,0 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	(p6) br.cond.spnt.many page_fault ;;
                }
                { .mib
                	(p7) break.m 0x5
                	nop.i 0
                	break.b 0x1 ;;
                }
                """),
            new Handler("ext_int", 0x3000, """
                { .mii
                	addl r16=-1046388,r0
                	mov r30=ip
                	nop.i 0 ;;
                }
                { .mib
                	nop.m 0
                	mov b6=r30
                	br.sptk.many stub_get_ivr ;;
                }
                """),
        },
        new[]
        {
            new Routine("page_fault", """
                { .mib
                	nop.m 0
                	nop.i 0
                	break.b 0x3 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	br.sptk.many vhpt ;;
                }
                """),
            new Routine("stub_get_ivr", """
                { .mib
                	nop.m 0
                	nop.i 0
                	break.b 0x8 ;;
                }
                { .mib
                	nop.m 0
                	nop.i 0
                	br.sptk.many b6 ;;
                }
                """),
        });

    // ---- Generated Xen tables -------------------------------------------------------------------------------------

    /// <summary>Every variant the generator makes of samples/PvIvt with XEN defined: native, xen-alta, xen-altb.</summary>
    public static IReadOnlyList<IvtImage> PvSample() => s_pv.Value;

    private static readonly Lazy<IReadOnlyList<IvtImage>> s_pv = new(() => GenerateXen(("PvTable.cs", GeneratorHarness.PvSample())));

    /// <summary>
    /// A table that reads the interval time counter through <c>pv_mov_from_itc</c> in two vectors and a routine, with
    /// different operands each time (p0 and a real predicate, distinct targets and clobbers).
    /// </summary>
    public const string ItcTableSource = """
        using IvtGen.Dsl;
        namespace T;
        [IvtTable("itc_ivt")]
        public partial class ItcTable : IvtCode
        {
            [Vector(IvtVector.ExternalInterrupt)]
            void Ext()
            {
                mov(r29, b0);
                pv_mov_from_itc(p6, p15, r16, r24);
                stop();
                add(r17, r16, r29);
                stop();
                pv_rfi();
                stop();
            }

            [Vector(IvtVector.DtlbMiss)]
            void Dtlb()
            {
                pv_mov_from_itc(p0, p14, r20, r25);
                stop();
                br_sptk_many("later");
                stop();
            }

            [Routine("later")]
            void Later()
            {
                pv_mov_from_itc(p7, p13, r18, r26);
                stop();
                pv_rfi();
                stop();
            }
        }
        """;

    /// <summary>Every variant the generator makes of <see cref="ItcTableSource"/> with XEN defined.</summary>
    public static IReadOnlyList<IvtImage> ItcTable() => s_itc.Value;

    private static readonly Lazy<IReadOnlyList<IvtImage>> s_itc = new(() => GenerateXen(("ItcTable.cs", ItcTableSource)));

    /// <summary>The images of the one table in <paramref name="files"/>, generated with XEN defined (no diagnostics allowed).</summary>
    public static IReadOnlyList<IvtImage> GenerateXen(params (string Path, string Text)[] files)
    {
        var run = GeneratorHarness.RunXen(GeneratorHarness.CompileXen(files));
        Assert.True(run.Diagnostics.Count == 0, string.Join("\n", run.Diagnostics));
        var t = run.Tables.Single();
        return t.Images.Select(i => FromSpec(t.Table.TableName, i)).ToList();
    }

    // ---- Editing images --------------------------------------------------------------------------------------------

    /// <summary>Every instruction of the image with its place and its text as the verifier's findings print it.</summary>
    public static IEnumerable<(long Offset, int Slot, Instruction Ins, string Text)> Instructions(ReadOnlySpan<byte> image)
    {
        var list = new List<(long, int, Instruction, string)>();
        for (int off = 0; off + Bundle.Size <= image.Length; off += Bundle.Size)
        {
            var b = Bundle.Read(image.Slice(off));
            var t = Template.FromCode(b.TemplateCode);
            if (t is null) continue;
            for (int s = 0; s < 3; s++)
            {
                if (t.Slots[s] == SlotKind.L) continue;
                var word = t.Slots[s] == SlotKind.X ? new InsnWord(b.Slot(2), b.Slot(1)) : new InsnWord(b.Slot(s));
                if (InstructionDecoder.TryDecode(t.Slots[s], word, out var ins)) list.Add((off, s, ins, Formatter.Format(ins, off)));
            }
        }
        return list;
    }

    /// <summary>The place of the first instruction at or after <paramref name="from"/> whose text is <paramref name="text"/>.</summary>
    public static (long Offset, int Slot) Find(IvtImage image, string text, long from = 0)
    {
        foreach (var i in Instructions(image.Bytes))
            if (i.Offset >= from && i.Text == text) return (i.Offset, i.Slot);
        throw new InvalidOperationException($"no '{text}' at or after 0x{from:x}");
    }

    /// <summary>The encoding of one instruction written as GNU text.</summary>
    public static InsnWord Encode(string instruction)
    {
        var r = Assembler.Assemble("\t.text\n\t" + instruction + "\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics.Select(d => d.ToString())));
        // The instruction of line 2 (after .text), not a nop the bundler filled in.
        var b = r.Bundles.Single(x => x.Lines.Contains(2));
        return InstructionEncoder.Encode(b.Slots[Array.IndexOf(b.Lines, 2)]);
    }

    /// <summary>A copy with slot <paramref name="slot"/> of the bundle at <paramref name="offset"/> holding <paramref name="word"/> (template kept).</summary>
    public static byte[] SetSlot(ReadOnlySpan<byte> bytes, long offset, int slot, InsnWord word)
    {
        var b = Bundle.Read(bytes.Slice((int)offset));
        ulong s0 = b.Slot(0), s1 = b.Slot(1), s2 = b.Slot(2);
        if (Template.FromCode(b.TemplateCode)!.Slots[slot] == SlotKind.X) { s2 = word.Slot; s1 = word.Long; }
        else if (slot == 0) s0 = word.Slot;
        else if (slot == 1) s1 = word.Slot;
        else s2 = word.Slot;
        return Put(bytes, offset, Bundle.Create(b.TemplateCode, s0, s1, s2));
    }

    /// <summary>A copy with the IP-relative operand of slot <paramref name="slot"/> at <paramref name="offset"/> reaching image offset <paramref name="target"/>.</summary>
    public static byte[] Retarget(ReadOnlySpan<byte> bytes, long offset, int slot, long target)
    {
        var b = Bundle.Read(bytes.Slice((int)offset));
        var kind = Template.FromCode(b.TemplateCode)!.Slots[slot];
        Assert.True(InstructionDecoder.TryDecode(kind, new InsnWord(b.Slot(slot)), out var ins));
        var values = (long[])ins.Values.Clone();
        int op = Array.FindIndex(ins.Form.Operands, o => o.Kind == OperandKind.Target);
        values[op] = target - offset;
        Assert.Null(InstructionEncoder.TryEncode(new Instruction(ins.Form, ins.Qp, values), out var word));
        return SetSlot(bytes, offset, slot, word);
    }

    /// <summary>Flips bit <paramref name="bit"/> (0–7) of byte <paramref name="at"/> in a copy.</summary>
    public static byte[] Flip(ReadOnlySpan<byte> bytes, int at, int bit)
    {
        var b = bytes.ToArray();
        b[at] ^= (byte)(1 << bit);
        return b;
    }

    /// <summary>Writes <paramref name="bundle"/> at <paramref name="offset"/> in a copy.</summary>
    public static byte[] Put(ReadOnlySpan<byte> bytes, long offset, Bundle bundle)
    {
        var b = bytes.ToArray();
        bundle.Write(b.AsSpan((int)offset));
        return b;
    }

    /// <summary>The bits GNU-syntax text assembles to, as one bundle (text must be one explicit bundle).</summary>
    public static Bundle Assemble1(string bundleText)
    {
        var r = Assembler.Assemble("\t.text\n\t.explicit\n" + bundleText + "\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics.Select(d => d.ToString())));
        return Bundle.Read(r.Code);
    }
}
