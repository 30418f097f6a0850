using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using IvtGen.Isa;

namespace IvtGen.Dsl.Generation;

/// <summary>One DSL method: a mnemonic and a C# parameter-type list, serving every form of the table with that shape.</summary>
public sealed class DslMethod
{
    internal DslMethod(string name, string mnemonic, string[] parameterTypes)
    {
        Name = name;
        Mnemonic = mnemonic;
        ParameterTypes = parameterTypes;
        ParameterNames = new string[parameterTypes.Length];
    }

    /// <summary>The C# name: the mnemonic with '.' → '_', keywords escaped (<c>@break</c>).</summary>
    public string Name { get; }
    public string Mnemonic { get; }
    /// <summary>C# type names in assembly order: <c>GR</c>, <c>Mem</c>, <c>long</c>…</summary>
    public string[] ParameterTypes { get; }
    public string[] ParameterNames { get; }
    /// <summary>The forms the method stands for, in table order; the generator picks one from the operand values.</summary>
    public List<Form> Forms { get; } = new();

    /// <summary>The parameter types joined by ", ", the method's sort key after its name.</summary>
    public string Signature => string.Join(", ", ParameterTypes);
}

/// <summary>
/// Writes <c>runtime/Dsl/IvtCode.Instructions.g.cs</c>: the registers, tokens and one method per mnemonic and
/// operand shape of <see cref="InstructionTable"/>, so that every instruction of the table can be written in C#.
/// <c>tools/IvtGen.DslGen</c> runs it; <c>DslSurfaceTests</c> checks the checked-in file against it.
/// </summary>
public static class DslSurfaceWriter
{
    /// <summary>Where the generated file lives, relative to the repository root.</summary>
    public const string RelativePath = "runtime/Dsl/IvtCode.Instructions.g.cs";

    /// <summary>The command, run from the repository root, that rewrites the file.</summary>
    public const string RegenerateCommand = "dotnet run --project tools/IvtGen.DslGen";

    // Members of IvtCode written by hand (IvtCode.cs); generated names must not collide with them.
    private static readonly string[] s_handWritten = { "If", "stop", "label", "bundle", "end_bundle", "Mem" };

    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>A C# identifier for <paramref name="name"/>: '.' → '_', a leading '@' dropped, keywords escaped.</summary>
    public static string Identifier(string name)
    {
        string s = name.TrimStart('@').Replace('.', '_');
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_') || s.Any(c => !(char.IsLetterOrDigit(c) || c == '_')))
            throw new InvalidOperationException($"'{name}' does not make a C# identifier");
        return s_keywords.Contains(s) ? "@" + s : s;
    }

    /// <summary>The method name of a mnemonic: <c>ld8.c.clr.acq</c> → <c>ld8_c_clr_acq</c>, <c>break</c> → <c>@break</c>.</summary>
    public static string MethodName(string mnemonic) => Identifier(mnemonic);

    /// <summary>
    /// Whether a symbolic operand names application registers (mov.m's <c>ar.k0</c>–<c>ar.k7</c>): the DSL writes
    /// those as <see cref="AR"/> (<c>ar.k0</c>), the same type as the general <c>ar3</c> operand, not as a <see cref="Sym"/>.
    /// </summary>
    public static bool IsArSymbolic(OperandSpec op) =>
        op.Kind == OperandKind.Symbolic &&
        op.Symbols!.All(s => s.Length == 0 || (s.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(s.Substring(3), out _)));

    /// <summary>The C# type of an operand in the DSL.</summary>
    public static string ParameterType(OperandSpec op) => op.Kind switch
    {
        OperandKind.Gr => "GR",
        OperandKind.Fr => "FR",
        OperandKind.Pr => "PR",
        OperandKind.Br => "BR",
        OperandKind.Ar => "AR",
        OperandKind.Cr => "CR",
        OperandKind.Mem => "Mem",
        OperandKind.Indirect => "Indirect",
        OperandKind.Imm or OperandKind.ImmSet => "long",
        OperandKind.Target => "Target",
        OperandKind.Symbolic => IsArSymbolic(op) ? "AR" : "Sym",
        OperandKind.Fixed => FixedType(op.Text!),
        _ => throw new InvalidOperationException($"operand kind {op.Kind} has no DSL type"),
    };

    private static string FixedType(string token)
    {
        if (token == "r0") return "GR";
        if (token.StartsWith("ar.", StringComparison.Ordinal)) return "AR";
        if (long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) return "long";
        return "Special";
    }

    /// <summary>The <see cref="Special"/> tokens the table's fixed operands use (<c>ip</c>, <c>pr.rot</c>, <c>psr.l</c>…), sorted.</summary>
    public static IReadOnlyList<string> SpecialTokens() =>
        InstructionTable.Forms.SelectMany(f => f.Operands)
            .Where(o => o.Kind == OperandKind.Fixed && FixedType(o.Text!) == "Special")
            .Select(o => o.Text!).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToList();

    /// <summary>The symbolic operand values of the table (<c>@rev</c>, <c>dahr3</c>…) that the DSL writes as <see cref="Sym"/>, sorted by C# name.</summary>
    public static IReadOnlyList<string> Symbols() =>
        InstructionTable.Forms.SelectMany(f => f.Operands)
            .Where(o => o.Kind == OperandKind.Symbolic && !IsArSymbolic(o))
            .SelectMany(o => o.Symbols!).Where(s => s.Length > 0)
            .Distinct().OrderBy(Identifier, StringComparer.Ordinal).ThenBy(s => s, StringComparer.Ordinal).ToList();

    /// <summary>Every DSL method, sorted by name then signature (ordinal).</summary>
    public static IReadOnlyList<DslMethod> Methods()
    {
        var byKey = new Dictionary<string, DslMethod>(StringComparer.Ordinal);
        var list = new List<DslMethod>();
        foreach (var f in InstructionTable.Forms)
        {
            var types = f.Operands.Select(ParameterType).ToArray();
            string name = MethodName(f.Mnemonic);
            string key = name + "(" + string.Join(", ", types) + ")";
            if (!byKey.TryGetValue(key, out var m))
            {
                byKey.Add(key, m = new DslMethod(name, f.Mnemonic, types));
                list.Add(m);
            }
            else if (m.Mnemonic != f.Mnemonic)
            {
                throw new InvalidOperationException($"mnemonics {m.Mnemonic} and {f.Mnemonic} both make the method {name}");
            }
            m.Forms.Add(f);
        }
        foreach (var m in list) NameParameters(m);
        // '@' of an escaped keyword does not count: @break sorts among the b's.
        list.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.Name.TrimStart('@'), b.Name.TrimStart('@'));
            return c != 0 ? c : string.CompareOrdinal(a.Signature, b.Signature);
        });
        return list;
    }

    // ---- parameter names ----------------------------------------------------------------------------------------

    /// <summary>
    /// The operand names of a form. An alias that swaps registers of the form it stands for (cmp.leu p1,p2=r2,r3
    /// is cmp.ltu with p1/p2 and r2/r3 exchanged) is named as it is written, not after the fields it lands in.
    /// </summary>
    private static string[] OperandNames(Form f)
    {
        var names = new string[f.Operands.Length];
        for (int i = 0; i < names.Length; i++) names[i] = OperandName(f, i);
        if (!f.Has(InsnFlags.ParseOnly)) return names;
        foreach (var kind in new[] { OperandKind.Gr, OperandKind.Fr, OperandKind.Pr, OperandKind.Br })
        {
            var at = Enumerable.Range(0, names.Length)
                .Where(i => f.Operands[i].Kind == kind && names[i].Length > 1 && char.IsDigit(names[i][1])).ToList();
            var sorted = at.Select(i => names[i]).OrderBy(x => x, StringComparer.Ordinal).ToList();
            for (int k = 0; k < at.Count; k++) names[at[k]] = sorted[k];
        }
        return names;
    }

    /// <summary>
    /// An operand's name in one form, as the SDM and GNU name it where the field tells (r1 r2 r3, f1–f4, p1 p2,
    /// b1 b2, ar3, cr3, imm8, count2, inc3, alloc's inputs…rotating), or after its fixed token (ar_ccv, r0).
    /// </summary>
    private static string OperandName(Form f, int index)
    {
        var op = f.Operands[index];
        switch (op.Kind)
        {
            case OperandKind.Gr: return RegName("r", op, 3);
            case OperandKind.Fr: return RegName("f", op, 4);
            case OperandKind.Pr: return RegName("p", op, 2);
            case OperandKind.Br: return RegName("b", op, 2);
            case OperandKind.Ar: return "ar3";
            case OperandKind.Cr: return "cr3";
            case OperandKind.Mem: return "mem";
            case OperandKind.Indirect: return "indirect";
            // 13-bit targets are the tags of brp (B6) and of mov b1=r2,tag13 (I21).
            case OperandKind.Target: return op.Field!.Width + op.Shift == 13 ? "tag" : "target";
            case OperandKind.Symbolic: return IsArSymbolic(op) ? "ar3" : "sym";
            case OperandKind.ImmSet:
                return (op.ValueSet!.Any(v => v < 0) ? "inc" : "count") + op.Field!.Width.ToString(CultureInfo.InvariantCulture);
            case OperandKind.Imm when op.Field is null:
                return CodedName(f, index);
            case OperandKind.Imm:
                if (op.Mirror is not null) return "count" + op.Field.Width.ToString(CultureInfo.InvariantCulture);
                return s_sdmNames.TryGetValue(f.Format + ":" + op.Field.Pieces[0].Pos.ToString(CultureInfo.InvariantCulture), out var sdm)
                    ? sdm
                    : "imm" + (op.Field.Width + op.Shift).ToString(CultureInfo.InvariantCulture);
            case OperandKind.Fixed:
                string type = FixedType(op.Text!);
                return type == "long" ? "imm" : type == "Special" ? "special" : Identifier(op.Text!);
            default:
                throw new InvalidOperationException($"operand kind {op.Kind} has no name");
        }
    }

    // Immediates whose width does not say what they are, named as the SDM's format pages name them
    // (key: format and the lowest bit of the field): extr r1=r3,pos6,len6, dep r1=r2,r3,pos6,len4, fsetc amask7,omask7…
    private static readonly Dictionary<string, string> s_sdmNames = new(StringComparer.Ordinal)
    {
        ["A2:27"] = "count2",
        ["I6:14"] = "count5", ["I8:20"] = "count5", ["I10:27"] = "count6",
        ["I11:14"] = "pos6", ["I11:27"] = "len6",
        ["I12:20"] = "pos6", ["I12:27"] = "len6",
        ["I13:20"] = "pos6", ["I13:27"] = "len6",
        ["I14:14"] = "pos6", ["I14:27"] = "len6",
        ["I15:31"] = "pos6", ["I15:27"] = "len4",
        ["I16:14"] = "pos6",
        ["I23:6"] = "mask17",
        ["F12:13"] = "amask7", ["F12:20"] = "omask7",
        ["M13:6"] = "count", ["M13:13"] = "stride",
    };

    // The SDM numbers register fields by position: r1 in bits 6–12, r2 in 13–19, r3 in 20–26, f4/p2 in 27–33.
    private static string RegName(string letter, OperandSpec op, int max)
    {
        int n = op.Field!.Pieces[0].Pos switch { 6 => 1, 13 => 2, 20 => 3, 27 => max == 2 ? 2 : 4, _ => 0 };
        return n == 0 || n > max ? letter : letter + n.ToString(CultureInfo.InvariantCulture);
    }

    // Field-less immediates a codec encodes: alloc's i,l,o,r (M34) and fclass's fclass9 (F5).
    private static string CodedName(Form f, int index)
    {
        int first = Array.FindIndex(f.Operands, o => o.Kind == OperandKind.Imm && o.Field is null);
        int k = index - first;
        return f.Format switch
        {
            "M34" when k < 4 => new[] { "inputs", "locals", "outputs", "rotating" }[k],
            "F5" => "fclass9",
            _ => "imm",
        };
    }

    // Where the forms of a method name an operand differently (mov r1=rr[r3] and mov r1=pkr[r3] share
    // mov(GR, Indirect)), the parameter is named after its type: gr, indirect, imm, special…
    private static string GenericName(string type) => type == "long" ? "imm" : type.ToLowerInvariant();

    /// <summary>Per position, the name all the method's forms agree on, else a generic one; then made unique.</summary>
    private static void NameParameters(DslMethod m)
    {
        int n = m.ParameterTypes.Length;
        for (int i = 0; i < n; i++)
        {
            var names = m.Forms.Select(f => OperandNames(f)[i]).Distinct().ToList();
            m.ParameterNames[i] = names.Count == 1 ? names[0] : GenericName(m.ParameterTypes[i]);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dup = new HashSet<string>(m.ParameterNames.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key), StringComparer.Ordinal);
        var taken = new HashSet<string>(m.ParameterNames, StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            string b = m.ParameterNames[i];
            if (!dup.Contains(b)) continue;
            string candidate;
            do
            {
                counters[b] = counters.TryGetValue(b, out int c) ? c + 1 : 1;
                candidate = b + (char.IsDigit(b[b.Length - 1]) ? "_" : "") + counters[b].ToString(CultureInfo.InvariantCulture);
            } while (taken.Contains(candidate));
            taken.Add(candidate);
            m.ParameterNames[i] = candidate;
        }
        foreach (var p in m.ParameterNames)
        {
            if (!seen.Add(p)) throw new InvalidOperationException($"duplicate parameter {p} in {m.Name}");
            if (s_keywords.Contains(p)) throw new InvalidOperationException($"parameter {p} of {m.Name} is a keyword");
        }
    }

    // ---- syntax of a form, for the doc comments ------------------------------------------------------------------

    /// <summary>GNU as syntax of a form with its operands named: <c>ld8 r1=[r3],imm9</c>, <c>mov r1=cr3</c>.</summary>
    public static string Syntax(Form f)
    {
        var sb = new StringBuilder(f.Mnemonic);
        var names = OperandNames(f);
        for (int i = 0; i < f.Operands.Length; i++)
        {
            sb.Append(i == 0 ? " " : i == f.Outputs ? "=" : ",");
            var op = f.Operands[i];
            string name = names[i];
            switch (op.Kind)
            {
                case OperandKind.Fixed: sb.Append(op.Text); break;
                case OperandKind.Mem: sb.Append("[r3]"); break;
                case OperandKind.Indirect: sb.Append(op.Text).Append("[r3]"); break;
                case OperandKind.Symbolic: sb.Append(string.Join("|", op.Symbols!.Where(s => s.Length > 0))); break;
                default: sb.Append(name); break;
            }
        }
        return sb.ToString();
    }

    private static string Notes(Form f)
    {
        var notes = new List<string> { f.Format };
        if (f.Has(InsnFlags.Privileged)) notes.Add("privileged");
        if (f.Has(InsnFlags.Sensitive)) notes.Add("sensitive");
        if (f.Has(InsnFlags.ParseOnly)) notes.Add("alias");
        return string.Join(", ", notes);
    }

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    // ---- the file ------------------------------------------------------------------------------------------------

    /// <summary>The text of <see cref="RelativePath"/>: deterministic, '\n' line ends.</summary>
    public static string Write()
    {
        var methods = Methods();
        var specials = SpecialTokens();
        var symbols = Symbols();
        var w = new StringBuilder(1 << 20);
        void L(string line = "") => w.Append(line).Append('\n');
        string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        L("// <auto-generated>");
        L("// Generated from the ISA table (IvtGen.Isa.InstructionTable, IvtGen.Isa.Registers) by tools/IvtGen.DslGen;");
        L("// do not edit. Regenerate with: " + RegenerateCommand);
        L("// </auto-generated>");
        L();
        L("#nullable enable");
        L();
        L("namespace IvtGen.Dsl;");
        L();
        L("public abstract partial class IvtCode");
        L("{");

        var members = new HashSet<string>(s_handWritten, StringComparer.Ordinal);
        void Member(string name)
        {
            if (!members.Add(name)) throw new InvalidOperationException($"IvtCode member {name} is generated twice or collides with a hand-written one");
        }

        foreach (var (type, prefix, count, what) in new[]
                 {
                     ("GR", "r", 128, "General register"), ("FR", "f", 128, "Floating-point register"),
                     ("PR", "p", 64, "Predicate register"), ("BR", "b", 8, "Branch register"),
                 })
        {
            L($"    // {what}s {prefix}0–{prefix}{count - 1}.");
            for (int i = 0; i < count; i++)
            {
                Member(prefix + Int(i));
                L($"    protected static {type} {prefix}{Int(i)} => new({Int(i)});");
            }
            L();
        }

        L("    /// <summary>The application registers: <c>ar.pfs</c>, <c>ar[48]</c>.</summary>");
        Member("ar");
        L("    protected static ArFile ar { get; } = new();");
        L();
        L("    /// <summary>The control registers: <c>cr.ifa</c>, <c>cr[9]</c>.</summary>");
        Member("cr");
        L("    protected static CrFile cr { get; } = new();");
        L();
        foreach (var file in Registers.IndirectFiles)
        {
            string id = Identifier(file);
            Member(id);
            L($"    /// <summary>The indirect register file <c>{file}</c>: <c>{file}[r3]</c>.</summary>");
            L($"    protected static IndirectFile {id} {{ get; }} = new(\"{file}\");");
            L();
        }
        foreach (var token in specials)
        {
            string id = Identifier(token);
            Member(id);
            L($"    /// <summary>The token <c>{token}</c>.</summary>");
            L($"    protected static Special {id} => new(\"{token}\");");
            L();
        }

        int forms = methods.Sum(m => m.Forms.Count);
        L($"    // Instructions: {Int(methods.Count)} methods for the {Int(forms)} forms of the table.");
        string? last = null;
        foreach (var m in methods)
        {
            if (m.Name != last)
            {
                if (members.Contains(m.Name)) throw new InvalidOperationException($"method {m.Name} collides with a register or token");
                last = m.Name;
            }
            L();
            L("    /// <summary>");
            var lines = m.Forms.Select(f => $"<c>{Xml(Syntax(f))}</c> ({Notes(f)})").Distinct().ToList();
            for (int i = 0; i < lines.Count; i++)
                L("    /// " + lines[i] + (i < lines.Count - 1 ? "<br/>" : ""));
            L("    /// </summary>");
            var ps = m.ParameterTypes.Select((t, i) => t + " " + m.ParameterNames[i]);
            L($"    public void {m.Name}({string.Join(", ", ps)}) {{ }}");
        }
        L("}");

        // Named application and control registers.
        foreach (var (cls, prefix, type, name) in new (string, string, string, Func<int, string>)[]
                 {
                     ("ArFile", "ar", "AR", Registers.ArName),
                     ("CrFile", "cr", "CR", Registers.CrName),
                 })
        {
            L();
            L($"public sealed partial class {cls}");
            L("{");
            bool first = true;
            for (int n = 0; n < 128; n++)
            {
                string full = name(n);
                if (!full.StartsWith(prefix + ".", StringComparison.Ordinal)) continue;
                if (!first) L();
                first = false;
                L($"    /// <summary><c>{full}</c> ({prefix}{Int(n)}).</summary>");
                L($"    public {type} {Identifier(full.Substring(prefix.Length + 1))} => new({Int(n)});");
            }
            L("}");
        }

        L();
        L("public static partial class Psr");
        L("{");
        bool firstPsr = true;
        foreach (var kv in Registers.PsrFields.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            long mask = kv.Value;
            int shift = 0;
            while ((mask >> shift & 1) == 0) shift++;
            if (!firstPsr) L();
            firstPsr = false;
            L($"    /// <summary>The mask of <c>{kv.Key}</c>.</summary>");
            L($"    public const long {Identifier(kv.Key.Substring(4))} = {Int(mask >> shift)}L << {Int(shift)};");
        }
        L("}");

        L();
        L("public readonly partial struct Sym");
        L("{");
        var symbolIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
        {
            if (i > 0) L();
            if (!symbolIds.Add(Identifier(symbols[i]))) throw new InvalidOperationException($"two symbols make Sym.{Identifier(symbols[i])}");
            L($"    /// <summary><c>{symbols[i]}</c>.</summary>");
            L($"    public static Sym {Identifier(symbols[i])} => new(\"{symbols[i]}\");");
        }
        L("}");
        return w.ToString();
    }
}
