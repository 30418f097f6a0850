using System.Linq;
using IvtGen.Isa;
using Xunit;

namespace IvtGen.Tests.Isa;

/// <summary>
/// M-unit rows that the generic GNU round trip cannot judge: alloc's coded operands, the flags read off decoded
/// system instructions, and the register rules between operands. Slot values are GNU as 2.40's output for the
/// text in the comment beside them.
/// </summary>
public sealed class MUnitTableTests
{
    private static Instruction Decode(ulong slot)
    {
        Assert.True(InstructionDecoder.TryDecode(SlotKind.M, new InsnWord(slot), out var ins), $"cannot decode 0x{slot:x11}");
        return ins;
    }

    private static Form Row(string mnemonic, string format, int operands) =>
        InstructionTable.Forms.First(f => f.Mnemonic == mnemonic && f.Format == format && f.Operands.Length == operands
                                          && !f.Has(InsnFlags.ParseOnly));

    [Fact]
    public void Alloc_encodes_i_l_o_r_as_sof_sol_sor()
    {
        var alloc = Row("alloc", "M34", 6);
        var ins = new Instruction(alloc, 0, new long[] { 5, 0, 2, 3, 4, 8 });
        Assert.Equal(0x02c08512140UL, InstructionEncoder.Encode(ins).Slot); // alloc r5=ar.pfs,2,3,4,8

        // The split of sol between inputs and locals is lost: decoding gives i = 0.
        var back = Decode(0x02c08512140UL);
        Assert.Equal(new long[] { 5, 0, 0, 5, 4, 8 }, back.Values);
        Assert.True(back.Form.Has(InsnFlags.FirstInGroup));
    }

    [Theory]
    [InlineData(50, 40, 7, 0, "exceeds 96")]
    [InlineData(0, 0, 8, 4, "multiple of 8")]
    [InlineData(0, 0, 8, 16, "exceeds the frame size")]
    public void Alloc_rejects_bad_frames(long i, long l, long o, long r, string message)
    {
        var alloc = Row("alloc", "M34", 6);
        var err = InstructionEncoder.TryEncode(new Instruction(alloc, 0, new long[] { 5, 0, i, l, o, r }), out _);
        Assert.NotNull(err);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Alloc_cannot_be_predicated()
    {
        var alloc = Row("alloc", "M34", 6);
        Assert.NotNull(InstructionEncoder.TryEncode(new Instruction(alloc, 3, new long[] { 5, 0, 1, 1, 1, 0 }), out _));
    }

    [Theory]
    [InlineData(0x08488000000UL, 16)]  // fetchadd4.acq r0=[r0],16
    [InlineData(0x0848870c140UL, -4)]  // fetchadd4.acq r5=[r7],-4
    public void Fetchadd_increment_comes_from_the_bits(ulong slot, long inc)
    {
        var ins = Decode(slot);
        Assert.StartsWith("fetchadd4.acq", ins.Form.Mnemonic);
        Assert.Equal(inc, ins.Values[2]);
    }

    [Theory]
    [InlineData(0x02112c00140UL, InsnFlags.Sensitive)]                             // mov r5=ar.itc
    [InlineData(0x02152c0c000UL, InsnFlags.Privileged | InsnFlags.Sensitive)]      // mov ar.itc=r6
    [InlineData(0x00142c0a000UL, InsnFlags.Privileged | InsnFlags.Sensitive)]      // mov ar.itc=5
    [InlineData(0x020b8700140UL, InsnFlags.Sensitive)]                             // mov r5=cpuid[r7]
    [InlineData(0x020a8700140UL, InsnFlags.Sensitive)]                             // mov r5=pmd[r7]
    [InlineData(0x02100700140UL, InsnFlags.None)]                                  // mov r5=dahr[r7]
    [InlineData(0x02120300140UL, InsnFlags.Privileged)]                            // mov r5=cr3
    public void System_moves_carry_their_flags(ulong slot, InsnFlags expected)
    {
        const InsnFlags mask = InsnFlags.Privileged | InsnFlags.Sensitive;
        Assert.Equal(expected, Decode(slot).Form.Flags & mask);
    }

    [Fact]
    public void Kernel_register_writes_are_privileged_and_print_as_gnu_does()
    {
        var ins = Decode(0x0215030c000UL); // mov.m ar.k3=r6
        Assert.True(ins.Form.Has(InsnFlags.Privileged));
        Assert.Equal("mov.m ar.k3=r6", Formatter.Format(ins, 0));
    }

    [Theory]
    [InlineData("itc.d", InsnFlags.Privileged | InsnFlags.LastInGroup)]
    [InlineData("itc.i", InsnFlags.Privileged | InsnFlags.LastInGroup)]
    [InlineData("ptc.g", InsnFlags.Privileged | InsnFlags.LastInGroup)]
    [InlineData("ptc.ga", InsnFlags.Privileged | InsnFlags.LastInGroup)]
    [InlineData("itr.d", InsnFlags.Privileged)]
    [InlineData("ptc.l", InsnFlags.Privileged)]
    [InlineData("flushrs", InsnFlags.FirstInGroup)]
    [InlineData("loadrs", InsnFlags.FirstInGroup)]
    [InlineData("thash", InsnFlags.Sensitive)]
    [InlineData("ttag", InsnFlags.Sensitive)]
    [InlineData("fc", InsnFlags.Sensitive)]
    [InlineData("probe.r.fault", InsnFlags.None)]
    [InlineData("sum", InsnFlags.None)]
    [InlineData("ssm", InsnFlags.Privileged)]
    public void Placement_and_privilege_flags(string mnemonic, InsnFlags expected)
    {
        const InsnFlags mask = InsnFlags.Privileged | InsnFlags.Sensitive | InsnFlags.FirstInGroup | InsnFlags.LastInGroup;
        var f = InstructionTable.Forms.First(x => x.Mnemonic == mnemonic && x.Unit == Unit.M);
        Assert.Equal(expected, f.Flags & mask);
    }

    [Fact]
    public void Extended_hints_of_the_9500_decode()
    {
        Assert.Equal("ld1.d4", Decode(0x080053815c0UL).Form.Mnemonic); // ld1.d4 r87=[r83]: third hint bit 19
        Assert.Equal("st1.d5", Decode(0x08c1070d000UL).Form.Mnemonic); // st1.d5 [r7]=r6: third hint bit 12
    }

    [Fact]
    public void Base_update_rules()
    {
        var ldInc = Row("ld8", "M3", 3);
        Assert.NotNull(InstructionEncoder.TryEncode(new Instruction(ldInc, 0, new long[] { 5, 0, 8 }), out _)); // [r0] updated
        Assert.NotNull(InstructionEncoder.TryEncode(new Instruction(ldInc, 0, new long[] { 5, 5, 8 }), out _)); // r1 == r3
        Assert.Null(InstructionEncoder.TryEncode(new Instruction(ldInc, 0, new long[] { 5, 7, 8 }), out var w));
        Assert.Equal(0x0a0c0710140UL, w.Slot); // ld8 r5=[r7],8

        var ldfps = Row("ldfps", "M11", 3);
        Assert.NotNull(InstructionEncoder.TryEncode(new Instruction(ldfps, 0, new long[] { 5, 7, 7 }), out _));  // both odd
        Assert.NotNull(InstructionEncoder.TryEncode(new Instruction(ldfps, 0, new long[] { 14, 107, 7 }), out _)); // mixed banks
        Assert.Null(InstructionEncoder.TryEncode(new Instruction(ldfps, 0, new long[] { 5, 6, 7 }), out w));
        Assert.Equal(0x0c08870c140UL, w.Slot); // ldfps f5,f6=[r7]
    }
}
