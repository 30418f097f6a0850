using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using IvtGen.Paravirt;

namespace IvtGen.Dsl.Generation;

/// <summary>
/// Writes <c>runtime/Dsl/IvtCode.Paravirt.g.cs</c>: one <c>pv_</c> method of <see cref="IvtCode"/> per operation of
/// <see cref="ParavirtCatalog"/>, with Linux's operands (<c>pv_mov_from_ipsr(p0, r21)</c>, <c>pv_itc_d(p0, r18, r19)</c>,
/// <c>pv_mov_to_kr(ar.k6, r20, r21, r22)</c>), documented from the catalogue. <c>tools/IvtGen.DslGen</c> runs it beside
/// <see cref="DslSurfaceWriter"/>; the paravirt surface test checks the checked-in file against it.
/// </summary>
public static class ParavirtSurfaceWriter
{
    /// <summary>Where the generated file lives, relative to the repository root.</summary>
    public const string RelativePath = "runtime/Dsl/IvtCode.Paravirt.g.cs";

    /// <summary>The DSL signature of an operation: <c>pv_thash(PR pred, GR reg0, GR reg1, GR clob)</c>.</summary>
    public static string Signature(ParavirtOp op) =>
        op.DslName + "(" + string.Join(", ", op.Operands.Select(o => o.DslType + " " + o.Name)) + ")";

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Regs(IReadOnlyList<string> regs) => regs.Count == 0 ? "nothing" : string.Join(", ", regs.Select(r => r.Replace("{", "").Replace("}", "")));

    /// <summary>The text of <see cref="RelativePath"/>: deterministic, '\n' line ends.</summary>
    public static string Write()
    {
        var instructionNames = new HashSet<string>(DslSurfaceWriter.Methods().Select(m => m.Name), StringComparer.Ordinal);
        var w = new StringBuilder(1 << 16);
        void L(string line = "") => w.Append(line).Append('\n');

        w.Append(DslSurfaceWriter.PartialClassHeader("the paravirtualized-operation catalogue (IvtGen.Paravirt.ParavirtCatalog)"));
        L($"    // Paravirtualized operations: {ParavirtCatalog.All.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} methods, one per operation of the catalogue, with Linux's operands.");
        L("    // Each is lowered per variant: native (the privileged instruction), xen-altb (the Xen sequence in place) and");
        L("    // xen-alta (a one-bundle site that branches to a shared stub and returns through b7). See docs/paravirt.md.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ParavirtCatalog.All)
        {
            if (instructionNames.Contains(op.DslName) || !seen.Add(op.DslName))
                throw new InvalidOperationException($"{op.DslName} collides with an instruction method or another operation");
            var xenGeneral = op.Xen[op.Xen.Count - 1];
            L();
            L("    /// <summary>");
            L($"    /// {Xml(Capitalize(op.Summary))} (Linux's <c>{op.LinuxMacro}</c>).<br/>");
            L($"    /// native: <c>{Xml(ParavirtOp.Show(op.Native[0].Lines))}</c><br/>");
            L($"    /// xen-altb{(op.Xen.Count > 1 ? " (general case)" : "")}: <c>{Xml(ParavirtOp.Show(xenGeneral.Lines))}</c><br/>");
            L($"    /// Clobbers: native {Xml(Regs(op.Clobbers(ParavirtVariants.Native)))}; xen-altb {Xml(Regs(op.Clobbers(ParavirtVariants.XenAltB)))};" +
              $" xen-alta {Xml(Regs(op.Clobbers(ParavirtVariants.XenAltA)))}.");
            if (op.FixedOutputs.Count > 0)
                L($"    /// Redefines {op.FixedOutputs[0]}–{op.FixedOutputs[op.FixedOutputs.Count - 1]}.");
            if (op.Reserves(ParavirtVariants.XenAltB).Count > 0)
                L($"    /// Used and restored on Xen: {Xml(Regs(op.Reserves(ParavirtVariants.XenAltB)))}.");
            L("    /// </summary>");
            foreach (var o in op.Operands)
                L($"    /// <param name=\"{o.Name}\">{Xml(Capitalize(o.Description))}{(o.NotBanked ? " (not r16–r31)" : "")}.</param>");
            L($"    public void {Signature(op)} {{ }}");
        }
        L("}");
        return w.ToString();
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
}
