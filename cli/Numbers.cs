using System;
using System.Globalization;

namespace IvtGen.Cli;

internal static class Numbers
{
    /// <summary>0x-prefixed hex or decimal.</summary>
    public static bool TryParse(string s, out long value)
    {
        if (s.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase))
            return long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
