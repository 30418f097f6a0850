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
}

/// <summary>The vector a handler method serves: an architected offset (0x0400) or an <see cref="IvtVector"/>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class VectorAttribute : Attribute
{
    public VectorAttribute(IvtVector vector) => Offset = (int)vector;

    public VectorAttribute(int offset) => Offset = offset;

    public int Offset { get; }
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
