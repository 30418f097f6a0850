using System;

namespace IvtGen.Isa;

[Flags]
public enum InsnFlags : uint
{
    None = 0,
    /// <summary>An assembler pseudo-op or alias of another encoding (mov r=r is adds r=0,r).</summary>
    Pseudo = 1 << 0,
    /// <summary>Accepted by the parser but never chosen by the decoder (e.g. cmp.gt, which is cmp.lt with swapped sources).</summary>
    ParseOnly = 1 << 1,
    /// <summary>Chosen by the decoder over other forms matching the same bits (as objdump prints mov r=r).</summary>
    PreferDecode = 1 << 2,
    /// <summary>Must be the first instruction of an instruction group.</summary>
    FirstInGroup = 1 << 3,
    /// <summary>Must be the last instruction of an instruction group.</summary>
    LastInGroup = 1 << 4,
    /// <summary>Privileged: faults unless executed at privilege level 0.</summary>
    Privileged = 1 << 5,
    /// <summary>Not privileged, but reveals or changes state a hypervisor virtualizes (thash, ttag, cover, reads of ar.itc…).</summary>
    Sensitive = 1 << 6,
    /// <summary>Changes control flow.</summary>
    Branch = 1 << 7,
    /// <summary>A B-unit instruction that must sit in the last slot of its bundle.</summary>
    LastInBundle = 1 << 8,
}

/// <summary>Custom encoding of operands that are not a plain field (alloc's i,l,o,r become sof, sol and sor).</summary>
public interface IFormCodec
{
    /// <summary>Encodes the coded operands of <paramref name="values"/>; on failure returns a message.</summary>
    string? Encode(long[] values, ref InsnWord word);

    /// <summary>Fills the coded operands of <paramref name="values"/>; false when the bits are not a valid encoding.</summary>
    bool Decode(in InsnWord word, long[] values);
}

/// <summary>Implemented by a codec whose operands live in bits the operand list does not name.</summary>
public interface IFormCodecCoverage
{
    ulong CoveredSlot { get; }
    ulong CoveredLong { get; }
}

/// <summary>
/// One concrete instruction form: a mnemonic with all completers spelled out, its unit, the fixed opcode bits
/// and the operands. InstructionEncoder, decoder, formatter and parser all work from these.
/// </summary>
public sealed class Form
{
    public int Id { get; internal set; }
    /// <summary>Full mnemonic with completers, as GNU as spells it: <c>ld8.c.clr.acq.nt1</c>.</summary>
    public string Mnemonic { get; }
    /// <summary>The mnemonic before any completer: <c>ld8</c>; the key the parser looks up first.</summary>
    public Unit Unit { get; }
    /// <summary>The SDM instruction format name (A1, M1, B4, …).</summary>
    public string Format { get; }
    public Pattern Pattern { get; }
    public OperandSpec[] Operands { get; }
    /// <summary>How many operands stand left of '='; 0 when the syntax has no '='.</summary>
    public int Outputs { get; }
    public InsnFlags Flags { get; }
    public IFormCodec? Codec { get; }

    internal Form(string mnemonic, Unit unit, string format, Pattern pattern, OperandSpec[] operands, int outputs, InsnFlags flags, IFormCodec? codec)
    {
        Mnemonic = mnemonic;
        Unit = unit;
        Format = format;
        Pattern = pattern;
        Operands = operands;
        Outputs = outputs;
        Flags = flags;
        Codec = codec;
    }

    /// <summary>Bits of the slot (and L slot) that the pattern, the qp and the operand fields account for; the rest must be 0.</summary>
    internal ulong CoveredSlot, CoveredLong;

    public bool Has(InsnFlags f) => (Flags & f) != 0;

    /// <summary>The instruction occupies an L slot as well (movl, brl, nop.x…).</summary>
    public bool IsLong => Unit == Unit.X;

    public override string ToString() => $"{Mnemonic} [{Format}]";
}
