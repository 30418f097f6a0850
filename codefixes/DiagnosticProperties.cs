using System.Globalization;
using Microsoft.CodeAnalysis;

namespace IvtGen.CodeFixes;

/// <summary>Reads what the analyzer left in a diagnostic's properties for its fix (positions as invariant integers).</summary>
internal static class DiagnosticProperties
{
    public static bool TryGetInt(this Diagnostic d, string key, out int value)
    {
        value = 0;
        return d.Properties.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }
}
