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
