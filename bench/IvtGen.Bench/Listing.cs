using System;
using System.Globalization;
using System.Text;

namespace IvtGen.Bench;

/// <summary>
/// A deterministic IVT-like listing of N instructions for throughput measurements: integer ALU, loads, stores,
/// compares, shifts, moves to branch registers and branches, in groups of three separated by stops, with
/// registers chosen so no group has a dependency violation (GNU as -x stays silent): each position in a group
/// writes its own ranges (destinations r16–r39, post-increment bases r80–r103, predicates p6–p11) and reads only
/// the shared range r40–r79, which nothing writes.
/// </summary>
public static class Listing
{
    public static string Make(int instructions, int seed = 1)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(instructions * 24);
        sb.Append("\t.text\n\t.explicit\n");
        var inv = CultureInfo.InvariantCulture;
        for (int k = 0; k < instructions; k++)
        {
            int slot = k % 3;
            int dst = 16 + slot * 8 + rng.Next(8);
            int a = 40 + rng.Next(40), b = 40 + rng.Next(40);
            if (k % 300 == 0) sb.Append("L").Append((k / 300).ToString(inv)).Append(":\n");
            sb.Append('\t');
            switch (rng.Next(10))
            {
                case 0: sb.Append(inv, $"add r{dst}=r{a},r{b}"); break;
                case 1: sb.Append(inv, $"adds r{dst}={rng.Next(-8192, 8191)},r{a}"); break;
                case 2: sb.Append(inv, $"ld8 r{dst}=[r{a}]"); break;
                case 3: sb.Append(inv, $"st8 [r{a}]=r{b}"); break;
                case 4: sb.Append(inv, $"cmp.eq p{6 + slot * 2},p{7 + slot * 2}=r{a},r{b}"); break;
                case 5: sb.Append(inv, $"shl r{dst}=r{a},{rng.Next(1, 63)}"); break;
                case 6: sb.Append(inv, $"extr.u r{dst}=r{a},{rng.Next(0, 32)},{rng.Next(1, 32)}"); break;
                case 7:
                    // The post-increment writes its base, so the base is a register this position owns, not a read.
                    int bas = 80 + slot * 8 + rng.Next(8);
                    sb.Append(inv, $"ld4 r{dst}=[r{bas}],{rng.Next(-32, 32) * 4}");
                    break;
                case 8: sb.Append(inv, $"mov r{dst}=r{a}"); break;
                default: sb.Append(inv, $"and r{dst}=r{a},r{b}"); break;
            }
            if (slot == 2)
            {
                if (k % 30 == 29) sb.Append("\n\tbr.cond.sptk.few L").Append((k / 300).ToString(inv));
                sb.Append(" ;;");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
