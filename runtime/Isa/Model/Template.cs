using System;

namespace IvtGen.Isa;

/// <summary>
/// A bundle template: the kinds of its three slots and where its stops are (SDM vol. 3 table 3-10).
/// Stops are recorded per slot: <c>StopAfter[i]</c> means an instruction-group boundary follows slot i.
/// </summary>
public sealed class Template
{
    public int Code { get; }
    public SlotKind[] Slots { get; }
    /// <summary>Bit i set: a stop follows slot i (bit 2 is the stop at the end of the bundle).</summary>
    public int StopMask { get; }
    /// <summary>The template as written in GNU as: <c>.mii</c>, <c>.mlx</c>…</summary>
    public string Name { get; }

    private Template(int code, string kinds, int stopMask)
    {
        Code = code;
        Slots = new SlotKind[3];
        for (int i = 0; i < 3; i++)
            Slots[i] = kinds[i] switch { 'M' => SlotKind.M, 'I' => SlotKind.I, 'F' => SlotKind.F, 'B' => SlotKind.B, 'L' => SlotKind.L, 'X' => SlotKind.X, _ => throw new ArgumentException(kinds) };
        if (Slots[1] == SlotKind.L) Slots[2] = SlotKind.X;
        StopMask = stopMask;
        Name = "." + kinds.ToLowerInvariant();
    }

    public bool StopAfter(int slot) => (StopMask >> slot & 1) != 0;

    /// <summary>Whether this is MLX, whose slots 1 and 2 hold one X-unit instruction.</summary>
    public bool IsLong => Slots[1] == SlotKind.L;

    private static readonly Template?[] s_all = Build();

    private static Template?[] Build()
    {
        var t = new Template?[32];
        void Def(int code, string kinds, int stops) => t[code] = new Template(code, kinds, stops);
        // Each pair: without and with the stop at the end of the bundle (bit 2).
        Def(0x00, "MII", 0); Def(0x01, "MII", 4);
        Def(0x02, "MII", 2); Def(0x03, "MII", 6);           // MI;I and MI;I;
        Def(0x04, "MLX", 0); Def(0x05, "MLX", 4);
        Def(0x08, "MMI", 0); Def(0x09, "MMI", 4);
        Def(0x0a, "MMI", 1); Def(0x0b, "MMI", 5);           // M;MI and M;MI;
        Def(0x0c, "MFI", 0); Def(0x0d, "MFI", 4);
        Def(0x0e, "MMF", 0); Def(0x0f, "MMF", 4);
        Def(0x10, "MIB", 0); Def(0x11, "MIB", 4);
        Def(0x12, "MBB", 0); Def(0x13, "MBB", 4);
        Def(0x16, "BBB", 0); Def(0x17, "BBB", 4);
        Def(0x18, "MMB", 0); Def(0x19, "MMB", 4);
        Def(0x1c, "MFB", 0); Def(0x1d, "MFB", 4);
        return t;
    }

    /// <summary>The template with this 5-bit code, or null for the reserved codes 06, 07, 14, 15, 1A, 1B, 1E, 1F.</summary>
    public static Template? FromCode(int code) => (uint)code < 32 ? s_all[code] : null;

    /// <summary>All 24 defined templates, in code order.</summary>
    public static Template[] All { get; } = Array.FindAll(s_all, x => x is not null)!;

    public override string ToString() => $"{Name}(0x{Code:x2})";
}
