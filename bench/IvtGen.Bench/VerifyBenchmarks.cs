extern alias gen;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using gen::IvtGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using IvtGen.Dsl;
using IvtGen.Isa;
using IvtGen.Loading;
using IvtGen.Tables;

namespace IvtGen.Bench;

/// <summary>
/// Full verification (digest, layout, decoding, variant rules, relocations, branch targets) of a 32 KiB table plus
/// its out-of-line code, and linking. "Dense": every one of the 68 vectors filled to about three quarters with
/// distinct random code (almost no bundle repeats, so nearly every bundle is decoded) plus 4 KiB of routines;
/// "Sparse": four handlers and one routine, like samples/NativeIvt. "XenAltA"/"XenAltB": the generator's Xen images of a
/// table with paravirtualized operations in all 68 vectors (TLB-miss shape, MOV_FROM_ITC in the 20 long ones, filler to
/// about three quarters), so the AltA site/stub walk and the ar.itc sequence check run on every vector.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class VerifyBenchmarks
{
    private IvtImage _dense = null!;
    private IvtImage _sparse = null!;
    private VerifiedIvt _denseVerified = null!;
    private IvtImage _xenA = null!;
    private IvtImage _xenB = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dense = VerifyImages.Dense();
        _sparse = VerifyImages.Sparse();
        _denseVerified = IvtVerifier.Verify(_dense);
        IvtVerifier.Verify(_sparse);
        var xen = VerifyImages.Xen();
        _xenA = xen.Single(i => i.Variant == VariantRules.XenAltA);
        _xenB = xen.Single(i => i.Variant == VariantRules.XenAltB);
        IvtVerifier.Verify(_xenA);
        IvtVerifier.Verify(_xenB);
        int used = 0;
        foreach (var v in _dense.Vectors) used += v.BundlesUsed;
        Console.WriteLine($"// dense: {_dense.Bytes.Length} bytes, {_dense.Bytes.Length / 16} bundles ({used} of 2048 IVT bundles used), {_dense.Relocations.Count} relocations");
    }

    [Benchmark]
    public int VerifyDense() => IvtVerifier.Verify(_dense).SymbolAddresses.Count;

    [Benchmark]
    public int VerifySparse() => IvtVerifier.Verify(_sparse).SymbolAddresses.Count;

    [Benchmark]
    public int VerifyXenAltA() => IvtVerifier.Verify(_xenA).SymbolAddresses.Count;

    [Benchmark]
    public int VerifyXenAltB() => IvtVerifier.Verify(_xenB).SymbolAddresses.Count;

    /// <summary>Linking alone (from a verified image): relocate, then verify the placed image again.</summary>
    [Benchmark]
    public int LinkDense() => IvtLinker.Link(_denseVerified, new IvtLinkOptions { Iva = 0xa000_0001_0000_0000 }).PatchedSlots;
}

/// <summary>Builds images the way the generator lays them out (handlers at their vector's .org, routines after 32 KiB).</summary>
public static class VerifyImages
{
    public static IvtImage Dense()
    {
        var handlers = new List<(int Offset, string Name, string Body)>();
        for (int i = 0; i < IvtLayout.EntryCount; i++)
        {
            int instructions = IvtLayout.Capacity(i) == 64 ? 130 : 27;
            string body = Strip(Listing.Make(instructions, seed: i + 1), $"v{i}_") + "\tbr.sptk.many routine ;;\n";
            handlers.Add((IvtLayout.Offset(i), "vec" + i.ToString(CultureInfo.InvariantCulture), body));
        }
        string routine = Strip(Listing.Make(600, seed: 1000), "r_") + "\tbr.ret.sptk.many b0 ;;\n";
        return Build("dense_ivt", handlers, new[] { ("routine", routine) });
    }

    public static IvtImage Sparse()
    {
        string tlb = "\tmov r16=cr.ifa\n\tmov r29=b0\n\tmov r31=pr ;;\n\tthash r17=r16\n\tmov r19=cr.iha ;;\n\tld8 r18=[r17] ;;\n" +
                     "\ttbit.z p6,p7=r18,0 ;;\n\t(p6) br.cond.spnt.many routine\n\t(p7) itc.d r18 ;;\n\tmov b0=r29\n\tmov pr=r31,-2 ;;\n\trfi ;;\n";
        var handlers = new List<(int, string, string)>
        {
            (0x0000, "vhpt", tlb), (0x0400, "itlb", tlb.Replace("itc.d", "itc.i")), (0x0800, "dtlb", tlb),
            (0x3000, "ext_int", "\tmov r12=cr.ivr ;;\n\tsrlz.d\n\tbr.sptk.many routine ;;\n"),
        };
        string routine = "\tssm psr.dt ;;\n\tsrlz.i ;;\n\tmov r19=cr.isr\n\tmov r20=cr.iip ;;\n\talloc r14=ar.pfs,0,2,1,0 ;;\n\tbr.ret.sptk.many b0 ;;\n";
        return Build("sparse_ivt", handlers, new[] { ("routine", routine) });
    }

    /// <summary>The generator's images (native, xen-alta, xen-altb) of a table with paravirtualized operations in every vector.</summary>
    public static IReadOnlyList<IvtImage> Xen()
    {
        var sb = new StringBuilder("using IvtGen.Dsl;\nnamespace Bench;\n[IvtTable(\"xen_ivt\")]\npublic partial class XenTable : IvtCode\n{\n");
        for (int v = 0; v < IvtLayout.EntryCount; v++)
        {
            bool isLong = IvtLayout.Capacity(v) == 64;
            sb.Append(CultureInfo.InvariantCulture, $"    [Vector(0x{IvtLayout.Offset(v):x4})] void V{v}()\n    {{\n");
            sb.Append("        pv_mov_from_ifa(r16); mov(r29, b0); mov(r31, pr); stop();\n");
            sb.Append("        pv_thash(p0, r17, r16, r25); stop(); ld8(r18, [r17]); stop(); tbit_z(p6, p7, r18, 0); stop();\n");
            sb.Append("        pv_itc_d(p7, r18, r25); stop();\n");
            if (isLong)
            {
                sb.Append("        pv_mov_from_itc(p6, p15, r20, r24); stop();\n");
                for (int g = 0; g < 24; g++)
                    sb.Append(CultureInfo.InvariantCulture, $"        adds(r21, {g * 8 + v}, r20); stop(); ld8(r22, [r21]); stop();\n");
            }
            sb.Append("        mov(b0, r29); mov(pr, r31, -2); stop(); pv_rfi(); stop();\n    }\n");
        }
        string text = sb.Append("}\n").ToString();

        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithPreprocessorSymbols("XEN");
        string framework = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator)
            .Where(p => System.IO.Path.GetDirectoryName(p) == framework).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IvtCode).Assembly.Location));
        var compilation = CSharpCompilation.Create("Xen", new[] { CSharpSyntaxTree.ParseText(text, parse, "Xen.cs") }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var built = new List<gen::IvtGen.Generator.Model.BuiltTable>();
        CSharpGeneratorDriver.Create(new[] { new IvtGenerator { OnTableBuilt = built.Add }.AsSourceGenerator() }, parseOptions: parse)
            .RunGenerators(compilation);
        var table = built.Single();
        if (table.Diagnostics.Count > 0) throw new InvalidOperationException(string.Join("\n", table.Diagnostics));
        return table.Images.Select(i => new IvtImage(table.Table.TableName, i.Variant, i.Bytes.ToArray(), i.Sha256,
            i.Vectors.Select(x => new IvtVectorInfo(x.Index, x.Offset, x.Name, x.Handler, x.Used, x.Capacity)).ToList(),
            i.Symbols.Select(x => new IvtSymbol(x.Name, x.Address)).ToList(),
            i.Relocations.Select(x => new IvtRelocation(x.Offset, x.Slot, x.Kind, x.Symbol)).ToList(), i.Listing)).ToList();
    }

    /// <summary>Listing.Make's text without its header, labels renamed so each handler has its own.</summary>
    private static string Strip(string listing, string prefix) =>
        Regex.Replace(listing.Replace("\t.text\n\t.explicit\n", ""), @"\bL(\d+)\b", prefix + "L$1");

    private static IvtImage Build(string table, List<(int Offset, string Name, string Body)> handlers, (string Name, string Body)[] routines)
    {
        var inv = CultureInfo.InvariantCulture;
        var src = new StringBuilder("\t.text\n\t.explicit\n" + table + ":\n");
        foreach (var h in handlers) src.Append(inv, $"\t.org {table}+0x{h.Offset:x}\n{h.Name}:\n{h.Body}{h.Name}.__end:\n");
        src.Append(inv, $"\t.org {table}+0x{IvtLayout.TableSize:x}\n");
        foreach (var r in routines) src.Append(r.Name).Append(":\n").Append(r.Body);
        var result = Assembler.Assemble(src.ToString());
        if (result.HasErrors) throw new InvalidOperationException(result.Diagnostics.First(d => d.Severity == AsmSeverity.Error).ToString());
        var bytes = result.Code;

        var vectors = new List<IvtVectorInfo>();
        for (int i = 0; i < IvtLayout.EntryCount; i++)
        {
            var h = handlers.Find(x => x.Offset == IvtLayout.Offset(i));
            int used = h.Name is null ? 0 : (int)((result.Labels[h.Name + ".__end"] - result.Labels[h.Name] + 15) / 16);
            if (used > IvtLayout.Capacity(i)) throw new InvalidOperationException($"{h.Name} uses {used} bundles");
            vectors.Add(new IvtVectorInfo(i, IvtLayout.Offset(i), IvtLayout.Name(i), h.Name ?? "", used, IvtLayout.Capacity(i)));
        }
        var symbols = new List<IvtSymbol> { new(table, 0) };
        var names = new HashSet<string>();
        foreach (var h in handlers) { symbols.Add(new IvtSymbol(h.Name, result.Labels[h.Name])); names.Add(h.Name); }
        foreach (var r in routines) { symbols.Add(new IvtSymbol(r.Name, result.Labels[r.Name])); names.Add(r.Name); }
        var relocations = new List<IvtRelocation>();
        foreach (var b in result.Bundles)
            for (int s = 0; s < 3; s++)
                if (b.Symbols[s] is { } sym && names.Contains(sym) && RelocationSites.TryGet(b.Slots[s].Form, out _, out var type))
                    relocations.Add(new IvtRelocation(b.Address, s, RelocationSites.Name(type), sym));
        string sha = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        return new IvtImage(table, VariantRules.Native, bytes, sha, vectors, symbols, relocations, "");
    }
}
