namespace IvtGen.Elf;

/// <summary>
/// The IA-64 ELF relocation types IvtGen writes: the ones GNU as 2.40 emits for a reference to an undefined symbol
/// in each instruction (checked by assembling <c>br.call</c>, <c>brl</c>, <c>chk.s.m/.i</c>, <c>chk.s f</c>,
/// <c>chk.a</c>, <c>fchkf</c>, <c>movl</c>, <c>addl</c>/<c>mov</c>, <c>adds</c> and <c>brp</c> against external symbols and
/// reading <c>readelf -r</c>; numbers as in binutils include/elf/ia64.h).
/// </summary>
public enum Ia64Relocation : uint
{
    None = 0x00,
    /// <summary>adds r=imm14: A4's imm14.</summary>
    Imm14 = 0x21,
    /// <summary>addl r=imm22 (and its alias mov r=imm22): A5's imm22.</summary>
    Imm22 = 0x22,
    /// <summary>movl r=imm64: X2's imm64 (r_offset names slot 1, the L slot).</summary>
    Imm64 = 0x23,
    /// <summary>brl (X3/X4): target64, IP-relative (r_offset names slot 1).</summary>
    PcRel60B = 0x48,
    /// <summary>B1/B3 br.cond/br.call, brp's target, chk.a (M22/M23): imm20b and s, IP-relative.</summary>
    PcRel21B = 0x49,
    /// <summary>chk.s.m (M20/M21) and chk.s.i (I20): imm7a, imm13c and s, IP-relative.</summary>
    PcRel21M = 0x4a,
    /// <summary>fchkf (F14): imm20a and s, IP-relative.</summary>
    PcRel21F = 0x4b,
}
