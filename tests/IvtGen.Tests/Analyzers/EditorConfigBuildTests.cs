using System;
using System.IO;
using IvtGen.Tests.Support;
using Xunit;

namespace IvtGen.Tests.Analyzers;

/// <summary>
/// Severities from a real .editorconfig in a real dotnet build: a warning raised to an error, a warning turned off, and
/// an error that stays one. (Analyzer.Testing 1.1.4 does not apply an .editorconfig's severities to its test state, so
/// ConventionAnalyzerTests covers the project-level path and this the editor's.)
/// </summary>
public sealed class EditorConfigBuildTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ivtgen-editorconfig-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public void Dotnet_build_takes_warning_severities_from_editorconfig_but_keeps_IVT021_an_error()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "T.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Repo.FilePath("build", "IvtGen.props")}" />
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Repo.FilePath("runtime", "IvtGen.Runtime.csproj")}" />
                <ProjectReference Include="{Repo.FilePath("generator", "IvtGen.Generator.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_dir, "A.cs"), Ivt.Table("""
                    mov(r17, r20);
                    stop();
                    pv_mov_from_ivr(r16, r17);
                    stop();
                    adds(r18, 1, r17);
                    mov(r8, r20);
                    pv_mov_from_ivr(r24, r19);
                    stop();
                    rfi();
                    stop();
            """));
        File.WriteAllText(Path.Combine(_dir, ".editorconfig"), """
            root = true

            [*.cs]
            dotnet_diagnostic.IVT020.severity = error
            dotnet_diagnostic.IVT021.severity = none
            dotnet_diagnostic.IVT022.severity = none
            """);
        // The references were built with the tests; building them again here would race other tests' builds of them.
        var (code, stdout, stderr) = Processes.Run("dotnet", _dir, "build", "-c", Configuration, "-nologo", "-p:BuildProjectReferences=false");
        string output = stdout + stderr;
        Assert.NotEqual(0, code);
        Assert.Contains("error IVT020", output);
        Assert.Contains("error IVT021", output);
        Assert.Contains("warning IVT009", output); // untouched: the default severity
        Assert.DoesNotContain("IVT022", output);   // rfi is raw, but turned off
    }
}
