namespace IvtGen.Dsl;

/// <summary>
/// Base of every IVT table class. Handler bodies are straight-line calls on it, read by the source generator at
/// compile time and never run: instructions (one method per mnemonic and operand shape, generated from the ISA
/// table into IvtCode.Instructions.g.cs: <c>ld8_acq(r14, [r15], 8)</c>), registers (<c>r16</c>, <c>p6</c>,
/// <c>b0</c>, <c>ar.pfs</c>, <c>cr.ifa</c>, <c>rr[r3]</c>), and the statements below.
/// </summary>
public abstract partial class IvtCode
{
    /// <summary>Qualifying predicate: <c>If(p6).ld8(r16, [r17])</c> is <c>(p6) ld8 r16=[r17]</c>.</summary>
    protected IvtCode If(PR qp) => this;

    /// <summary>An instruction-group stop, GNU's <c>;;</c>.</summary>
    protected void stop() { }

    /// <summary>Defines a label, local to the handler or routine, that branches in it can target.</summary>
    protected void label(string name) { }

    /// <summary>Starts an explicit bundle with the given template (<c>"mii"</c>, <c>"mlx"</c>, …); <see cref="end_bundle"/> closes it.</summary>
    protected void bundle(string template) { }

    /// <summary>Closes an explicit bundle.</summary>
    protected void end_bundle() { }

    /// <summary>The memory operand <c>[r]</c>, for those who prefer a call to the collection expression <c>[r]</c>.</summary>
    protected static Mem Mem(GR @base) => new(@base);
}
