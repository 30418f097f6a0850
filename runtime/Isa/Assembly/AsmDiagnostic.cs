using System.Globalization;

namespace IvtGen.Isa;

public enum AsmSeverity : byte
{
    Warning,
    Error,
}

/// <summary>A problem found while assembling, at a 1-based line and column of the source (or a byte offset for binaries).</summary>
public sealed class AsmDiagnostic
{
    public AsmSeverity Severity { get; }
    public int Line { get; }
    public int Column { get; }
    public string Message { get; }
    /// <summary>A second location the message refers to (the other instruction of a dependency violation).</summary>
    public int RelatedLine { get; }

    public AsmDiagnostic(AsmSeverity severity, int line, int column, string message, int relatedLine = 0)
    {
        Severity = severity;
        Line = line;
        Column = column;
        Message = message;
        RelatedLine = relatedLine;
    }

    /// <summary>GNU style: <c>file:line:col: error: message</c>.</summary>
    public string ToString(string file) =>
        string.Format(CultureInfo.InvariantCulture, "{0}:{1}:{2}: {3}: {4}", file, Line, Column, Severity == AsmSeverity.Error ? "error" : "warning", Message);

    public override string ToString() => ToString("<input>");
}
