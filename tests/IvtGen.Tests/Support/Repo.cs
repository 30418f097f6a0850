using System;
using System.IO;

namespace IvtGen.Tests.Support;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IvtGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (IvtGen.sln) above " + AppContext.BaseDirectory);
    }

    public static string FilePath(params string[] parts) => Path.Combine(Root, Path.Combine(parts));
}
