using System;
using System.IO;
using System.Text;
using IvtGen.Dsl.Generation;

namespace IvtGen.DslGen;

/// <summary>
/// Regenerates the DSL's instruction surface from the ISA table. Usage, from anywhere in the repository:
/// <c>dotnet run --project tools/IvtGen.DslGen [-- --check]</c>; --check only reports whether the file is current.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool check = Array.IndexOf(args, "--check") >= 0;
        string? root = FindRoot(Directory.GetCurrentDirectory()) ?? FindRoot(AppContext.BaseDirectory);
        if (root is null)
        {
            Console.Error.WriteLine("error: cannot find the repository root (IvtGen.sln) above the current directory");
            return 2;
        }
        string path = Path.Combine(root, DslSurfaceWriter.RelativePath.Replace('/', Path.DirectorySeparatorChar));
        byte[] text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(DslSurfaceWriter.Write());
        bool current = File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(text);
        if (check)
        {
            Console.WriteLine(current ? $"{DslSurfaceWriter.RelativePath} is current" : $"{DslSurfaceWriter.RelativePath} is stale: run `{DslSurfaceWriter.RegenerateCommand}`");
            return current ? 0 : 1;
        }
        if (!current) File.WriteAllBytes(path, text);
        Console.WriteLine($"{DslSurfaceWriter.RelativePath}: {(current ? "unchanged" : "written")}, {text.Length} bytes");
        return 0;
    }

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IvtGen.sln"))) return dir.FullName;
        return null;
    }
}
