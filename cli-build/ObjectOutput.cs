extern alias gen;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using gen::IvtGen.Generator.Model;
using IvtGen.Elf;
using IvtGen.Loading;
using IvtGen.Tables;

namespace IvtGen.Cli;

/// <summary><c>ivtgen build</c>'s N.V.o: the image verified, then written as an ELF relocatable object.</summary>
internal static class ObjectOutput
{
    /// <summary>Writes <paramref name="path"/>; returns the findings as error lines instead when the image does not verify.</summary>
    public static string? Write(string path, string table, ImageSpec spec)
    {
        var vectors = new List<IvtVectorInfo>();
        foreach (var v in spec.Vectors) vectors.Add(new IvtVectorInfo(v.Index, v.Offset, v.Name, v.Handler, v.Used, v.Capacity));
        var symbols = new List<IvtSymbol>();
        foreach (var s in spec.Symbols) symbols.Add(new IvtSymbol(s.Name, s.Address));
        var relocations = new List<IvtRelocation>();
        foreach (var r in spec.Relocations) relocations.Add(new IvtRelocation(r.Offset, r.Slot, r.Kind, r.Symbol));
        var image = new IvtImage(table, spec.Variant, spec.Bytes.ToArray(), spec.Sha256, vectors, symbols, relocations, spec.Listing);
        try
        {
            File.WriteAllBytes(path, IvtElf.Write(IvtVerifier.Verify(image)));
            return null;
        }
        catch (IvtVerificationException e)
        {
            var lines = new List<string> { $"error: {table}.{spec.Variant}: the image does not verify, no object written:" };
            foreach (var f in e.Findings) lines.Add($"error: {table}.{spec.Variant}: {f}");
            return string.Join(Environment.NewLine, lines);
        }
    }
}
