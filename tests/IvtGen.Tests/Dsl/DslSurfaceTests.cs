using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using IvtGen.Dsl;
using IvtGen.Dsl.Generation;
using IvtGen.Isa;
using IvtGen.Tests.Support;
using Xunit;

namespace IvtGen.Tests.Dsl;

/// <summary>
/// The DSL's instruction surface (runtime/Dsl/IvtCode.Instructions.g.cs) is generated from the ISA table: the
/// checked-in file must be what the generator writes today, and every form of the table must be reachable as a
/// method of <see cref="IvtCode"/>.
/// </summary>
public sealed class DslSurfaceTests
{
    private const BindingFlags Instance = BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly;
    private const BindingFlags Static = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void Checked_in_file_is_what_the_generator_writes()
    {
        string path = Repo.FilePath(DslSurfaceWriter.RelativePath.Split('/'));
        byte[] expected = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(DslSurfaceWriter.Write());
        byte[] actual = File.Exists(path) ? File.ReadAllBytes(path) : Array.Empty<byte>();
        Assert.True(expected.AsSpan().SequenceEqual(actual),
            $"{DslSurfaceWriter.RelativePath} is not what the ISA table generates: run `{DslSurfaceWriter.RegenerateCommand}`");
    }

    [Fact]
    public void Generated_text_is_deterministic()
    {
        Assert.Equal(DslSurfaceWriter.Write(), DslSurfaceWriter.Write());
    }

    // The mapping the README documents, written out again here so that the test does not just replay the generator.
    private static Type DslType(OperandSpec op) => op.Kind switch
    {
        OperandKind.Gr => typeof(GR),
        OperandKind.Fr => typeof(FR),
        OperandKind.Pr => typeof(PR),
        OperandKind.Br => typeof(BR),
        OperandKind.Ar => typeof(AR),
        OperandKind.Cr => typeof(CR),
        OperandKind.Mem => typeof(Mem),
        OperandKind.Indirect => typeof(Indirect),
        OperandKind.Imm or OperandKind.ImmSet => typeof(long),
        OperandKind.Target => typeof(Target),
        // mov.m's ar.k0–ar.k7 are symbolic in the table but application registers in the DSL.
        OperandKind.Symbolic => op.Symbols!.All(s => s.Length == 0 || s.StartsWith("ar.", StringComparison.Ordinal)) ? typeof(AR) : typeof(Sym),
        OperandKind.Fixed => op.Text == "r0" ? typeof(GR)
            : op.Text!.StartsWith("ar.", StringComparison.Ordinal) ? typeof(AR)
            : long.TryParse(op.Text, out _) ? typeof(long)
            : typeof(Special),
        _ => throw new InvalidOperationException(op.Kind.ToString()),
    };

    private static HashSet<string> CompiledMethods() =>
        typeof(IvtCode).GetMethods(Instance)
            .Where(m => m.ReturnType == typeof(void))
            .Select(m => Key(m.Name, m.GetParameters().Select(p => p.ParameterType)))
            .ToHashSet(StringComparer.Ordinal);

    private static string Key(string name, IEnumerable<Type> types) => name + "(" + string.Join(", ", types.Select(t => t.Name)) + ")";

    private static string Key(Form f) => Key(f.Mnemonic.Replace('.', '_'), f.Operands.Select(DslType));

    [Fact]
    public void Every_form_that_objdump_prints_has_a_method()
    {
        var methods = CompiledMethods();
        var missing = InstructionTable.Forms.Where(f => !f.Has(InsnFlags.ParseOnly) && !methods.Contains(Key(f)))
            .Select(f => $"{f} as {Key(f)}").ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} forms have no DSL method, e.g. {string.Join("; ", missing.Take(10))}");
    }

    [Fact]
    public void Every_spelling_GNU_accepts_has_a_method_too()
    {
        var methods = CompiledMethods();
        var missing = InstructionTable.Forms.Where(f => f.Has(InsnFlags.ParseOnly) && !methods.Contains(Key(f)))
            .Select(f => $"{f} as {Key(f)}").ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} alias forms have no DSL method, e.g. {string.Join("; ", missing.Take(10))}");
    }

    [Fact]
    public void Every_instruction_method_stands_for_some_form()
    {
        var fromTable = InstructionTable.Forms.Select(Key).ToHashSet(StringComparer.Ordinal);
        // The pv_ methods come from the paravirtualized-operation catalogue (IvtCode.Paravirt.g.cs), not the table.
        var paravirt = IvtGen.Paravirt.ParavirtCatalog.All.Select(op => op.DslName + "(").ToList();
        var strays = CompiledMethods().Where(k => !fromTable.Contains(k) && !paravirt.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.True(strays.Count == 0, "methods of IvtCode that no form explains: " + string.Join("; ", strays.Take(10)));
    }

    [Theory]
    [InlineData("mov", typeof(GR), typeof(CR))]
    [InlineData("mov", typeof(CR), typeof(GR))]
    [InlineData("mov", typeof(GR), typeof(BR))]
    [InlineData("mov", typeof(BR), typeof(GR))]
    [InlineData("mov", typeof(GR), typeof(AR))]
    [InlineData("mov", typeof(Indirect), typeof(GR))]
    [InlineData("mov", typeof(GR), typeof(Special))]
    [InlineData("mov_m", typeof(AR), typeof(GR))]
    [InlineData("ld8", typeof(GR), typeof(Mem))]
    [InlineData("ld8", typeof(GR), typeof(Mem), typeof(long))]
    [InlineData("ld8_c_clr_acq", typeof(GR), typeof(Mem))]
    [InlineData("st8", typeof(Mem), typeof(GR), typeof(long))]
    [InlineData("br_cond_sptk_many", typeof(Target))]
    [InlineData("br_ret_sptk_many", typeof(BR))]
    [InlineData("mux1", typeof(GR), typeof(GR), typeof(Sym))]
    [InlineData("itc_d", typeof(GR))]
    [InlineData("rfi")]
    [InlineData("rsm", typeof(long))]
    [InlineData("break_m", typeof(long))]
    [InlineData("break", typeof(long))]
    [InlineData("alloc", typeof(GR), typeof(AR), typeof(long), typeof(long), typeof(long), typeof(long))]
    [InlineData("cmpxchg8_acq", typeof(GR), typeof(Mem), typeof(GR), typeof(AR))]
    public void Method_exists(string name, params Type[] parameters)
    {
        var m = typeof(IvtCode).GetMethod(name, Instance, null, parameters, null);
        Assert.True(m is not null, $"IvtCode has no public {Key(name, parameters)}");
        Assert.Equal(typeof(void), m!.ReturnType);
    }

    [Fact]
    public void Registers_files_and_tokens_are_protected_static_properties()
    {
        var props = typeof(IvtCode).GetProperties(Static).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, type) in new[]
                 {
                     ("r0", typeof(GR)), ("r127", typeof(GR)), ("f127", typeof(FR)), ("p63", typeof(PR)), ("b7", typeof(BR)),
                     ("ar", typeof(ArFile)), ("cr", typeof(CrFile)), ("rr", typeof(IndirectFile)), ("dahr", typeof(IndirectFile)),
                     ("ip", typeof(Special)), ("pr", typeof(Special)), ("pr_rot", typeof(Special)), ("psr_l", typeof(Special)),
                 })
        {
            Assert.True(props.TryGetValue(name, out var p), $"IvtCode has no {name}");
            Assert.Equal(type, p!.PropertyType);
            Assert.True(p.GetMethod!.IsFamily && p.GetMethod.IsStatic && p.SetMethod is null, $"{name} is not a protected static read-only property");
        }
        Assert.False(props.ContainsKey("r128"));
        Assert.Equal(Registers.IndirectFiles.Length, props.Values.Count(p => p.PropertyType == typeof(IndirectFile)));
    }

    [Fact]
    public void Named_registers_symbols_and_psr_fields_match_the_isa()
    {
        var sample = new Sample();
        Assert.Equal(64, sample.Ar.pfs.Number);
        Assert.Equal(0, sample.Ar.k0.Number);
        Assert.Equal(44, sample.Ar.itc.Number);
        Assert.Equal(48, sample.Ar[48].Number);
        Assert.Equal(20, sample.Cr.ifa.Number);
        Assert.Equal(26, sample.Cr.iib0.Number);
        Assert.Equal(9, sample.Cr[9].Number);
        for (int n = 0; n < 128; n++)
        {
            string ar = Registers.ArName(n), cr = Registers.CrName(n);
            if (ar.StartsWith("ar.", StringComparison.Ordinal))
                Assert.Equal(n, ((AR)typeof(ArFile).GetProperty(ar.Substring(3))!.GetValue(sample.Ar)!).Number);
            if (cr.StartsWith("cr.", StringComparison.Ordinal))
                Assert.Equal(n, ((CR)typeof(CrFile).GetProperty(cr.Substring(3))!.GetValue(sample.Cr)!).Number);
        }

        Assert.Equal("@rev", Sym.rev.Name);
        Assert.Equal("@brcst", Sym.brcst.Name);
        Assert.True(Registers.TryPsrField("psr.dt", out long dt));
        Assert.Equal(Psr.dt, dt);
        Assert.Equal(1L << 17 | 1L << 13, Psr.dt | Psr.ic);
        foreach (var f in typeof(Psr).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            Assert.True(Registers.TryPsrField("psr." + f.Name, out long mask), $"Psr.{f.Name} is no PSR field GNU knows");
            Assert.Equal(mask, (long)f.GetRawConstantValue()!);
        }
    }

    /// <summary>The README's examples: if this class compiles, they do.</summary>
    private sealed class Sample : IvtCode
    {
        public ArFile Ar => ar;
        public CrFile Cr => cr;

        public void Handler()
        {
            label("again");
            mov(r16, cr.ifa);
            If(p6).ld8_acq(r17, [r16], 8);
            stop();
            mov(r18, rr[r16]);
            mux1(r19, r18, Sym.rev);
            rsm(Psr.dt | Psr.ic);
            alloc(r34, ar.pfs, 2, 3, 0, 0);
            mov(ar[48], r2);
            br_cond_sptk_many("again");
            bundle("mib");
            nop_m(0);
            nop_i(0);
            br_ret_sptk_many(b0);
            end_bundle();
            ld8_acq(r14, Mem(r15), 8);
            mov_m(ar.k0, r2);
            @break(0x100);
            rfi();
        }
    }
}
