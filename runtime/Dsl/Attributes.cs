using System;

namespace IvtGen.Dsl;

/// <summary>
/// Marks a partial class deriving from <see cref="IvtCode"/> as an interruption vector table. The source generator
/// compiles its <see cref="VectorAttribute"/> handlers and <see cref="RoutineAttribute"/> routines into a 32 KiB IVT
/// plus out-of-line code.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class IvtTableAttribute : Attribute
{
    /// <param name="name">The table's symbol (e.g. <c>ia64_ivt</c>); default: the class name.</param>
    public IvtTableAttribute(string? name = null) => Name = name;

    public string? Name { get; }

    /// <summary>What to do with a handler that outgrows its vector slot in some variant; a vector's own setting wins.</summary>
    public SlotOverflow Overflow { get; set; }
}

/// <summary>The vector a handler method serves: an architected offset (0x0400) or an <see cref="IvtVector"/>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class VectorAttribute : Attribute
{
    public VectorAttribute(IvtVector vector) => Offset = (int)vector;

    public VectorAttribute(int offset) => Offset = offset;

    public int Offset { get; }

    /// <summary>What to do when this handler outgrows its slot in some variant; <see cref="SlotOverflow.Inherit"/> takes the table's.</summary>
    public SlotOverflow Overflow { get; set; }
}

/// <summary>
/// What the generator does with a handler that needs more bundles than its vector slot holds — typically only in a Xen
/// variant, whose inline (AltB) sequences are longer than the privileged instructions they replace.
/// </summary>
public enum SlotOverflow
{
    /// <summary>On a vector, the table's policy; on a table, <see cref="Error"/>.</summary>
    Inherit = 0,
    /// <summary>The build fails with IVT008, giving the bundles used and available.</summary>
    Error = 1,
    /// <summary>
    /// In each variant where the handler overflows, what fits stays in the slot and ends with a branch to the rest, which
    /// moves after the table's routines (at an instruction-group boundary). Reported as information (IVT016). This is what
    /// Linux did by hand for its external-interrupt vector.
    /// </summary>
    MoveTailOutOfLine = 2,
}

/// <summary>Out-of-line code of the table (a fault dispatcher, a page-table walker), placed after the IVT; its name is a branch target.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RoutineAttribute : Attribute
{
    /// <param name="name">The routine's symbol; default: the method name.</param>
    public RoutineAttribute(string? name = null) => Name = name;

    public string? Name { get; }
}

/// <summary>Declares a symbol outside the table that handlers may branch to (resolved at link time, or given an address here).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IvtExternAttribute : Attribute
{
    public IvtExternAttribute(string name) => Name = name;

    public IvtExternAttribute(string name, long address)
    {
        Name = name;
        Address = address;
        HasAddress = true;
    }

    public string Name { get; }
    public long Address { get; }
    public bool HasAddress { get; }
}
