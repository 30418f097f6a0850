using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>A statement of an assembly source, in order, with its 1-based line and column.</summary>
public abstract class SourceItem
{
    public int Line { get; init; }
    public int Column { get; init; }
}

public sealed class LabelItem : SourceItem
{
    public string Name { get; init; } = "";
}

/// <summary>An instruction outside or inside braces; <see cref="StopAfter"/> is set by a following ';;'.</summary>
public sealed class InsnItem : SourceItem, Bundler.IRunItem
{
    public MatchedInstruction Match { get; set; } = null!;
    public bool StopAfter { get; set; }
    public Form Form => Match.Form;
    /// <summary>The same instruction matched for other units: GNU's unit-less nop, break, hint, chk.s, mov ar=… take the slot's unit.</summary>
    public MatchedInstruction[] Alternatives { get; set; } = System.Array.Empty<MatchedInstruction>();

    public int UnitMask
    {
        get
        {
            int m = Bundler.MaskOf(Form.Unit);
            foreach (var a in Alternatives) m |= Bundler.MaskOf(a.Form.Unit);
            return m;
        }
    }

    /// <summary>Switches to the match whose unit fits a slot of <paramref name="kind"/> (no change when the current one fits).</summary>
    public void ChooseFor(SlotKind kind)
    {
        if (Form.Unit.FitsIn(kind)) return;
        foreach (var a in Alternatives)
            if (a.Form.Unit.FitsIn(kind)) { Match = a; return; }
    }
}

/// <summary>A stop ';;' with no instruction before it on the same line (attached to the previous instruction later).</summary>
public sealed class StopItem : SourceItem { }

/// <summary>An explicit bundle <c>{ .mii … }</c>; Template null when the braces named none.</summary>
public sealed class BundleItem : SourceItem
{
    public string? TemplateName { get; init; }
    /// <summary>An instruction inside failed to parse (already reported): the bundle keeps its place but is not checked.</summary>
    public bool Broken { get; set; }
    public List<InsnItem> Instructions { get; } = new();
}

public enum DirectiveKind : byte
{
    Align,
    Org,
    Explicit,
    Auto,
    Set,
    Global,
}

public sealed class DirectiveItem : SourceItem
{
    public DirectiveKind Kind { get; init; }
    public string? Name { get; init; }
    public Expr? Value { get; init; }
}
