using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// GNU as's named constants for IA-64 (tc-ia64.c's pseudo functions of kind PSEUDO_FUNC_CONST): <c>@nat</c>,
/// <c>@pause</c>, <c>@rev</c>… stand for their value in any expression (<c>fclass.m p6,p7=f8,@nat|@qnan</c>,
/// <c>hint.i @pause</c>, <c>mov r1=@inf+1</c>). Names are case-sensitive, as GNU reads them: any other <c>@name</c> is
/// an ordinary symbol. Where a form names a value itself (mux1's <c>@rev</c>, hint.m's <c>@pause</c>) the name is
/// matched as written first. Each value is checked against GNU as's encoding (PseudoConstantTests).
/// </summary>
internal static class PseudoConstants
{
    private static readonly Dictionary<string, long> s_values = new(System.StringComparer.Ordinal)
    {
        // mux1's mbtype4
        ["@brcst"] = 0x0, ["@mix"] = 0x8, ["@shuf"] = 0x9, ["@alt"] = 0xa, ["@rev"] = 0xb,
        // fclass's classes (@natval is the old name of @nat)
        ["@pos"] = 0x001, ["@neg"] = 0x002, ["@zero"] = 0x004, ["@unorm"] = 0x008, ["@norm"] = 0x010,
        ["@inf"] = 0x020, ["@snan"] = 0x040, ["@qnan"] = 0x080, ["@nat"] = 0x100, ["@natval"] = 0x100,
        // hint's hints
        ["@pause"] = 0x0, ["@priority"] = 0x1,
        // tf's features
        ["@clz"] = 0x20, ["@mpy"] = 0x21, ["@datahints"] = 0x22,
    };

    /// <summary>Every name, for tests and the docs.</summary>
    public static IReadOnlyDictionary<string, long> All => s_values;

    /// <summary>The value <paramref name="name"/> stands for, when it is one of GNU's named constants.</summary>
    public static bool TryGet(string? name, out long value)
    {
        value = 0;
        return name is { Length: > 1 } && name[0] == '@' && s_values.TryGetValue(name, out value);
    }

    public static bool Is(string? name) => TryGet(name, out _);
}
