using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using IvtGen.Generator.Model;
using Scriban;
using Scriban.Runtime;

namespace IvtGen.Generator.Emit;

/// <summary>Renders a built table as C# through the Scriban template ivt-templates/ivt-table.scriban. It only renders.</summary>
internal static class Emitter
{
    private static readonly Lazy<Template> s_template = new(() => Load("ivt-table.scriban"));

    private static Template Load(string name)
    {
        using var stream = typeof(Emitter).Assembly.GetManifestResourceStream("IvtGen.Templates." + name)
            ?? throw new InvalidOperationException("missing embedded template " + name);
        using var reader = new StreamReader(stream);
        var t = Template.Parse(reader.ReadToEnd(), name);
        if (t.HasErrors) throw new InvalidOperationException("template " + name + ": " + string.Join("; ", t.Messages));
        return t;
    }

    public static string Render(BuiltTable built)
    {
        var table = built.Table;
        var model = new ScriptObject
        {
            ["namespace"] = table.Namespace,
            ["class_name"] = table.ClassName,
            ["accessibility"] = table.Accessibility,
            ["table_name"] = table.TableName,
            ["images"] = built.Images.Select(Image).ToArray(),
        };
        // No loop or output limits: a table with three variants renders well past Scriban's 1 MiB default.
        var context = new TemplateContext { LoopLimit = 0, LimitToString = 0, StrictVariables = true, MemberRenamer = m => m.Name };
        context.PushGlobal(model);
        string text = s_template.Value.Render(context);
        return text.Replace("\r\n", "\n");
    }

    private static ScriptObject Image(ImageSpec image)
    {
        var inv = CultureInfo.InvariantCulture;
        var bytes = image.Bytes.ToArray();
        var lines = new string[(bytes.Length + 15) / 16];
        var sb = new StringBuilder(100);
        for (int i = 0; i < lines.Length; i++)
        {
            sb.Clear();
            for (int k = i * 16; k < Math.Min(bytes.Length, i * 16 + 16); k++) sb.Append("0x").Append(bytes[k].ToString("x2", inv)).Append(", ");
            lines[i] = sb.ToString().TrimEnd();
        }
        return new ScriptObject
        {
            ["variant"] = image.Variant,
            ["pascal"] = Pascal(image.Variant),
            ["sha256"] = image.Sha256,
            ["size"] = bytes.Length,
            ["out_of_line"] = Math.Max(0, bytes.Length - 0x8000),
            ["byte_lines"] = lines,
            ["listing"] = image.Listing.TrimEnd('\n'),
            ["vectors"] = image.Vectors.Select(v => new ScriptObject
            {
                ["index"] = v.Index, ["offset_hex"] = v.Offset.ToString("x4", inv), ["name"] = v.Name, ["handler"] = v.Handler,
                ["used"] = v.Used, ["capacity"] = v.Capacity, ["pv_sites"] = v.ParavirtSites, ["clobbers"] = v.Clobbers.ToArray(),
            }).ToArray(),
            ["symbols"] = image.Symbols.Select(s => new ScriptObject { ["name"] = s.Name, ["address_hex"] = s.Address.ToString("x", inv) }).ToArray(),
            ["relocations"] = image.Relocations.Select(r => new ScriptObject
            {
                ["offset_hex"] = r.Offset.ToString("x", inv), ["slot"] = r.Slot, ["kind"] = r.Kind, ["symbol"] = r.Symbol,
            }).ToArray(),
        };
    }

    /// <summary>native → Native, xen-altb → XenAltB.</summary>
    public static string Pascal(string variant)
    {
        var sb = new StringBuilder();
        bool up = true;
        foreach (char c in variant)
        {
            if (c == '-') { up = true; continue; }
            sb.Append(up ? char.ToUpperInvariant(c) : c);
            up = false;
        }
        return sb.ToString().Replace("Alta", "AltA").Replace("Altb", "AltB");
    }
}
