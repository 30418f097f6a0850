using IvtGen.Isa;
using Xunit;

namespace IvtGen.Tests.Gnu;

/// <summary>One instruction as a user writes it, assembled by GNU as and by us: the same bytes, or refused by both.</summary>
public static class GnuSpelling
{
    public static void AssertSameBytes(string instruction)
    {
        string source = $"\t.text\n\t{instruction} ;;\n";
        var gnu = GnuBinutils.Assemble(source);
        Assert.True(gnu.Text is not null, gnu.Stderr);
        var ours = Assembler.Assemble(source);
        Assert.False(ours.HasErrors, string.Join("\n", ours.Diagnostics));
        Assert.Equal(gnu.Text, ours.Code);
    }

    /// <summary>Both refuse it; returns our first message.</summary>
    public static string AssertBothRefuse(string instruction)
    {
        string source = $"\t.text\n\t{instruction} ;;\n";
        Assert.Null(GnuBinutils.Assemble(source).Text);
        var ours = Assembler.Assemble(source);
        Assert.True(ours.HasErrors);
        return ours.Diagnostics[0].Message;
    }
}
