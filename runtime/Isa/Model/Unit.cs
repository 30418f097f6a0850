namespace IvtGen.Isa;

/// <summary>Execution unit type of an instruction form (Itanium SDM vol. 3, table 3-1).</summary>
public enum Unit : byte
{
    /// <summary>Integer ALU: executes in an I or an M slot.</summary>
    A,
    I,
    M,
    B,
    F,
    /// <summary>Long-immediate: occupies the L and X slots of an MLX bundle.</summary>
    X,
}

/// <summary>The kind of a slot in a bundle template.</summary>
public enum SlotKind : byte
{
    M,
    I,
    F,
    B,
    /// <summary>The L slot of MLX: holds the high part of an X-unit instruction.</summary>
    L,
    /// <summary>The X slot of MLX.</summary>
    X,
}

public static class UnitExtensions
{
    /// <summary>Whether an instruction of <paramref name="unit"/> may sit in a slot of <paramref name="slot"/> kind.</summary>
    public static bool FitsIn(this Unit unit, SlotKind slot) => unit switch
    {
        Unit.A => slot is SlotKind.I or SlotKind.M,
        Unit.I => slot == SlotKind.I,
        Unit.M => slot == SlotKind.M,
        Unit.B => slot == SlotKind.B,
        Unit.F => slot == SlotKind.F,
        Unit.X => slot == SlotKind.X,
        _ => false,
    };

    /// <summary>The unit type an instruction decodes as in a slot of this kind (A-unit opcodes are shared by I and M).</summary>
    public static Unit DecodeUnit(this SlotKind slot) => slot switch
    {
        SlotKind.M => Unit.M,
        SlotKind.I => Unit.I,
        SlotKind.F => Unit.F,
        SlotKind.B => Unit.B,
        _ => Unit.X,
    };
}
