using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace IvtGen.Dsl;

// Operand types of the DSL. They exist so that handlers type-check (Mov(r16, b0) and Mov(b6, r16) pick different
// forms; nonsense does not compile); the source generator reads the syntax, and nothing here runs on the target.

/// <summary>General register r0–r127.</summary>
public readonly struct GR
{
    public GR(int number) => Number = number;
    public int Number { get; }
    public override string ToString() => "r" + Number;
}

/// <summary>Floating-point register f0–f127.</summary>
public readonly struct FR
{
    public FR(int number) => Number = number;
    public int Number { get; }
    public override string ToString() => "f" + Number;
}

/// <summary>Predicate register p0–p63.</summary>
public readonly struct PR
{
    public PR(int number) => Number = number;
    public int Number { get; }
    public override string ToString() => "p" + Number;
}

/// <summary>Branch register b0–b7.</summary>
public readonly struct BR
{
    public BR(int number) => Number = number;
    public int Number { get; }
    public override string ToString() => "b" + Number;
}

/// <summary>Application register (<c>ar.pfs</c>, <c>ar[48]</c>).</summary>
public readonly struct AR
{
    public AR(int number) => Number = number;
    public int Number { get; }
}

/// <summary>Control register (<c>cr.ifa</c>, <c>cr[9]</c>).</summary>
public readonly struct CR
{
    public CR(int number) => Number = number;
    public int Number { get; }
}

/// <summary>
/// A memory operand <c>[r3]</c>: write it as the collection expression <c>[r15]</c> (as GNU as writes it)
/// or as <c>Mem(r15)</c>.
/// </summary>
[CollectionBuilder(typeof(Mem), nameof(Create))]
public readonly struct Mem : IEnumerable<GR>
{
    public Mem(GR @base) => Base = @base;
    public GR Base { get; }

    public static Mem Create(ReadOnlySpan<GR> items) =>
        items.Length == 1 ? new Mem(items[0]) : throw new ArgumentException("a memory operand names one register: [rN]");

    IEnumerator<GR> IEnumerable<GR>.GetEnumerator() { yield return Base; }
    IEnumerator IEnumerable.GetEnumerator() { yield return Base; }
}

/// <summary>An indirect register file (<c>rr</c>, <c>pkr</c>, <c>dbr</c>, <c>ibr</c>, <c>pmc</c>, <c>pmd</c>, <c>cpuid</c>, <c>itr</c>, <c>dtr</c>, <c>msr</c>, <c>dahr</c>).</summary>
public sealed class IndirectFile
{
    public IndirectFile(string name) => Name = name;
    public string Name { get; }
    public Indirect this[GR index] => new(Name, index);
}

/// <summary>One register of an indirect file: <c>rr[r3]</c>.</summary>
public readonly struct Indirect
{
    public Indirect(string file, GR index)
    {
        File = file;
        Index = index;
    }

    public string File { get; }
    public GR Index { get; }
}

/// <summary>A fixed operand token with no field: <c>ip</c>, <c>pr</c>, <c>pr.rot</c>, <c>psr</c>, <c>psr.l</c>, <c>psr.um</c>.</summary>
public readonly struct Special
{
    public Special(string token) => Token = token;
    public string Token { get; }
}

/// <summary>A symbolic operand value such as mux1's <c>@rev</c> (written <c>Sym.rev</c>).</summary>
public readonly partial struct Sym
{
    public Sym(string name) => Name = name;
    public string Name { get; }
}

/// <summary>A branch target: a label of the handler, a routine of the table or a declared external symbol.</summary>
public readonly struct Target
{
    public Target(string name) => Name = name;
    public string Name { get; }
    public static implicit operator Target(string name) => new(name);
}
