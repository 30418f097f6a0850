using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using IvtGen.Dsl;
using IvtGen.Dsl.Generation;
using IvtGen.Paravirt;
using IvtGen.Tests.Support;
using Xunit;

namespace IvtGen.Tests.Paravirt;

/// <summary>
/// The DSL's paravirtualized operations (runtime/Dsl/IvtCode.Paravirt.g.cs) are generated from the catalogue: the
/// checked-in file must be what the writer produces today, with one pv_ method per operation taking Linux's operands.
/// </summary>
public sealed class ParavirtSurfaceTests
{
    [Fact]
    public void Checked_in_file_is_what_the_catalogue_generates()
    {
        string path = Repo.FilePath(ParavirtSurfaceWriter.RelativePath.Split('/'));
        byte[] expected = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(ParavirtSurfaceWriter.Write());
        byte[] actual = File.Exists(path) ? File.ReadAllBytes(path) : Array.Empty<byte>();
        Assert.True(expected.AsSpan().SequenceEqual(actual),
            $"{ParavirtSurfaceWriter.RelativePath} is not what the catalogue generates: run `{DslSurfaceWriter.RegenerateCommand}`");
        Assert.Equal(ParavirtSurfaceWriter.Write(), ParavirtSurfaceWriter.Write());
    }

    [Fact]
    public void The_documents_tables_are_what_the_catalogue_measures()
    {
        string doc = File.ReadAllText(Repo.FilePath(ParavirtReport.RelativePath.Split('/')));
        Assert.True(doc == ParavirtReport.Update(doc),
            $"the generated tables of {ParavirtReport.RelativePath} are stale: run `{DslSurfaceWriter.RegenerateCommand}`");
    }

    [Fact]
    public void Every_operation_is_a_pv_method_with_its_operands()
    {
        var methods = typeof(IvtCode).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("pv_", StringComparison.Ordinal)).ToList();
        Assert.Equal(ParavirtCatalog.All.Count, methods.Count);
        foreach (var op in ParavirtCatalog.All)
        {
            var m = Assert.Single(methods, x => x.Name == op.DslName);
            var ps = m.GetParameters();
            Assert.Equal(op.Operands.Select(o => o.Name), ps.Select(p => p.Name));
            Assert.Equal(op.Operands.Select(o => o.Kind switch { PvOperandKind.Gr => typeof(GR), PvOperandKind.Pr => typeof(PR), _ => typeof(AR) }),
                ps.Select(p => p.ParameterType));
            Assert.Equal(typeof(void), m.ReturnType);
        }
    }

    /// <summary>ivt.S's own calls, written in C#: if this compiles, the DSL takes Linux's operands as Linux writes them.</summary>
    private sealed class LinuxStyleHandler : IvtCode
    {
        public void VhptMiss()
        {
            pv_mov_from_ifa(r16);
            pv_rsm_psr_dt();
            pv_mov_from_isr(r19);
            pv_mov_from_iha(r22);
            pv_itc_i_and_d(p10, p11, r18, r24);
            pv_mov_to_ifa(r22, r24);
            pv_mov_to_itir(p8, r25, r24);
            pv_itc_d(p7, r24, r25);
            stop();
            pv_rfi();
        }

        public void BreakFault()
        {
            pv_mov_from_ipsr(p0, r29);
            pv_mov_from_iim(r17);
            pv_mov_from_iip(r28);
            pv_mov_from_itc(p0, p14, r30, r18);
            pv_bsw_1(r2, r14);
            stop();
            pv_ssm_psr_ic_and_default_bits_and_srlz_i(r3, r16);
            pv_ssm_psr_i(p15, p15, r16);
            pv_thash(p8, r17, r16, r23);
            pv_mov_from_ivr(r32, r8);
            pv_mov_to_kr(ar.k6, r20, r21, r22);
            pv_bsw_0(r2, r3, r14);
            pv_cover();
        }
    }
}
