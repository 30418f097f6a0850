namespace IvtGen.Generator.Analyzers;

/// <summary>
/// What the analyzers hand the code fixes (IvtGen.CodeFixes links this file): diagnostic ids that have a fix and the
/// names of the diagnostic properties that say exactly what to change. The analyzer decides and checks the edit; the
/// fix only applies it, so the fix assembly needs neither the ISA core nor the catalogue.
/// </summary>
internal static class FixProperties
{
    public const string DependencyViolationId = "IVT009";
    public const string PrivilegedInstructionId = "IVT022";

    /// <summary>Source position (character offset) before which <c>stop();</c> goes.</summary>
    public const string StopBefore = "IvtStopBefore";

    /// <summary>Start and length of the statements the paravirtualized call replaces.</summary>
    public const string ReplaceStart = "IvtReplaceStart";
    public const string ReplaceLength = "IvtReplaceLength";

    /// <summary>The C# expression that replaces them (<c>pv_mov_from_ifa(r16)</c>; the statement keeps its semicolon).</summary>
    public const string Replacement = "IvtReplacement";

}
