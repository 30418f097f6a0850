using System;
using System.IO;
using System.Text;
using IvtGen.Dsl.Generation;

namespace IvtGen.DslGen;

/// <summary>
/// Regenerates what is generated from the ISA table and the paravirtualized-operation catalogue: the DSL's
/// instruction and pv_ surfaces, and the measured tables of docs/paravirt.md. Usage, from anywhere in the repository: <c>dotnet run --project tools/IvtGen.DslGen [-- --check]</c>;
/// --check only reports whether the files are current.
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
        bool allCurrent = true;
        foreach (var (relative, text) in new (string, Func<string>)[]
                 {
                     (DslSurfaceWriter.RelativePath, DslSurfaceWriter.Write),
                     (ParavirtSurfaceWriter.RelativePath, ParavirtSurfaceWriter.Write),
                 })
        {
            string path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
            byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text());
            bool current = File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes);
            allCurrent &= current;
            if (check)
            {
                Console.WriteLine(current ? $"{relative} is current" : $"{relative} is stale: run `{DslSurfaceWriter.RegenerateCommand}`");
                continue;
            }
            if (!current) File.WriteAllBytes(path, bytes);
            Console.WriteLine($"{relative}: {(current ? "unchanged" : "written")}, {bytes.Length} bytes");
        }
        // docs/paravirt.md: the catalogue's tables, measured, between the document's markers.
        string doc = Path.Combine(root, ParavirtReport.RelativePath.Replace('/', Path.DirectorySeparatorChar));
        string before = File.ReadAllText(doc);
        string after = ParavirtReport.Update(before);
        bool docCurrent = before == after;
        allCurrent &= docCurrent;
        if (check) Console.WriteLine($"{ParavirtReport.RelativePath} tables are {(docCurrent ? "current" : "stale: run `" + DslSurfaceWriter.RegenerateCommand + "`")}");
        else
        {
            if (!docCurrent) File.WriteAllText(doc, after, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            Console.WriteLine($"{ParavirtReport.RelativePath} tables: {(docCurrent ? "unchanged" : "written")}");
        }
        return check && !allCurrent ? 1 : 0;
    }

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IvtGen.sln"))) return dir.FullName;
        return null;
    }
}
