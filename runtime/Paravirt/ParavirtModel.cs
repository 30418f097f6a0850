using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace IvtGen.Paravirt;

/// <summary>The variant names: exactly these strings name the images a table builds.</summary>
public static class ParavirtVariants
{
    /// <summary>The privileged instructions themselves.</summary>
    public const string Native = "native";
    /// <summary>Xen, out of line: the site branches to a shared stub that runs the Xen sequence and returns through b7.</summary>
    public const string XenAltA = "xen-alta";
    /// <summary>Xen, inline: the Xen sequence in place.</summary>
    public const string XenAltB = "xen-altb";

    public static IReadOnlyList<string> All { get; } = new[] { Native, XenAltA, XenAltB };

    public static bool IsXen(string variant) => variant == XenAltA || variant == XenAltB;
}

/// <summary>What kind of register an operand names.</summary>
public enum PvOperandKind
{
    /// <summary>A general register r0–r127 (<c>GR</c> in the DSL).</summary>
    Gr,
    /// <summary>A predicate register p0–p63 (<c>PR</c> in the DSL).</summary>
    Pr,
    /// <summary>A kernel register ar.k0–ar.k7 (<c>AR</c> in the DSL, <c>ar.k5</c>).</summary>
    Kr,
}

/// <summary>What an operand is for, as Linux's macros use them.</summary>
public enum PvOperandRole
{
    /// <summary>The result register: written with the value the operation reads (never r0).</summary>
    Target,
    /// <summary>A value the operation consumes; left unchanged.</summary>
    Source,
    /// <summary>A scratch general register the caller donates: its value afterwards is undefined (never r0).</summary>
    Clobber,
    /// <summary>A qualifying predicate: the operation happens only when it is true (p0: always).</summary>
    Predicate,
    /// <summary>A scratch predicate the caller donates (never p0).</summary>
    PredicateClobber,
    /// <summary>A kernel register named by the operation (MOV_TO_KR's first operand).</summary>
    KernelRegister,
}

/// <summary>One operand of a paravirtualized operation, in Linux's order.</summary>
public sealed class PvOperand
{
    internal PvOperand(string name, PvOperandKind kind, PvOperandRole role, string description, bool notBanked = false)
    {
        Name = name;
        Kind = kind;
        Role = role;
        Description = description;
        NotBanked = notBanked;
    }

    /// <summary>The name templates use (<c>{reg}</c>, <c>{clob}</c>) and the DSL parameter's name.</summary>
    public string Name { get; }
    public PvOperandKind Kind { get; }
    public PvOperandRole Role { get; }
    public string Description { get; }
    /// <summary>Must not be one of the banked registers r16–r31 (BSW_0/BSW_1 replace those).</summary>
    public bool NotBanked { get; }

    /// <summary>The DSL parameter type: <c>GR</c>, <c>PR</c> or <c>AR</c>.</summary>
    public string DslType => Kind switch { PvOperandKind.Gr => "GR", PvOperandKind.Pr => "PR", _ => "AR" };

    public override string ToString() => Name;
}

/// <summary>
/// One case of a lowering, as Linux's assembler macros choose between cases (<c>.ifc "\reg", "r8"</c>): the first case
/// whose condition holds is used. Lines are GNU as text with placeholders (see <see cref="ParavirtOp"/>).
/// </summary>
public sealed class PvCase
{
    internal PvCase(string? when, string[] lines, string[] clobbers, string[] reserves, string[]? linux, string? note)
    {
        When = when;
        Lines = lines;
        Clobbers = clobbers;
        Reserves = reserves;
        Linux = linux;
        Note = note;
    }

    /// <summary>The condition (<c>reg==r8</c>, <c>clob==r8 || reg==r9</c>); null: always.</summary>
    public string? When { get; }
    /// <summary>Template lines: an instruction (optionally <c>(pN)</c>-qualified), <c>;;</c>, or <c>[condition] line</c>.</summary>
    public IReadOnlyList<string> Lines { get; }
    /// <summary>Registers (templates) the case leaves changed that are no result of the operation.</summary>
    public IReadOnlyList<string> Clobbers { get; }
    /// <summary>Registers (templates) the case uses and restores: r8/r9 around a hyperprivop, ar.unat around spills.</summary>
    public IReadOnlyList<string> Reserves { get; }
    /// <summary>
    /// Linux's own expansion of this case (asm/xen/inst.h) where ours differs by more than writing
    /// <c>addl r=XSI_x,r0</c> for Linux's <c>movl r=XSI_x</c>; null when that is the only difference.
    /// </summary>
    public IReadOnlyList<string>? Linux { get; }
    /// <summary>Why ours differs from Linux's, when it does by more than addl.</summary>
    public string? Note { get; }
}

/// <summary>
/// A lowering of one paravirtualized operation for one variant and one operand tuple: GNU as lines for the site and,
/// for <c>xen-alta</c>, the stub it branches to. Lines are GNU as source without indentation: instructions
/// (<c>(p6) ld8 r16=[r16]</c>), stops (<c>;;</c>) and explicit bundle braces (<c>{ .mib</c> … <c>}</c>).
/// </summary>
public sealed class ParavirtLowering
{
    internal ParavirtLowering(string op, string variant, string[] inline, string? stubName, string[] stubBody,
        string[] outputs, string[] clobbers, string[] reserves, string[] retained)
    {
        Op = op;
        Variant = variant;
        Inline = inline;
        StubName = stubName;
        StubBody = stubBody;
        Outputs = outputs;
        Clobbers = clobbers;
        Reserves = reserves;
        Retained = retained;
    }

    public string Op { get; }
    public string Variant { get; }
    /// <summary>The lines at the site.</summary>
    public string[] Inline { get; }
    /// <summary>
    /// The stub's label, unique per (operation, operands): <c>__pv_mov_from_ifa_r16</c>. Null unless the site branches
    /// to a stub (xen-alta, and only when the Xen sequence is longer than one instruction).
    /// </summary>
    public string? StubName { get; }
    /// <summary>The stub's lines, to be emitted once after <c>StubName:</c> in the table's out-of-line code; empty without a stub.</summary>
    public string[] StubBody { get; }
    /// <summary>Registers the operation defines (its target; r16–r31 for bsw).</summary>
    public string[] Outputs { get; }
    /// <summary>Registers whose values the lowering destroys (GRs, BRs, PRs), beyond <see cref="Outputs"/>.</summary>
    public string[] Clobbers { get; }
    /// <summary>Registers the lowering uses and restores (r8, r9, ar.unat): not free for the caller inside the sequence.</summary>
    public string[] Reserves { get; }
    /// <summary>
    /// Lines (of <see cref="Inline"/> or <see cref="StubBody"/>) that are privileged or sensitive on purpose in a Xen
    /// variant: only the read of ar.itc in MOV_FROM_ITC, which Xen leaves to the guest and corrects by itc_offset.
    /// </summary>
    public string[] Retained { get; }

    /// <summary>Every line of the lowering: the site, then (when there is one) the stub's label and body.</summary>
    public IEnumerable<string> AllLines()
    {
        foreach (var l in Inline) yield return l;
        if (StubName is null) yield break;
        yield return StubName + ":";
        foreach (var l in StubBody) yield return l;
    }
}

/// <summary>
/// One paravirtualized operation: Linux's macro, its operands and, per variant, its lowering as data.
/// <para>Templates: <c>{name}</c> is an operand's register (<c>{reg}</c>, <c>{pred}</c>), <c>{name_index}</c> the
/// number of a kernel-register operand (ar.k5 → 5), <c>{XSI_IFA}</c> or <c>{XSI_BANK1_R16+8}</c> a shared-area
/// address and <c>{HYPERPRIVOP_ITC_I}</c> a hyperprivop number (both from <see cref="XenAbi"/>). A line
/// <c>[cond] text</c> is emitted only when the condition holds. <c>(p0) </c> is dropped from a rendered line.</para>
/// </summary>
public sealed class ParavirtOp
{
    internal ParavirtOp(string name, string linuxMacro, string summary, PvOperand[] operands, string[] fixedOutputs,
        PvCase[] native, PvCase[] xen, string[] altALink, string? altAGuard, (string A, string B, string When)? swap,
        string[] retained, string? retainedWhy, string? improvement)
    {
        Name = name;
        LinuxMacro = linuxMacro;
        Summary = summary;
        Operands = operands;
        FixedOutputs = fixedOutputs;
        Native = native;
        Xen = xen;
        AltALink = altALink;
        AltAGuard = altAGuard;
        Swap = swap;
        RetainedPatterns = retained;
        RetainedWhy = retainedWhy;
        Improvement = improvement;
    }

    /// <summary>The operation's name: <c>mov_from_ifa</c>, <c>itc_i_and_d</c>, <c>bsw_1</c>.</summary>
    public string Name { get; }
    /// <summary>The DSL method: <c>pv_</c> + <see cref="Name"/>.</summary>
    public string DslName => "pv_" + Name;
    /// <summary>Linux's macro (asm/native/inst.h, asm/xen/inst.h): <c>MOV_FROM_IFA</c>.</summary>
    public string LinuxMacro { get; }
    public string Summary { get; }
    /// <summary>The operands, in Linux's order.</summary>
    public IReadOnlyList<PvOperand> Operands { get; }
    /// <summary>Registers every variant defines beyond the target operands (r16–r31 for bsw).</summary>
    public IReadOnlyList<string> FixedOutputs { get; }
    /// <summary>The native lowering (one case).</summary>
    public IReadOnlyList<PvCase> Native { get; }
    /// <summary>The Xen sequence (AltB inline; the body of an AltA stub), in Linux's cases.</summary>
    public IReadOnlyList<PvCase> Xen { get; }
    /// <summary>
    /// AltA: the operands, in order of preference, that may carry the return address from the site to the stub (the
    /// first that is not also a source register is used): a target or a clobber, which the caller gives up anyway.
    /// </summary>
    public IReadOnlyList<string> AltALink { get; }
    /// <summary>AltA: the predicate operand that qualifies the whole site (the stub then runs with it as p0); null when none.</summary>
    public string? AltAGuard { get; }
    /// <summary>Operand normalization before lowering: swap A and B when the condition holds (MOV_TO_KR's r8/r9 clobbers).</summary>
    public (string A, string B, string When)? Swap { get; }
    /// <summary>Text (<c>=ar.itc</c>) marking Xen lines kept privileged or sensitive on purpose.</summary>
    public IReadOnlyList<string> RetainedPatterns { get; }
    /// <summary>Why the <see cref="RetainedPatterns"/> lines stay.</summary>
    public string? RetainedWhy { get; }
    /// <summary>Where and why the Xen lowering improves on Linux's (null: only addl for movl, or nothing).</summary>
    public string? Improvement { get; }

    /// <summary>The lowering for <paramref name="variant"/> and these operand texts (as the DSL writes them: <c>r16</c>, <c>p6</c>, <c>ar.k5</c>).</summary>
    /// <exception cref="ArgumentException">Unknown variant, wrong operand count or kind, or operands that break a rule of the operation.</exception>
    public ParavirtLowering Lower(string variant, IReadOnlyList<string> operandTexts) =>
        TryLower(variant, operandTexts, out var lowering, out var error) ? lowering! : throw new ArgumentException(error);

    /// <summary>As <see cref="Lower"/>, reporting a problem as <paramref name="error"/> instead of throwing.</summary>
    public bool TryLower(string variant, IReadOnlyList<string> operandTexts, out ParavirtLowering? lowering, out string? error)
    {
        lowering = null;
        if (variant != ParavirtVariants.Native && variant != ParavirtVariants.XenAltA && variant != ParavirtVariants.XenAltB)
        {
            error = $"unknown variant '{variant}': expected {string.Join(", ", ParavirtVariants.All)}";
            return false;
        }
        if (!Bind(operandTexts, out var env, out error)) return false;
        var ops = env!;
        var outputs = Outputs(ops);

        if (variant == ParavirtVariants.Native)
        {
            var c = Choose(Native, ops);
            lowering = new ParavirtLowering(Name, variant, Render(c.Lines, ops), null, Array.Empty<string>(), outputs,
                Regs(c.Clobbers, ops), Regs(c.Reserves, ops), Array.Empty<string>());
            return true;
        }

        var xc = Choose(Xen, ops);
        var body = Render(xc.Lines, ops);
        var clobbers = Regs(xc.Clobbers, ops);
        var reserves = Regs(xc.Reserves, ops);
        if (variant == ParavirtVariants.XenAltB || CountInstructions(body) <= 1)
        {
            // A one-instruction sequence (a lone break) is its own smallest site: AltA inlines it too.
            lowering = new ParavirtLowering(Name, variant, body, null, Array.Empty<string>(), outputs, clobbers, reserves, Retained(body));
            return true;
        }

        // AltA: the stub is the Xen sequence with the guard predicate as p0 (the site already tested it).
        string? link = null;
        foreach (var name in AltALink)
        {
            string r = ops[name];
            if (!Operands.Any(o => o.Role == PvOperandRole.Source && ops[o.Name] == r)) { link = r; break; }
        }
        if (link is null)
        {
            error = $"{DslName}: no operand can carry the xen-alta return address (each of {string.Join(", ", AltALink)} is also a source)";
            return false;
        }
        var stubOps = new Dictionary<string, string>(ops, StringComparer.Ordinal);
        if (AltAGuard is not null) stubOps[AltAGuard] = "p0";
        var stubXen = Render(Choose(Xen, stubOps).Lines, stubOps);
        string stub = StubName(ops);
        string guard = AltAGuard is null || ops[AltAGuard] == "p0" ? "" : "(" + ops[AltAGuard] + ") ";
        var site = AltA.SiteTemplate.Select(l => l.Replace("{guard}", guard).Replace("{link}", link).Replace("{stub}", stub)
            .Replace("{br}", guard.Length == 0 ? "br.sptk.many" : "br.cond.sptk.many")).ToArray();
        // b7 is written in the prologue's last group: the return needs a stop after it, which the body gives unless it is one group.
        var epilogue = stubXen.Contains(";;") ? AltA.StubEpilogue : new[] { ";;" }.Concat(AltA.StubEpilogue);
        var stubBody = AltA.StubPrologue.Select(l => l.Replace("{link}", link)).Concat(stubXen).Concat(epilogue).ToArray();
        stubBody = CollapseStops(stubBody);
        var altClobbers = clobbers.Concat(new[] { link, AltA.ReturnBr }).Where(r => !outputs.Contains(r)).Distinct().ToArray();
        lowering = new ParavirtLowering(Name, variant, site, stub, stubBody, outputs, altClobbers, reserves, Retained(stubBody));
        return true;
    }

    /// <summary>
    /// Linux's own Xen expansion (asm/xen/inst.h) for these operands, as the catalogue records it: the case's
    /// <see cref="PvCase.Linux"/> lines, or ours with each <c>addl r=XSI_x,r0</c> written back as Linux's <c>movl r=XSI_x</c>.
    /// For comparison (docs, tests); never emitted.
    /// </summary>
    public string[] LowerLinux(IReadOnlyList<string> operandTexts)
    {
        if (!Bind(operandTexts, out var env, out var error)) throw new ArgumentException(error);
        return Render(LinuxTemplate(Choose(Xen, env!)), env!);
    }

    /// <summary>The template of Linux's expansion of a Xen case (see <see cref="LowerLinux"/>).</summary>
    public static IReadOnlyList<string> LinuxTemplate(PvCase c) =>
        c.Linux ?? c.Lines.Select(l => s_addlXsi.Replace(l, "${qp}movl ${r}=${xsi}")).ToArray();

    private static readonly System.Text.RegularExpressions.Regex s_addlXsi =
        new(@"^(?<qp>(\[[^\]]*\] )?(\(\{?\w+\}?\) )?)addl (?<r>\S+)=(?<xsi>\{XSI_[^}]+\}),r0$");

    /// <summary>The stub label of this operand tuple: <c>__pv_</c> + name + the operands (the AltA guard left out).</summary>
    public string StubName(IReadOnlyDictionary<string, string> boundOperands)
    {
        var parts = new List<string> { "__pv", Name };
        foreach (var o in Operands)
            if (o.Name != AltAGuard) parts.Add(boundOperands[o.Name].Replace('.', '_'));
        return string.Join("_", parts);
    }

    /// <summary>The register templates a variant may clobber, over all of its cases (<c>{clob}</c>, <c>r8</c>, <c>b7</c>).</summary>
    public IReadOnlyList<string> Clobbers(string variant)
    {
        var cases = variant == ParavirtVariants.Native ? Native : ParavirtVariants.IsXen(variant) ? Xen
            : throw new ArgumentException($"unknown variant '{variant}'", nameof(variant));
        var list = cases.SelectMany(c => c.Clobbers).ToList();
        // Operations whose Xen sequence is one break have no link operand: AltA inlines them.
        if (variant == ParavirtVariants.XenAltA && AltALink.Count > 0)
        {
            list.Add("{" + AltALink[0] + "}");
            list.Add(AltA.ReturnBr);
        }
        var targets = new HashSet<string>(Operands.Where(o => o.Role == PvOperandRole.Target).Select(o => "{" + o.Name + "}"), StringComparer.Ordinal);
        return list.Where(r => !targets.Contains(r)).Distinct().ToList();
    }

    /// <summary>The register templates a variant uses and restores, over all of its cases (<c>r8</c>, <c>r9</c>, <c>ar.unat</c>).</summary>
    public IReadOnlyList<string> Reserves(string variant)
    {
        var cases = variant == ParavirtVariants.Native ? Native : ParavirtVariants.IsXen(variant) ? Xen
            : throw new ArgumentException($"unknown variant '{variant}'", nameof(variant));
        return cases.SelectMany(c => c.Reserves).Distinct().ToList();
    }

    /// <summary>The concrete clobbers of a variant for these operands (the same as <see cref="Lower"/>'s).</summary>
    public IReadOnlyList<string> Clobbers(string variant, IReadOnlyList<string> operandTexts) => Lower(variant, operandTexts).Clobbers;

    /// <summary>The concrete reserved registers of a variant for these operands.</summary>
    public IReadOnlyList<string> Reserves(string variant, IReadOnlyList<string> operandTexts) => Lower(variant, operandTexts).Reserves;

    public override string ToString() => DslName + "(" + string.Join(", ", Operands.Select(o => o.Name)) + ")";

    // ---- binding and checking operands ---------------------------------------------------------------------------

    /// <summary>Checks the operand texts and binds them by name, normalized (<c>ar5</c> → <c>ar.k5</c>) and swapped as the op says.</summary>
    public bool Bind(IReadOnlyList<string> operandTexts, out Dictionary<string, string>? bound, out string? error)
    {
        bound = null;
        if (operandTexts is null || operandTexts.Count != Operands.Count)
        {
            error = $"{DslName} takes {Operands.Count} operand(s) ({string.Join(", ", Operands.Select(o => o.Name))}), not {operandTexts?.Count ?? 0}";
            return false;
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Operands.Count; i++)
        {
            var o = Operands[i];
            string text = (operandTexts[i] ?? "").Trim().ToLowerInvariant();
            string? norm = Normalize(o.Kind, text);
            if (norm is null)
            {
                error = $"{DslName}: operand {o.Name} must be {KindText(o.Kind)}, not '{operandTexts[i]}'";
                return false;
            }
            if ((o.Role is PvOperandRole.Target or PvOperandRole.Clobber) && norm == "r0")
            {
                error = $"{DslName}: operand {o.Name} is written and cannot be r0";
                return false;
            }
            if (o.Role == PvOperandRole.PredicateClobber && norm == "p0")
            {
                error = $"{DslName}: operand {o.Name} is a predicate the operation writes and cannot be p0";
                return false;
            }
            if (o.NotBanked && RegNumber(norm) is int n && n >= 16 && n <= 31)
            {
                error = $"{DslName}: operand {o.Name} ({norm}) must not be one of the banked registers r16–r31, which the bank switch replaces";
                return false;
            }
            env[o.Name] = norm;
        }
        // A donated scratch register must be no other operand: Linux's sequences save r8 into it while the others are live.
        var clobs = Operands.Where(o => o.Role == PvOperandRole.Clobber).ToList();
        foreach (var c in clobs)
            foreach (var o in Operands)
            {
                if (ReferenceEquals(o, c) || o.Kind != PvOperandKind.Gr || env[o.Name] != env[c.Name]) continue;
                error = $"{DslName}: the scratch register {c.Name} ({env[c.Name]}) must differ from {o.Name}";
                return false;
            }
        if (Swap is { } sw && Condition.Eval(sw.When, env))
        {
            (env[sw.A], env[sw.B]) = (env[sw.B], env[sw.A]);
        }
        bound = env;
        error = null;
        return true;
    }

    private static string KindText(PvOperandKind k) => k switch
    {
        PvOperandKind.Gr => "a general register r0–r127",
        PvOperandKind.Pr => "a predicate register p0–p63",
        _ => "a kernel register ar.k0–ar.k7",
    };

    private static string? Normalize(PvOperandKind kind, string text)
    {
        switch (kind)
        {
            case PvOperandKind.Gr:
                return RegNumber(text) is int r && r < 128 ? "r" + r.ToString(CultureInfo.InvariantCulture) : null;
            case PvOperandKind.Pr:
                return text.Length > 1 && text[0] == 'p' && Digits(text.Substring(1), out int p) && p < 64 ? "p" + p.ToString(CultureInfo.InvariantCulture) : null;
            default:
                if (text.StartsWith("ar.k", StringComparison.Ordinal) && Digits(text.Substring(4), out int k) && k < 8) return "ar.k" + k.ToString(CultureInfo.InvariantCulture);
                if (text.StartsWith("ar", StringComparison.Ordinal) && Digits(text.Substring(2), out int a) && a < 8) return "ar.k" + a.ToString(CultureInfo.InvariantCulture);
                return null;
        }
    }

    internal static int? RegNumber(string text) =>
        text.Length > 1 && text[0] == 'r' && Digits(text.Substring(1), out int n) ? n : null;

    private static bool Digits(string s, out int value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 3 || (s.Length > 1 && s[0] == '0')) return false;
        foreach (char ch in s)
        {
            if (ch < '0' || ch > '9') return false;
            value = value * 10 + (ch - '0');
        }
        return true;
    }

    // ---- rendering -----------------------------------------------------------------------------------------------

    private string[] Outputs(Dictionary<string, string> ops) =>
        Operands.Where(o => o.Role == PvOperandRole.Target).Select(o => ops[o.Name]).Concat(FixedOutputs).Distinct().ToArray();

    private PvCase Choose(IReadOnlyList<PvCase> cases, Dictionary<string, string> ops)
    {
        foreach (var c in cases)
            if (c.When is null || Condition.Eval(c.When, ops)) return c;
        throw new InvalidOperationException($"{DslName}: no case applies (the catalogue must end each variant with an unconditional case)");
    }

    private static string[] Regs(IReadOnlyList<string> templates, Dictionary<string, string> ops)
    {
        var list = new List<string>();
        foreach (var t in templates)
        {
            string line = t;
            int sp = t.StartsWith("[", StringComparison.Ordinal) ? t.IndexOf(']') : -1;
            if (sp > 0)
            {
                if (!Condition.Eval(t.Substring(1, sp - 1), ops)) continue;
                line = t.Substring(sp + 1).Trim();
            }
            string r = Substitute(line, ops);
            if (!list.Contains(r)) list.Add(r);
        }
        return list.ToArray();
    }

    /// <summary>Renders template lines: guards evaluated, placeholders substituted, <c>(p0) </c> dropped, repeated stops merged.</summary>
    internal static string[] Render(IReadOnlyList<string> lines, IReadOnlyDictionary<string, string> ops)
    {
        var list = new List<string>();
        foreach (var t in lines)
        {
            string line = t;
            if (line.StartsWith("[", StringComparison.Ordinal))
            {
                int end = line.IndexOf(']');
                if (!Condition.Eval(line.Substring(1, end - 1), ops)) continue;
                line = line.Substring(end + 1).TrimStart();
            }
            line = Substitute(line, ops);
            if (line.StartsWith("(p0) ", StringComparison.Ordinal)) line = line.Substring(5);
            list.Add(line);
        }
        return CollapseStops(list);
    }

    private static string[] CollapseStops(IEnumerable<string> lines)
    {
        var list = new List<string>();
        foreach (var l in lines)
            if (!(l == ";;" && list.Count > 0 && list[list.Count - 1] == ";;")) list.Add(l);
        return list.ToArray();
    }

    internal static string Substitute(string line, IReadOnlyDictionary<string, string> ops)
    {
        int open = line.IndexOf('{');
        if (open < 0) return line;
        var sb = new System.Text.StringBuilder();
        int at = 0;
        while (open >= 0)
        {
            int close = line.IndexOf('}', open);
            if (close < 0) throw new InvalidOperationException($"unclosed placeholder in '{line}'");
            sb.Append(line, at, open - at);
            sb.Append(Placeholder(line.Substring(open + 1, close - open - 1), ops));
            at = close + 1;
            open = line.IndexOf('{', at);
        }
        sb.Append(line, at, line.Length - at);
        return sb.ToString();
    }

    private static string Placeholder(string name, IReadOnlyDictionary<string, string> ops)
    {
        if (ops.TryGetValue(name, out var v)) return v;
        if (name.EndsWith("_index", StringComparison.Ordinal) && ops.TryGetValue(name.Substring(0, name.Length - 6), out var kr)
            && kr.StartsWith("ar.k", StringComparison.Ordinal))
            return kr.Substring(4);
        if (name == "MASK_TO_PEND_OFS") return XenAbi.MaskToPendOffset.ToString(CultureInfo.InvariantCulture);
        if (name.StartsWith("HYPERPRIVOP_", StringComparison.Ordinal))
            return "0x" + XenAbi.Hyperprivop(name.Substring(12)).ToString("x", CultureInfo.InvariantCulture);
        if (name.StartsWith("XSI_", StringComparison.Ordinal))
        {
            int plus = name.IndexOfAny(new[] { '+', '-' });
            string field = plus < 0 ? name : name.Substring(0, plus);
            long delta = plus < 0 ? 0 : long.Parse(name.Substring(plus), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return XenAbi.Hex(unchecked(XenAbi.XsiAddress(field) + (ulong)delta));
        }
        throw new InvalidOperationException($"unknown placeholder {{{name}}}");
    }

    private string[] Retained(string[] lines) =>
        lines.Where(l => RetainedPatterns.Any(p => l.IndexOf(p, StringComparison.Ordinal) >= 0)).ToArray();

    /// <summary>A line without its qualifying predicate: <c>(p6) ld8 r16=[r16]</c> → <c>ld8 r16=[r16]</c>.</summary>
    public static string StripQp(string line) =>
        line.StartsWith("(", StringComparison.Ordinal) && line.IndexOf(')') is int e && e > 0 ? line.Substring(e + 1).TrimStart() : line;

    /// <summary>Lines on one line as GNU as reads them (<c>;</c> between instructions, <c>;;</c> for stops), template braces dropped.</summary>
    public static string Show(IEnumerable<string> lines)
    {
        var sb = new System.Text.StringBuilder();
        bool afterStop = true;
        foreach (var l in lines)
        {
            if (l == ";;")
            {
                sb.Append(sb.Length == 0 ? ";;" : " ;;");
                afterStop = true;
                continue;
            }
            if (sb.Length > 0) sb.Append(afterStop ? " " : "; ");
            sb.Append(l.Replace("{", "").Replace("}", ""));
            afterStop = false;
        }
        return sb.ToString();
    }

    /// <summary>Instructions in rendered lines: not stops, braces or labels.</summary>
    public static int CountInstructions(IEnumerable<string> lines) =>
        lines.Count(l => l != ";;" && !l.StartsWith("{", StringComparison.Ordinal) && l != "}" && !l.EndsWith(":", StringComparison.Ordinal));
}

/// <summary>
/// The AltA (out-of-line) convention, as data. The site is one explicit bundle that puts its own address in the link
/// register (a target or clobber operand the caller gives up anyway) and branches to the stub; the stub turns that into
/// the address of the bundle after the site, moves it to <see cref="ReturnBr"/>, runs the Xen sequence and returns with
/// an indirect <c>br</c> — never <c>br.call</c>/<c>br.ret</c>, which would write ar.pfs and move the register frame
/// (br.ret may need mandatory RSE fills) while psr.ic is off and the interrupted context's ar.pfs and backing store
/// are still live. See docs/paravirt.md.
/// </summary>
public static class AltA
{
    /// <summary>The branch register the stub returns through: the one ivt.S itself treats as scratch (see docs).</summary>
    public const string ReturnBr = "b7";

    /// <summary>The bytes from the site's bundle to its return point: the site is exactly one bundle.</summary>
    public const int SiteBytes = 16;

    /// <summary>The site: <c>{guard}</c> is <c>(pN) </c> or empty, <c>{br}</c> br.cond.sptk.many or br.sptk.many.</summary>
    public static IReadOnlyList<string> SiteTemplate { get; } = new[]
    {
        "{ .mib",
        "nop.m 0",
        "{guard}mov {link}=ip",
        "{guard}{br} {stub}",
        ";;",
        "}",
    };

    /// <summary>The stub's first lines: return address = site + 16, into b7; the Xen sequence follows.</summary>
    public static IReadOnlyList<string> StubPrologue { get; } = new[]
    {
        "adds {link}=" + SiteBytes.ToString(CultureInfo.InvariantCulture) + ",{link}",
        ";;",
        "mov " + ReturnBr + "={link}",
    };

    /// <summary>The stub's last lines.</summary>
    public static IReadOnlyList<string> StubEpilogue { get; } = new[]
    {
        "br.sptk.many " + ReturnBr,
        ";;",
    };
}

/// <summary>Conditions of cases and guarded lines: <c>a==b</c>, <c>a!=b</c>, joined by <c>&amp;&amp;</c> and <c>||</c> (&amp;&amp; binds tighter).</summary>
internal static class Condition
{
    public static bool Eval(string text, IReadOnlyDictionary<string, string> ops)
    {
        foreach (var any in Split(text, "||"))
        {
            bool all = true;
            foreach (var term in Split(any, "&&"))
            {
                int ne = term.IndexOf("!=", StringComparison.Ordinal);
                int eq = term.IndexOf("==", StringComparison.Ordinal);
                int at = ne >= 0 ? ne : eq;
                if (at < 0) throw new InvalidOperationException($"condition term '{term}' has no == or !=");
                string l = Value(term.Substring(0, at).Trim(), ops), r = Value(term.Substring(at + 2).Trim(), ops);
                if ((l == r) != (ne < 0)) { all = false; break; }
            }
            if (all) return true;
        }
        return false;
    }

    private static string Value(string s, IReadOnlyDictionary<string, string> ops) => ops.TryGetValue(s, out var v) ? v : s;

    private static IEnumerable<string> Split(string s, string sep)
    {
        int at = 0;
        for (int i = s.IndexOf(sep, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sep, at, StringComparison.Ordinal))
        {
            yield return s.Substring(at, i - at);
            at = i + sep.Length;
        }
        yield return s.Substring(at);
    }
}
