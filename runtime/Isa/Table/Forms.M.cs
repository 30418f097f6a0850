using System;

namespace IvtGen.Isa;

/// <summary>
/// M-unit rows (SDM vol. 3 §4.4, formats M1–M48), plus the M-unit extensions of the Itanium 9500 series
/// that GNU as 2.40 knows (access hints .d1–.d7, lfetch.count, the data access hint registers).
/// The rows are split by area:
/// <list type="bullet">
/// <item>Forms.M.Memory.cs — integer loads and stores, semaphores, getf (majors 4 and 5);</item>
/// <item>Forms.M.Float.cs — floating-point loads and stores, load pairs, lfetch, setf (majors 6 and 7);</item>
/// <item>Forms.M.System.cs — majors 0 and 1: checks, memory ordering, register stack, application, control and
///   indirect registers, PSR, translation caches and registers, probes, alloc.</item>
/// </list>
/// Mnemonics and completer order follow GNU as 2.40; the bits were checked against its output form by form.
/// </summary>
public static partial class InstructionTable
{
    static partial void AddM(TableBuilder b)
    {
        AddMGroups(b);
        AddMIntegerMemory(b);
        AddMFloatMemory(b);
        AddMSystem(b);
    }

    /// <summary>
    /// Completer groups shared by the M-unit memory rows. Hint fields come in two shapes: the two-bit hint of
    /// bits 28–29 (every format that has one), and in the formats whose r1 or r2 field is unused
    /// (M1, M4, M6, M9, M13–M15) a third hint bit — bit 19 where r2 is free, bit 12 where r1 is free —
    /// which the Itanium 9500 uses for the access hints .d4–.d7. GNU as 2.40 spells hint 1–3 there both
    /// ways (.nt1/.d1, .nt2/.d2, .nta/.d3); the spelling objdump prints is the plain option, the other a
    /// parse-only alias.
    /// </summary>
    private static void AddMGroups(TableBuilder b)
    {
        var hint2 = Field.Bits(28, 2);
        var hint3r2 = new Field(new BitRange(28, 2), new BitRange(19, 1)); // third bit in the unused r2 field
        var hint3r1 = new Field(new BitRange(28, 2), new BitRange(12, 1)); // third bit in the unused r1 field

        // Load hints (SDM table 4-33 "ldhint": none, .nt1, .nta; 2 is reserved there).
        b.Group("m.ldhint", hint2, ("", 0), (".nt1", 1), (".nta", 3));
        // Load hints where the 9500 extension applies (M1, M6): objdump prints .nt1, .d2, .nta, .d4–.d7.
        b.Group("m.ldhintx", hint3r2, ("", 0), (".nt1", 1), ("~.d1", 1), (".d2", 2), ("~.nt2", 2),
            (".nta", 3), ("~.d3", 3), (".d4", 4), (".d5", 5), (".d6", 6), (".d7", 7));
        // Store hints (SDM "sthint": none, .nta).
        b.Group("m.sthint", hint2, ("", 0), (".nta", 3));
        // Store hints with the 9500 extension (M4, M9): objdump prints .d1, .d2, .nta, .d4–.d7.
        b.Group("m.sthintx", hint3r1, ("", 0), (".d1", 1), ("~.nt1", 1), (".d2", 2), ("~.nt2", 2),
            (".nta", 3), ("~.d3", 3), (".d4", 4), (".d5", 5), (".d6", 6), (".d7", 7));
        // lfetch hints (SDM "lfhint": none, .nt1, .nt2, .nta) with the 9500 extension (all of M13–M15).
        b.Group("m.lfhint", hint3r1, ("", 0), (".nt1", 1), ("~.d1", 1), (".nt2", 2), ("~.d2", 2),
            (".nta", 3), ("~.d3", 3), (".d4", 4), (".d5", 5), (".d6", 6), (".d7", 7));
    }

    /// <summary>
    /// Register rules between operands that no single field expresses, checked on encode and on decode (an
    /// encoding that breaks them raises an Illegal Operation fault, and GNU as warns about it). The operands keep
    /// their own fields; this codec writes no bits, so the compiled encoding takes its rules over (<see cref="IFormCodecRules"/>).
    /// </summary>
    private sealed class MRegRules : IFormCodec, IFormCodecRules
    {
        private readonly (OperandRule Rule, string Message)[] _rules;

        private MRegRules(params (OperandRule, string)[] rules) => _rules = rules;

        /// <summary>
        /// Operand <paramref name="index"/> is the [r3] of a base-update form: r3 is written, so it cannot be r0
        /// (GNU: "Invalid use of `r0' as base update address operand").
        /// </summary>
        public static MRegRules BaseUpdate(int index) =>
            new((OperandRule.NotZero(index), "r0 cannot be the base of a base-update form (it would be written)"));

        /// <summary>No base update, only a load-pair rule.</summary>
        public static MRegRules None() => new();

        /// <summary>Operands <paramref name="a"/> and <paramref name="b"/> must be different registers (GNU: "Invalid duplicate use").</summary>
        public MRegRules Distinct(int a, int b) =>
            With((OperandRule.Distinct(a, b), "the target and the updated base register must differ"));

        /// <summary>
        /// Operands <paramref name="a"/> and <paramref name="b"/> are the targets of a load pair: one odd and one even
        /// register (GNU: "Invalid simultaneous use"). The rule is on physical registers; GNU can only check it when
        /// both are static (f0–f31) or both rotating (f32–f127) and warns "Dangerous simultaneous use" otherwise,
        /// so we refuse that case too.
        /// </summary>
        public MRegRules Pair(int a, int b) => With(
            (OperandRule.SameBank(a, b), "the two targets of a load pair must both be static (f0-f31) or both rotating (f32-f127)"),
            (OperandRule.OddAndEven(a, b), "the two targets of a load pair must be one odd and one even register"));

        private MRegRules With(params (OperandRule, string)[] more)
        {
            var all = new (OperandRule, string)[_rules.Length + more.Length];
            _rules.CopyTo(all, 0);
            more.CopyTo(all, _rules.Length);
            return new MRegRules(all);
        }

        public OperandRule[] Rules => Array.ConvertAll(_rules, r => r.Rule);
        public CodedField[] Fields => Array.Empty<CodedField>();

        private string? Check(long[] v)
        {
            foreach (var (rule, message) in _rules)
                if (!rule.Holds(v)) return message;
            return null;
        }

        public string? Encode(long[] values, ref InsnWord word) => Check(values);

        public bool Decode(in InsnWord word, long[] values) => Check(values) is null;
    }
}
