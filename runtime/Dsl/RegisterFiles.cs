namespace IvtGen.Dsl;

// The named registers below (ar.pfs, cr.ifa, Psr.dt) are generated from IvtGen.Isa.Registers into
// IvtCode.Instructions.g.cs, so the DSL and the assembler never disagree on a name.

/// <summary>
/// The application registers, written as GNU as writes them: <c>ar.pfs</c>, <c>ar.k0</c>, <c>ar.itc</c> by name,
/// <c>ar[48]</c> by number.
/// </summary>
public sealed partial class ArFile
{
    /// <summary>Application register <paramref name="number"/> (0–127), for those without a name: <c>ar[48]</c>.</summary>
    public AR this[int number] => new(number);
}

/// <summary>The control registers: <c>cr.ifa</c>, <c>cr.iib0</c> by name, <c>cr[9]</c> by number.</summary>
public sealed partial class CrFile
{
    /// <summary>Control register <paramref name="number"/> (0–127), for those without a name: <c>cr[9]</c>.</summary>
    public CR this[int number] => new(number);
}

/// <summary>
/// The PSR field masks GNU as accepts in <c>rsm</c>, <c>ssm</c>, <c>rum</c> and <c>sum</c> (<c>psr.dt</c> is
/// <c>1 &lt;&lt; 17</c>): <c>rsm(Psr.dt | Psr.ic)</c>.
/// </summary>
public static partial class Psr
{
}
