using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using IvtGen.Isa;
using IvtGen.Paravirt;

namespace IvtGen.Dsl.Generation;

/// <summary>
/// The catalogue's tables for docs/paravirt.md, measured by assembling each lowering alone with our assembler:
/// what each variant emits, what it clobbers, and its size (instructions, stops, bundles) against Linux's.
/// <c>tools/IvtGen.DslGen</c> writes them between the markers of the document; a test keeps them current.
/// </summary>
public static class ParavirtReport
{
    public const string RelativePath = "docs/paravirt.md";
    public const string Begin = "<!-- BEGIN generated: ParavirtReport (dotnet run --project tools/IvtGen.DslGen) -->";
    public const string End = "<!-- END generated -->";

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The operands the tables use: Linux-like registers, none of them r8 or r9 (the general case).</summary>
    public static string[] SampleOperands(ParavirtOp op)
    {
        var grs = new Queue<string>(new[] { "r16", "r17", "r18", "r19" });
        var clobs = new Queue<string>(new[] { "r24", "r25", "r26" });
        var unbanked = new Queue<string>(new[] { "r2", "r3", "r14" });
        return op.Operands.Select(o => o.Kind switch
        {
            PvOperandKind.Pr => o.Role == PvOperandRole.PredicateClobber ? "p15" : o.Name == "pred_d" ? "p7" : "p6",
            PvOperandKind.Kr => "ar.k5",
            _ => o.NotBanked ? unbanked.Dequeue() : o.Role == PvOperandRole.Clobber ? clobs.Dequeue() : grs.Dequeue(),
        }).ToArray();
    }

    /// <summary>Instructions, stops and bundles of lines assembled alone (explicit mode; a stop closes them).</summary>
    public static (int Instructions, int Stops, int Bundles) Measure(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        var sb = new StringBuilder("\t.text\n\t.explicit\n");
        foreach (var l in list) sb.Append(l.EndsWith(":", StringComparison.Ordinal) || l.StartsWith("{", StringComparison.Ordinal) || l == "}" ? l : "\t" + l).Append('\n');
        if (list.Count > 0 && list[list.Count - 1] is not (";;" or "}")) sb.Append("\t;;\n");
        var r = Assembler.Assemble(sb.ToString());
        if (r.HasErrors) throw new InvalidOperationException("cannot measure: " + string.Join("; ", r.Diagnostics) + "\n" + sb);
        int stops = list.Count(l => l == ";;");
        return (ParavirtOp.CountInstructions(list), stops, r.Bundles.Count);
    }

    private static string Cell(string s) => s.Replace("|", "\\|");

    private static string Code(string s) => s.Length == 0 ? "" : "`" + s.Replace("`", "") + "`";

    private static string Regs(IReadOnlyList<string> regs) =>
        regs.Count == 0 ? "–" : string.Join(", ", regs.Select(r => r.Replace("{", "").Replace("}", "")));

    private static string Size((int I, int S, int B) m) => $"{Int(m.I)} / {Int(m.S)} / {Int(m.B)}";

    /// <summary>The generated block of the document (without the markers).</summary>
    public static string Markdown()
    {
        var w = new StringBuilder();
        void L(string line = "") => w.Append(line).Append('\n');

        L("### The catalogue");
        L();
        L("Templates name operands (`reg`, `clob`, `pred`…), shared-area fields (`XSI_IFA`, see `XenAbi`) and hyperprivops");
        L("(`HYPERPRIVOP_ITC_I`). The xen-altb column shows the general case (no operand is r8/r9); the r8 cases follow below.");
        L("Clobbers are beyond the operation's result; `b7` and the link register are AltA's (see *The AltA convention*).");
        L();
        L("| DSL | Linux | native | xen-altb | xen-alta | clobbers native | clobbers xen-altb | clobbers xen-alta | used and restored (Xen) |");
        L("|---|---|---|---|---|---|---|---|---|");
        foreach (var op in ParavirtCatalog.All)
        {
            var x = op.Xen[op.Xen.Count - 1];
            string alta = op.AltALink.Count == 0 ? "inline (one break)" : "site + stub, link `" + op.AltALink[0] + "`" + (op.AltAGuard is null ? "" : ", site under `" + op.AltAGuard + "`");
            L($"| `{op.DslName}` | {op.LinuxMacro} | {Cell(Code(ParavirtOp.Show(op.Native[0].Lines)))} | {Cell(Code(ParavirtOp.Show(x.Lines)))} | {alta} " +
              $"| {Cell(Regs(op.Clobbers(ParavirtVariants.Native)))} | {Cell(Regs(op.Clobbers(ParavirtVariants.XenAltB)))} | {Cell(Regs(op.Clobbers(ParavirtVariants.XenAltA)))} | {Cell(Regs(op.Reserves(ParavirtVariants.XenAltB)))} |");
        }
        L();
        L("### Sizes");
        L();
        L("Instructions / stops / bundles of each lowering assembled alone with our assembler (`movl` is one instruction in");
        L("two slots; in a handler the free slots of the first and last bundles take neighbouring code). Operands as in");
        L("ivt.S, none r8/r9. *Linux's Xen* is Linux's expansion as the catalogue records it, packed by the same assembler.");
        L("xen-alta: the site, then the shared stub (paid once per operand tuple, outside the vector).");
        L();
        L("| DSL | operands | native | xen-altb | Linux's Xen | xen-altb − Linux (bundles) | xen-alta site | xen-alta stub |");
        L("|---|---|---|---|---|---|---|---|");
        foreach (var op in ParavirtCatalog.All)
        {
            var t = SampleOperands(op);
            var n = Measure(op.Lower(ParavirtVariants.Native, t).Inline);
            var b = Measure(op.Lower(ParavirtVariants.XenAltB, t).Inline);
            var lx = Measure(op.LowerLinux(t));
            var a = op.Lower(ParavirtVariants.XenAltA, t);
            var site = a.StubName is null ? Measure(a.Inline)
                : (ParavirtOp.CountInstructions(a.Inline), a.Inline.Count(l => l == ";;"), SiteBundles(a.Inline, a.StubName));
            string stub = a.StubName is null ? "–" : Size(Measure(a.StubBody));
            L($"| `{op.DslName}` | {string.Join(", ", t)} | {Size(n)} | {Size(b)} | {Size(lx)} | {(b.Bundles - lx.Bundles).ToString("+0;−0;0", CultureInfo.InvariantCulture)} | {Size(site)} | {stub} |");
        }
        L();
        L("### The r8 cases");
        L();
        L("Operations that pass a value to or from Xen in r8 (and r9 for SET_KR) choose a case as Linux's `.ifc` macros do:");
        L("when an operand already is r8 nothing is saved. Instructions / stops per case, ours and Linux's.");
        L();
        L("| DSL | case | operands | xen-altb | Linux's Xen | r8 |");
        L("|---|---|---|---|---|---|");
        foreach (var op in ParavirtCatalog.All.Where(o => o.Xen.Count > 1 || o.Name == "mov_to_kr"))
        {
            var baseOps = SampleOperands(op);
            var tuples = new List<(string Case, string[] Ops)>();
            if (op.Name == "mov_to_kr")
            {
                tuples.Add(("general", baseOps));
                tuples.Add(("clob0 = r8, clob1 = r9", new[] { "ar.k5", "r16", "r8", "r9" }));
                tuples.Add(("reg = r9", new[] { "ar.k5", "r9", "r24", "r25" }));
            }
            else
            {
                foreach (var c in op.Xen)
                {
                    var t = (string[])baseOps.Clone();
                    if (c.When is not null)
                    {
                        string name = c.When.Substring(0, c.When.IndexOf("==", StringComparison.Ordinal));
                        t[op.Operands.ToList().FindIndex(o => o.Name == name)] = "r8";
                    }
                    tuples.Add((c.When?.Replace("==", " = ") ?? "general", t));
                }
            }
            foreach (var (name, t) in tuples)
            {
                var l = op.Lower(ParavirtVariants.XenAltB, t);
                var ours = Measure(l.Inline);
                var linux = Measure(op.LowerLinux(t));
                string r8 = l.Reserves.Contains("r8") ? "saved and restored" : l.Clobbers.Contains("r8") ? "clobbered (donated)" : l.Outputs.Contains("r8") ? "the result" : "untouched";
                L($"| `{op.DslName}` | {name} | {string.Join(", ", t)} | {Int(ours.Instructions)} / {Int(ours.Stops)} | {Int(linux.Instructions)} / {Int(linux.Stops)} | {r8} |");
            }
        }
        L();
        L("### AltA site options");
        L();
        L("Ways to get the return address into b7 before branching to a stub, measured on `pv_itc_d(p6, r16, r24)` with the");
        L("link in r24 (site bundles alone; the stub's own cost is in the sizes table):");
        L();
        L("| site | bundles | stops | position-independent | what the stub adds |");
        L("|---|---|---|---|---|");
        var itc = ParavirtCatalog.Get("itc_d").Lower(ParavirtVariants.XenAltA, new[] { "p6", "r16", "r24" });
        string br = "(p6) br.cond.sptk.many " + itc.StubName;
        int movl = SiteBundles(new[] { "(p6) movl r24=ret", ";;", "(p6) mov b7=r24", br, ";;" }, itc.StubName!);
        int ipAdds = SiteBundles(new[] { "(p6) mov r24=ip", ";;", "(p6) adds r24=32,r24", ";;", "(p6) mov b7=r24", br, ";;" }, itc.StubName!);
        int chosen = SiteBundles(itc.Inline, itc.StubName!);
        L($"| `movl r24=ret ;; mov b7=r24; br stub` | {Int(movl)} | 1 | no: an absolute address, a relocation per site | nothing |");
        L($"| `mov r24=ip ;; adds r24=32,r24 ;; mov b7=r24; br stub` | {Int(ipAdds)} | 2 | yes | nothing |");
        L($"| `{{ .mib nop.m 0; mov r24=ip; br stub ;; }}` (chosen) | {Int(chosen)} | 1 | yes | `adds r24=16,r24 ;; mov b7=r24` |");
        return w.ToString();
    }

    /// <summary>Bundles of a site that ends at the label <c>ret</c>, followed by a stand-in stub.</summary>
    private static int SiteBundles(IEnumerable<string> site, string stub)
    {
        var sb = new StringBuilder("\t.text\n\t.explicit\n");
        foreach (var l in site) sb.Append(l.StartsWith("{", StringComparison.Ordinal) || l == "}" ? l : "\t" + l).Append('\n');
        sb.Append("ret:\n\tnop.m 0\n\t;;\n").Append(stub).Append(":\n\tnop.m 0\n\t;;\n");
        var r = Assembler.Assemble(sb.ToString());
        if (r.HasErrors) throw new InvalidOperationException("cannot measure: " + string.Join("; ", r.Diagnostics) + "\n" + sb);
        return (int)(r.Labels["ret"] / Bundle.Size);
    }

    /// <summary>The document with its generated block replaced by <see cref="Markdown"/>.</summary>
    public static string Update(string document)
    {
        int b = document.IndexOf(Begin, StringComparison.Ordinal);
        int e = document.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b) throw new InvalidOperationException($"{RelativePath} has no generated block ({Begin} … {End})");
        return document.Substring(0, b + Begin.Length) + "\n" + Markdown() + document.Substring(e);
    }
}
