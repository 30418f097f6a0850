using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>
/// Register dependencies inside an instruction group (SDM vol. 2 §3.4, as GNU as checks them with -x):
/// a read after a write (RAW) or two writes (WAW) of the same GR, FR, PR, BR, AR or CR in one group, and of
/// the resources no operand names (<see cref="ImplicitResources"/>: PSR fields, control registers itc or rfi
/// use). Allowed, as the architecture allows: a branch predicated on a predicate a compare wrote in the same
/// group, and parallel compares of one type (.and/.or/.or.andcm) writing the same predicate.
/// </summary>
public static class DependencyChecker
{
    /// <summary>How many resources <see cref="Resource"/> numbers.</summary>
    internal const int ResourceCount = 584;

    /// <summary>A spill or fill without a .mem.offset note: which bit of ar.unat it uses is not known.</summary>
    internal const int NoUnatBit = -1;

    // ar.unat, which spills write and fills read a bit of.
    private const int ArUnat = 36;

    /// <summary>Resources numbered in all: the registers, then one per row of <see cref="ImplicitResources"/>.</summary>
    internal static readonly int AllResources = ResourceCount + ImplicitResources.Rows.Count;

    /// <summary>Resource numbering: GR 0–127, FR 128–255, PR 256–319, BR 320–327, AR 328–455, CR 456–583.</summary>
    public static int Resource(OperandKind kind, long n) => kind switch
    {
        OperandKind.Gr => (int)n,
        OperandKind.Fr => 128 + (int)n,
        OperandKind.Pr => 256 + (int)n,
        OperandKind.Br => 320 + (int)n,
        OperandKind.Ar => 328 + (int)n,
        OperandKind.Cr => 456 + (int)n,
        _ => -1,
    };

    public static string ResourceName(int r) => r switch
    {
        >= ResourceCount => ImplicitResources.Name(r - ResourceCount),
        < 128 => "r" + r.ToString(CultureInfo.InvariantCulture),
        < 256 => "f" + (r - 128).ToString(CultureInfo.InvariantCulture),
        < 320 => "p" + (r - 256).ToString(CultureInfo.InvariantCulture),
        < 328 => "b" + (r - 320).ToString(CultureInfo.InvariantCulture),
        < 456 => Registers.ArName(r - 328),
        _ => Registers.CrName(r - 456),
    };

    /// <summary>
    /// What the checks need to know of a form, worked out once per form from its operand list: the registers it
    /// reads and writes as short tables, so that checking an instruction is a loop over a few ints rather than a
    /// switch over all its operands (the group checks look at every instruction of a long listing).
    /// </summary>
    internal sealed class FormFacts
    {
        /// <summary>
        /// What it reads and writes, in operand order (the order violations are reported in): each entry is
        /// <c>base &lt;&lt; 4 | operand</c>, the resource being <c>base + value of operand</c>, or for a fixed token
        /// (ar.ccv) operand <see cref="NoOperand"/> and the resource <c>base</c> itself. The qualifying predicate,
        /// read by every instruction, is not in the table.
        /// </summary>
        public int[] Reads = Array.Empty<int>(), Writes = Array.Empty<int>();
        /// <summary>
        /// What it writes, as <see cref="Effects"/> reports it. The same as <see cref="Writes"/> but for branches and
        /// rfi, whose writes the group checks leave out (a later instruction of the group never sees them).
        /// </summary>
        public int[] EffectWrites = Array.Empty<int>(), EffectReads = Array.Empty<int>();
        /// <summary>
        /// A check load (ld.c, ldf.c, ldfp.c): its target (operand <see cref="CheckTarget"/>) is no RAW dependency for a
        /// later reader, only WAW; so is an integer one's post-incremented base (an FP one's is as any write).
        /// </summary>
        public bool WritesNotRead;
        public int CheckTarget = -1;
        public bool CheckTargetIsFr;
        /// <summary>Its qualifying predicate is read as a branch reads it: one an integer compare of the group wrote is allowed.</summary>
        public bool BranchReadsQp;
        /// <summary>cmp, cmp4, tbit, tnat, mov pr=: a branch may consume what it writes in the same group (not so an FP compare's).</summary>
        public bool IntegerPredicateWriter;
        /// <summary>mov r=pr, which reads every predicate.</summary>
        public bool ReadsAllPredicates;
        /// <summary>br.ia, which reads every application register (GNU as lists it among every AR's readers).</summary>
        public bool ReadsAllAppRegs;
        /// <summary>
        /// mov pr=r2,mask (the predicates of the mask: bits 1–15 one each, bit 16 p16–p63), its alias mov pr=r2 (all),
        /// mov pr.rot=imm (p16–p63, whatever the value, as GNU as counts it): <see cref="PrMask"/>, <see cref="PrAll"/>,
        /// <see cref="PrRotating"/>; 0 for other forms. <see cref="PredicateMaskOperand"/> is the mask's operand.
        /// </summary>
        public int PredicateWrites, PredicateMaskOperand;
        public const int PrMask = 1, PrAll = 2, PrRotating = 3;
        /// <summary>mov b=r (I21), and the indirect branches (B4, B5): a branch may read a BR a move of its group wrote.</summary>
        public bool MovToBr, IndirectBranch;
        /// <summary>Its qualifying predicate is in none of GNU as's classes of predicate readers (br.ia, hint, rum…): not checked.</summary>
        public bool QpNotRead;
        /// <summary>
        /// For each of its (first two) predicate targets, GNU as's side of a write after a write: 1 for the "and" parallel
        /// compares, 2 for the "or" ones, 3 for any other write (both); and for .or.andcm/.and.orcm the target's compare
        /// type (<see cref="CmpOr"/>, <see cref="CmpAnd"/>), under which two writes of one type never conflict.
        /// </summary>
        public int PrSide0 = 3, PrSide1 = 3, PrType0, PrType1;
        /// <summary>A loop branch that writes p63 (br.ctop, br.cexit, br.wtop, br.wexit): GNU as sees no conflict of that write with a .unc compare's.</summary>
        public bool ModSched;
        /// <summary>What a branch would write (a call's BR): checked against the group's earlier writes (WAW), never recorded.</summary>
        public int[] WawOnlyWrites = Array.Empty<int>();
        public const int CmpOr = 1, CmpAnd = 2;
        /// <summary>
        /// The rows of <see cref="ImplicitResources"/> it writes, and those it reads (or writes again: the second
        /// writer of a WAW row), each under a condition on the operand values. Writes are rare (rsm, ssm, mov psr.l=,
        /// moves to some CRs, FP writes); reads are checked only in a group where some instruction wrote a row.
        /// </summary>
        public ImplicitResources.Use[] ImplicitWrites = Array.Empty<ImplicitResources.Use>(), ImplicitReads = Array.Empty<ImplicitResources.Use>();
        /// <summary>The operands that are predicate targets, in order.</summary>
        public int[] PredicateTargets = Array.Empty<int>();
        /// <summary>
        /// The type of a parallel compare or test (.and, .or, .or.andcm), 0 for other forms: such a compare makes no
        /// exclusive pair of its targets. (Which writes of one predicate conflict is <see cref="PrSide0"/>'s.)
        /// </summary>
        public int Parallel;
        public bool Unconditional;
        /// <summary>The loop branches and clrrrb, which rotate p16–p63: their relations are forgotten (GNU as: MOD_RRBS).</summary>
        public bool RotatesPredicates;
        /// <summary>mov pr=… / mov pr.rot=…, which rewrite many predicates.</summary>
        public bool RewritesPredicates;
        /// <summary>Executing it may change the predicate relations (it writes a predicate, or rewrites them all).</summary>
        public bool TouchesPredicates;
        /// <summary>
        /// What it does to the dependencies of its group, as GNU as sees it: <see cref="EndsPathUnpredicated"/> (GNU's
        /// conditional branches: predicated, they take away what was written on their predicate), <see cref="EndsPath"/>;
        /// 0 for most.
        /// </summary>
        public int Flow;

        /// <summary><see cref="Flow"/>: a branch that is taken when unpredicated (br, br.cond, br.call, br.ret, brl): after it nothing of its group is seen.</summary>
        public const int EndsPathUnpredicated = 1;
        /// <summary><see cref="Flow"/>: br.ia and rfi, which always leave.</summary>
        public const int EndsPath = 2;
        /// <summary>br.call, brl.call: when predicated, forgets less than other branches (see GroupCheck.AfterBranch).</summary>
        public bool IsCall;
        /// <summary>
        /// How it uses ar.unat's bits (<see cref="UnatSpill"/>, <see cref="UnatFill"/>, or a move to or from an application
        /// register, which is one of ar.unat when operand <see cref="UnatOperand"/> is 36); 0 for most.
        /// </summary>
        public int Unat;
        public int UnatOperand;
        public const int UnatSpill = 1, UnatFill = 2, UnatMoveTo = 3, UnatMoveFrom = 4, UnatPseudoTo = 5, UnatPseudoFrom = 6;
        /// <summary>
        /// For the overlap filter: it may write an implicit resource (rows or ar.unat's bits), or may read one an earlier
        /// member wrote. Any such pair is left to the full check.
        /// </summary>
        public bool MarksImplicit, ChecksImplicit;
        /// <summary>What a group holding it needs looked at beyond its registers: <see cref="ChangesRelations"/>, <see cref="PlacementRule"/>.</summary>
        public int Attention;

        /// <summary><see cref="Attention"/>: it may change the predicate relations (<see cref="TouchesPredicates"/>).</summary>
        public const int ChangesRelations = 1;
        /// <summary><see cref="Attention"/>: it must be first or last in its group.</summary>
        public const int PlacementRule = 2;
        /// <summary><see cref="Attention"/>: it may write what only serialization settles (<see cref="SerializationChecker"/>).</summary>
        public const int Serializing = 4;
    }

    /// <summary>The operand index of a table entry that names its resource outright.</summary>
    private const int NoOperand = 15;

    // Formats whose memory operand's base register is also updated (post-increment).
    private static readonly HashSet<string> s_postIncrement = new(StringComparer.Ordinal) { "M2", "M3", "M5", "M7", "M8", "M10", "M12", "M14", "M15" };

    /// <summary>Per form id, made when the form is first checked (two threads may make one at once; either copy does).</summary>
    private static readonly FormFacts?[] s_facts = new FormFacts?[InstructionTable.Forms.Count];

    // Inlined into the group checks, which ask for every instruction: the slow path (once per form) stays out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FormFacts FactsOf(Form f) => s_facts[f.Id] ?? MakeFacts(f.Id);

    /// <summary>The facts of the form with id <paramref name="formId"/>: for callers that hold the id, not the form (whose object need not be read then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FormFacts FactsOf(int formId) => s_facts[formId] ?? MakeFacts(formId);

    /// <summary>The table <see cref="FactsOf(int)"/> reads, for a loop over every instruction to keep at hand.</summary>
    internal static FormFacts?[] Facts => s_facts;

    /// <summary><see cref="FactsOf(int)"/> from <see cref="Facts"/>, kept at hand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FormFacts FactsOf(FormFacts?[] facts, int formId) => facts[formId] ?? MakeFacts(formId);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static FormFacts MakeFacts(int formId) => s_facts[formId] = BuildFacts(InstructionTable.Forms[formId]);

    private static FormFacts BuildFacts(Form f)
    {
        var ops = f.Operands;
        var reads = new List<int>();
        var writes = new List<int>();
        var targets = new List<int>();
        bool postIncrement = s_postIncrement.Contains(f.Format);
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            switch (op.Kind)
            {
                case OperandKind.Gr or OperandKind.Fr or OperandKind.Pr or OperandKind.Br or OperandKind.Ar or OperandKind.Cr:
                    (op.IsOutput ? writes : reads).Add(Resource(op.Kind, 0) << 4 | i);
                    if (op.Kind == OperandKind.Pr && op.IsOutput) targets.Add(i);
                    break;
                case OperandKind.Mem:
                    reads.Add(i);
                    if (postIncrement) writes.Add(i);
                    break;
                case OperandKind.Indirect:
                    reads.Add(i);
                    break;
                case OperandKind.Fixed when op.Text!.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(op.Text.Substring(3), out int ar):
                    (op.IsOutput ? writes : reads).Add(Resource(OperandKind.Ar, ar) << 4 | NoOperand);
                    break;
            }
        }
        bool rewrites = f.Mnemonic is "mov" && ops.Length > 0 && ops[0].Kind == OperandKind.Fixed && ops[0].Text!.StartsWith("pr", StringComparison.Ordinal);
        // What it reads and writes in truth, as Effects reports it (the analyzers' dataflow); the lists the checks use
        // follow GNU as's tables below, where those leave a register out or add one no operand names.
        var effectReads = reads.ToArray();
        var effectWrites = writes.ToArray();
        GnuView(f, reads, writes);
        var (implicitWrites, implicitReads) = ImplicitResources.UsesOf(f);
        // How it uses ar.unat's bits, as GNU as sees it. br.ia reads them all. A plain "mov" naming an AR both units reach
        // (ar48–63, ar112–127) stays GNU's unit-less pseudo-op, which its tables count as every kind of AR move, and its
        // checks then take a move from such an AR for a write of unknown bits (a spill without a note) and a move to one
        // for such a read (see FormFacts.UnatPseudoFrom); a move naming ar.unat itself is just that.
        int unatOperand = Array.FindIndex(ops, o => o.Kind == OperandKind.Ar);
        int unat = f.Mnemonic.StartsWith("st8.spill", StringComparison.Ordinal) ? FormFacts.UnatSpill
            : f.Mnemonic.StartsWith("ld8.fill", StringComparison.Ordinal) || f.Mnemonic.StartsWith("br.ia", StringComparison.Ordinal) ? FormFacts.UnatFill
            : unatOperand < 0 ? 0
            : f.Mnemonic == "mov" ? (ops[unatOperand].IsOutput ? FormFacts.UnatPseudoTo : FormFacts.UnatPseudoFrom)
            : f.Format is "M29" or "M30" ? FormFacts.UnatMoveTo : f.Format == "M31" ? FormFacts.UnatMoveFrom : 0;
        bool lasting = f.Format == "M32" || Array.Exists(implicitWrites, u => ImplicitResources.Rows[u.Row].Semantics is ImplicitResources.Semantics.Data
            or ImplicitResources.Semantics.Instr or ImplicitResources.Semantics.Other);
        bool conditional = IsConditionalBranch(f.Mnemonic);
        int maskOperand = rewrites ? Array.FindIndex(ops, o => o.Kind == OperandKind.Imm) : -1;
        var sides = PredicateSides(f.Mnemonic);
        if (rewrites && ops[0].Text == "pr.rot") maskOperand = -1;
        var wawOnly = conditional ? writes.ToArray() : Array.Empty<int>();
        // The loop branches and clrrrb change the rotating register base: what was known of p16–p63 no longer holds.
        bool modSched = IsModSched(f.Mnemonic);
        bool rotates = modSched || f.Mnemonic.StartsWith("clrrrb", StringComparison.Ordinal);
        bool checkLoad = IsCheckLoad(f.Mnemonic);
        if (conditional || f.Mnemonic == "rfi")
        {
            // A branch writes only when taken, and then the path leaves the group: what it writes is never seen after
            // it in its group (GNU as records only its qualifying predicate's read).
            writes.Clear();
            implicitWrites = Array.Empty<ImplicitResources.Use>();
        }
        return new FormFacts
        {
            Reads = reads.ToArray(),
            Writes = writes.ToArray(),
            EffectWrites = effectWrites,
            EffectReads = effectReads,
            WritesNotRead = checkLoad,
            CheckTarget = checkLoad ? Array.FindIndex(ops, o => o.IsOutput && o.Kind is OperandKind.Gr or OperandKind.Fr) : -1,
            CheckTargetIsFr = checkLoad && Array.Exists(ops, o => o.IsOutput && o.Kind == OperandKind.Fr),
            BranchReadsQp = IsPrReaderBr(f.Mnemonic),
            IntegerPredicateWriter = rewrites || IsIntegerCompare(f.Mnemonic),
            ReadsAllPredicates = f.Mnemonic == "mov" && ops.Length == 2 && ops[1].Kind == OperandKind.Fixed && ops[1].Text == "pr",
            ReadsAllAppRegs = f.Mnemonic.StartsWith("br.ia", StringComparison.Ordinal),
            // GNU as counts the predicates of a mask only: its "mov pr=r2" without one writes none as it sees it.
            PredicateWrites = !rewrites ? 0 : ops[0].Text == "pr.rot" ? FormFacts.PrRotating : maskOperand >= 0 ? FormFacts.PrMask : 0,
            PredicateMaskOperand = maskOperand,
            MovToBr = f.Format == "I21",
            ModSched = modSched,
            WawOnlyWrites = wawOnly,
            QpNotRead = QpNotReadByGnu(f),
            PrSide0 = sides.Side0, PrSide1 = sides.Side1, PrType0 = sides.Type0, PrType1 = sides.Type1,
            IndirectBranch = f.Format is "B4" or "B5",
            ImplicitWrites = implicitWrites,
            ImplicitReads = implicitReads,
            PredicateTargets = targets.ToArray(),
            Parallel = ParallelType(f),
            Unconditional = f.Mnemonic.Contains(".unc"),
            RewritesPredicates = rewrites,
            TouchesPredicates = rewrites || targets.Count > 0 || rotates,
            RotatesPredicates = rotates,
            Flow = f.Mnemonic == "rfi" || f.Mnemonic.StartsWith("br.ia", StringComparison.Ordinal) ? FormFacts.EndsPath
                : conditional ? FormFacts.EndsPathUnpredicated : 0,
            IsCall = conditional && f.Mnemonic.Contains(".call"),
            Unat = unat,
            UnatOperand = unatOperand,
            MarksImplicit = implicitWrites.Length != 0 || unat is FormFacts.UnatSpill or FormFacts.UnatMoveTo or FormFacts.UnatPseudoTo or FormFacts.UnatPseudoFrom,
            ChecksImplicit = implicitReads.Length != 0 || unat != 0,
            Attention = (rewrites || targets.Count > 0 || rotates ? FormFacts.ChangesRelations : 0)
                | (f.Has(InsnFlags.FirstInGroup) || f.Has(InsnFlags.LastInGroup) ? FormFacts.PlacementRule : 0)
                | (lasting && implicitWrites.Length + writes.Count > 0 ? FormFacts.Serializing : 0),
        };
    }

    /// <summary>
    /// Where GNU as's tables (binutils' ia64-raw.tbl and ia64-ic.tbl, which its -x checks follow) see other registers
    /// than the operands name, the checks follow them, so the two assemblers warn alike:
    /// <list type="bullet">
    /// <item>the loop branches write p63 and ar.ec (br.ctop, br.cexit, br.wtop, br.wexit) and ar.lc (br.ctop, br.cexit,
    /// br.cloop), and read what they write; br.call and brl.call read ar.ec (to save it in ar.pfs);</item>
    /// <item>ldfp's second target, fpcmp's registers, and fcmp.ord/fcmp.unord's sources and targets are in none of its
    /// classes of FR readers, FR writers and PR writers; nor is a plain lfetch's base (only a post-incremented one).</item>
    /// </list>
    /// </summary>
    private static void GnuView(Form f, List<int> reads, List<int> writes)
    {
        string m = f.Mnemonic;
        var ops = f.Operands;
        int pr0 = Resource(OperandKind.Pr, 0) << 4, fr0 = Resource(OperandKind.Fr, 0) << 4;
        void Drop(List<int> list, int kindBase, Func<int, bool> which) =>
            list.RemoveAll(e => (e & ~15) == kindBase && (e & 15) != NoOperand && which(e & 15));
        if (m.StartsWith("fpcmp", StringComparison.Ordinal))
        {
            Drop(reads, fr0, _ => true);
            Drop(writes, fr0, _ => true);
        }
        if (m.StartsWith("fcmp.ord", StringComparison.Ordinal) || m.StartsWith("fcmp.unord", StringComparison.Ordinal))
        {
            Drop(reads, fr0, _ => true);
            Drop(writes, pr0, _ => true);
        }
        if (m.StartsWith("ldfp", StringComparison.Ordinal))
        {
            // The second target: the FR output after the first.
            int first = Array.FindIndex(ops, o => o.Kind == OperandKind.Fr && o.IsOutput);
            Drop(writes, fr0, i => i > first && ops[i].Kind == OperandKind.Fr);
        }
        if (m.StartsWith("lfetch", StringComparison.Ordinal) && f.Format == "M13") reads.RemoveAll(e => (e & 15) != NoOperand && ops[e & 15].Kind == OperandKind.Mem);
        // chk.a and invala.e name a register they read in no class of GNU's; nor do Itanium 9500's mpy4 and mpyshl4 theirs.
        if (m.StartsWith("chk.a", StringComparison.Ordinal) || m == "invala.e") reads.RemoveAll(e => (e & 15) != NoOperand);
        if (m is "mpy4" or "mpyshl4")
        {
            reads.RemoveAll(e => (e & 15) != NoOperand);
            writes.RemoveAll(e => (e & 15) != NoOperand);
        }
        bool modSched = IsModSched(m);
        bool counted = m.StartsWith("br.ctop", StringComparison.Ordinal) || m.StartsWith("br.cexit", StringComparison.Ordinal) || m.StartsWith("br.cloop", StringComparison.Ordinal);
        int ec = Resource(OperandKind.Ar, 66) << 4 | NoOperand, lc = Resource(OperandKind.Ar, 65) << 4 | NoOperand;
        if (modSched)
        {
            reads.Add(ec);
            writes.Add(Resource(OperandKind.Pr, 63) << 4 | NoOperand);
            writes.Add(ec);
        }
        if (counted)
        {
            reads.Add(lc);
            writes.Add(lc);
        }
        if (m.StartsWith("br.call", StringComparison.Ordinal) || m.StartsWith("brl.call", StringComparison.Ordinal)) reads.Add(ec);
        // br.ret restores ar.ec (a write a later instruction never sees, being a branch's: checked for WAW only).
        if (m.StartsWith("br.ret", StringComparison.Ordinal)) writes.Add(ec);
        // ld16 writes ar.csd and st16 and cmp8xchg16 read it, whether or not the source names it.
        int csd = Resource(OperandKind.Ar, 25) << 4 | NoOperand;
        if (m.StartsWith("ld16", StringComparison.Ordinal) && !writes.Contains(csd)) writes.Add(csd);
        if ((m.StartsWith("st16", StringComparison.Ordinal) || m.StartsWith("cmp8xchg16", StringComparison.Ordinal)) && !reads.Contains(csd)) reads.Add(csd);
    }

    /// <summary>GNU as's sides of a predicate write after a write (FormFacts.PrSide0…): only its integer compares have "and" and "or" sides.</summary>
    private static (int Side0, int Side1, int Type0, int Type1) PredicateSides(string m)
    {
        if (!IsIntegerCompare(m)) return (3, 3, 0, 0);
        if (m.Contains(".or.andcm")) return (3, 3, FormFacts.CmpOr, FormFacts.CmpAnd);
        if (m.Contains(".and.orcm")) return (3, 3, FormFacts.CmpAnd, FormFacts.CmpOr);
        if (m.EndsWith(".and", StringComparison.Ordinal) || m.EndsWith(".andcm", StringComparison.Ordinal)) return (1, 1, 0, 0);
        if (m.EndsWith(".or", StringComparison.Ordinal) || m.EndsWith(".orcm", StringComparison.Ordinal)) return (2, 2, 0, 0);
        return (3, 3, 0, 0);
    }

    /// <summary>Forms whose qualifying predicate GNU as's classes of predicate readers leave out, so its checks never read it.</summary>
    internal static bool QpNotReadByGnu(Form f)
    {
        string m = f.Mnemonic;
        // Unit-less break, nop and hint, rum, and Itanium 9500's mpy4, mpyshl4 and dahr moves.
        return m is "rum" or "hint" or "break" or "nop" or "mpy4" or "mpyshl4"
            || Array.Exists(f.Operands, o => o.Text is { } t && t.StartsWith("dahr", StringComparison.Ordinal)
                || o.Symbols is { Length: > 0 } names && names[0].StartsWith("dahr", StringComparison.Ordinal));
    }

    /// <summary>GNU as's mod-sched-brs: the loop branches that write p63 and ar.ec (br.ctop, br.cexit, br.wtop, br.wexit).</summary>
    private static bool IsModSched(string m) =>
        m.StartsWith("br.ctop", StringComparison.Ordinal) || m.StartsWith("br.cexit", StringComparison.Ordinal)
        || m.StartsWith("br.wtop", StringComparison.Ordinal) || m.StartsWith("br.wexit", StringComparison.Ordinal);

    /// <summary>ld.c, ldf.c, ldfp.c (.clr, .nc, .clr.acq): GNU as's check loads.</summary>
    private static bool IsCheckLoad(string m) => m.StartsWith("ld", StringComparison.Ordinal) && (m.Contains(".c.clr") || m.Contains(".c.nc"));

    /// <summary>GNU as's pr-readers-br: the branches (and break.b, nop.b) whose predicate may come from an integer compare of their group.</summary>
    private static bool IsPrReaderBr(string m) =>
        m.StartsWith("break.b", StringComparison.Ordinal) || m.StartsWith("nop.b", StringComparison.Ordinal) || m.StartsWith("hint.b", StringComparison.Ordinal)
        || m.StartsWith("br.ia", StringComparison.Ordinal)
        || m.StartsWith("br.ret", StringComparison.Ordinal) || m.StartsWith("br.wexit", StringComparison.Ordinal) || m.StartsWith("br.wtop", StringComparison.Ordinal)
        || m.StartsWith("brl", StringComparison.Ordinal)
        || (IsConditionalBranch(m) && !m.StartsWith("br.clr", StringComparison.Ordinal));

    /// <summary>GNU as's pr-writers-int: cmp, cmp4, tbit, tnat, tf.</summary>
    private static bool IsIntegerCompare(string m) =>
        m.StartsWith("cmp.", StringComparison.Ordinal) || m.StartsWith("cmp4.", StringComparison.Ordinal)
        || m.StartsWith("tbit.", StringComparison.Ordinal) || m.StartsWith("tnat.", StringComparison.Ordinal) || m.StartsWith("tf.", StringComparison.Ordinal);

    /// <summary>
    /// GNU as's conditional branches (its is_conditional_branch): br, br.cond, br.call, br.ret, the hint-only spellings
    /// (br.sptk.few) and brl; not br.ia, nor the loop branches (br.cloop, br.ctop, br.cexit, br.wtop, br.wexit).
    /// </summary>
    private static bool IsConditionalBranch(string m)
    {
        if (m == "br" || m.StartsWith("brl", StringComparison.Ordinal)) return true;
        if (!m.StartsWith("br.", StringComparison.Ordinal) || m.Length < 4) return false;
        char c = m[3];
        if (c is not ('i' or 'c' or 'w')) return true;
        return m.StartsWith("br.call", StringComparison.Ordinal) || m.StartsWith("br.cond", StringComparison.Ordinal) || m.StartsWith("br.clr", StringComparison.Ordinal);
    }

    /// <summary>Whether an instruction of these facts and qualifying predicate leaves its group's path (nothing it wrote before is seen after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool EndsPath(FormFacts facts, int qp) => facts.Flow == FormFacts.EndsPath || (facts.Flow == FormFacts.EndsPathUnpredicated && qp == 0);

    /// <summary>The registers an instruction reads and writes (fixed-token ARs included, r0/p0/f0/f1 left out).</summary>
    public static void Effects(in Instruction ins, List<int> reads, List<int> writes)
    {
        var facts = FactsOf(ins.Form);
        var values = Narrow(ins.Values, stackalloc int[ParsedSource.MaxOperands]);
        reads.Clear();
        writes.Clear();
        if (ins.Qp != 0) AddOnce(reads, 256 + ins.Qp);
        foreach (int e in facts.EffectReads) AddOnce(reads, ResourceOf(e, values));
        foreach (int e in facts.EffectWrites) AddOnce(writes, ResourceOf(e, values));
    }

    private static void AddOnce(List<int> set, int r)
    {
        if (!IsConstant(r) && !set.Contains(r)) set.Add(r);
    }

    /// <summary>The resource an entry of a <see cref="FormFacts"/> table names, given the operand values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ResourceOf(int entry, ReadOnlySpan<int> values)
    {
        int operand = entry & 15;
        return (entry >> 4) + (operand == NoOperand ? 0 : values[operand]);
    }

    /// <summary>
    /// Operand values as the int the checks use: <see cref="Resource"/> takes a register number as an int, so this
    /// changes no resource; and ParsedSource keeps values as ints already (the group checks read them in place).
    /// </summary>
    private static ReadOnlySpan<int> Narrow(ReadOnlySpan<long> values, Span<int> buffer)
    {
        var narrow = values.Length <= buffer.Length ? buffer.Slice(0, values.Length) : new int[values.Length];
        for (int i = 0; i < values.Length; i++) narrow[i] = (int)values[i];
        return narrow;
    }

    /// <summary>A violation: instruction <paramref name="Later"/> reads or writes what <paramref name="Earlier"/> wrote.</summary>
    public readonly record struct Violation(int Earlier, int Later, int Resource, bool IsRaw);

    /// <summary>
    /// Pairs of predicates known to be complementary, as GNU as tracks them: a compare that writes both targets
    /// unconditionally (unpredicated, or .unc) makes them mutually exclusive, and two instructions guarded by
    /// exclusive predicates never both execute, so they cannot conflict. Any other write of a predicate, or a
    /// label (control may arrive from elsewhere), forgets what was known about it.
    /// </summary>
    public sealed class PredicateRelations
    {
        // Bit q of row p: p and q are exclusive (kept symmetric). A bit matrix, as there are only 64 predicates.
        private readonly ulong[] _rows = new ulong[64];
        private int _pairs;

        public bool Exclusive(int qa, int qb) =>
            qa != 0 && qb != 0 && qa != qb && (uint)qa < 64 && (uint)qb < 64 && (_rows[qa] >> qb & 1) != 0;

        public void Clear()
        {
            Array.Clear(_rows, 0, _rows.Length);
            _pairs = 0;
        }

        /// <summary>Updates the relations after <paramref name="ins"/> executes.</summary>
        public void After(in Instruction ins) => After(FactsOf(ins.Form), ins.Qp, Narrow(ins.Values, stackalloc int[ParsedSource.MaxOperands]));

        internal void After(FormFacts facts, int qp, ReadOnlySpan<int> values)
        {
            // Most instructions write no predicate: they change nothing here.
            if (!facts.TouchesPredicates) return;
            if (facts.RewritesPredicates)
            {
                Clear();
                return;
            }
            if (facts.RotatesPredicates)
                for (int p = 16; p < 64; p++) Forget(p);
            int targets = 0;
            int first = 0, second = 0;
            foreach (int i in facts.PredicateTargets)
            {
                int p = values[i];
                if (p == 0) continue;
                if (targets == 0) first = p;
                else if (targets == 1) second = p;
                targets++;
                Forget(p);
            }
            if (targets == 2 && facts.Parallel == 0 && (qp == 0 || facts.Unconditional))
                Relate(first, second);
        }

        private void Forget(int p)
        {
            if ((uint)p >= 64) return;
            ulong row = _rows[p];
            while (row != 0)
            {
                int q = TrailingZeros(row);
                row &= row - 1;
                _rows[q] &= ~(1UL << p);
                _pairs--;
            }
            _rows[p] = 0;
        }

        private void Relate(int a, int b)
        {
            if ((uint)a >= 64 || (uint)b >= 64 || (_rows[a] >> b & 1) != 0) return;
            _rows[a] |= 1UL << b;
            _rows[b] |= 1UL << a;
            _pairs++;
        }

        private static int TrailingZeros(ulong x) => BitCount.TrailingZeros(x);
    }

    /// <summary>Finds the violations in one instruction group, given as instructions in execution order.</summary>
    public static List<Violation> Check(IReadOnlyList<Instruction> group, PredicateRelations? relations = null)
    {
        var found = new List<Violation>();
        var check = new GroupCheck();
        Span<int> buffer = stackalloc int[ParsedSource.MaxOperands];
        foreach (var ins in group) check.Add(FactsOf(ins.Form), ins.Qp, Narrow(ins.Values, buffer), relations, found);
        return found;
    }

    /// <summary>
    /// The check of one group, fed an instruction at a time: each is checked against the last writer of every
    /// register it touches. One instance serves group after group without allocating.
    /// </summary>
    internal sealed class GroupCheck
    {
        private readonly int[] _writer = new int[AllResources];
        // _writer[r] belongs to the current group only when _stamp[r] == _group: starting a group costs nothing.
        private readonly int[] _stamp = new int[AllResources];
        private int _group = 1;
        // The group in which some instruction last wrote an implicit resource: until one does, reads of them need no look.
        private int _implicitGroup;
        // The last member that wrote each predicate (or all of them: mov pr=), valid when stamped with the group.
        private readonly int[] _predicateStamp = new int[64], _predicateWriter = new int[64];
        private int _allPredicatesStamp, _allPredicatesWriter;
        private FormFacts[] _facts = new FormFacts[8];
        private int[] _qps = new int[8];
        // Each member's operand values (MaxOperands apiece) and what a predicated branch after it took away: a member
        // whose writes no longer count (Gone), or only those a stop would clear (GoneImplied, after a call).
        private int[] _values = new int[8 * ParsedSource.MaxOperands];
        private byte[] _gone = new byte[8];
        private const byte Gone = 1, GoneImplied = 2;
        // The resources the instruction being added reads, so far (at most the qp and 8 operands).
        private readonly int[] _seen = new int[16];

        public int Count { get; private set; }

        /// <summary>Starts a new group.</summary>
        public void Begin()
        {
            _group++;
            Count = 0;
            _pathStart = 0;
        }

        // The first member after the last taken branch of the group: what came before is not on the path.
        private int _pathStart;

        /// <summary>Adds the next instruction of the group; its violations go to <paramref name="found"/>.</summary>
        /// <param name="values">Its operand values as ints (only register numbers are read, and those are never wide).</param>
        /// <param name="unatBit">The ar.unat bit a .mem.offset note gives a spill or fill; <see cref="NoUnatBit"/> without one.</param>
        public void Add(FormFacts facts, int qp, ReadOnlySpan<int> values, PredicateRelations? relations, List<Violation> found, int unatBit = NoUnatBit)
        {
            int k = Count++;
            if (k == _facts.Length)
            {
                Array.Resize(ref _facts, k * 2);
                Array.Resize(ref _qps, k * 2);
                Array.Resize(ref _values, k * 2 * ParsedSource.MaxOperands);
                Array.Resize(ref _gone, k * 2);
            }
            _facts[k] = facts;
            _qps[k] = qp;
            _gone[k] = 0;
            values.Slice(0, Math.Min(values.Length, ParsedSource.MaxOperands)).CopyTo(_values.AsSpan(k * ParsedSource.MaxOperands));
            var stamp = _stamp;
            var writer = _writer;
            int group = _group;
            // What it reads is checked as it is worked out (the same resources, in the same order, as Effects gives),
            // each once: _seen holds those met so far. All reads come before any write of the instruction counts.
            var seen = _seen;
            int seenCount = 0;
            if (qp != 0 && !facts.QpNotRead)
            {
                int r = 256 + qp;
                seen[seenCount++] = r;
                if (stamp[r] == group) Read(facts, qp, r, k, relations, found);
            }
            foreach (int e in facts.Reads)
            {
                int r = ResourceOf(e, values);
                if (IsConstant(r) || Contains(seen, seenCount, r)) continue;
                seen[seenCount++] = r;
                if (stamp[r] == group) Read(facts, qp, r, k, relations, found);
            }
            if (facts.ReadsAllPredicates)
                for (int r = 257; r < 320; r++)
                    if (stamp[r] == group && r != 256 + qp) Read(facts, qp, r, k, relations, found);
            if (facts.ReadsAllAppRegs)
                for (int r = 328; r < 456; r++)
                    if (stamp[r] == group) Read(facts, qp, r, k, relations, found);
            // Each write is checked against the group's earlier writer, then recorded; a resource this instruction
            // already wrote (a register it names twice) is the same write again, as Effects lists it once.
            foreach (int e in facts.Writes)
            {
                int r = ResourceOf(e, values);
                if (IsConstant(r)) continue;
                if (stamp[r] == group)
                {
                    if (writer[r] == k) continue;
                    int w = Conflicting(r, facts, qp, isRead: false, relations, SideOf(facts, e & 15));
                    if (w >= 0) found.Add(new Violation(w, k, r, false));
                }
                stamp[r] = group;
                writer[r] = k;
            }
            if (facts.PredicateWrites != 0) WritePredicates(facts, qp, values, k, relations, found);
            foreach (int e in facts.WawOnlyWrites)
            {
                int r = ResourceOf(e, values);
                if (IsConstant(r) || stamp[r] != group) continue;
                int w = Conflicting(r, facts, qp, isRead: false, relations);
                if (w >= 0) found.Add(new Violation(w, k, r, false));
            }
            if (_implicitGroup == group && facts.ImplicitReads.Length != 0) ReadImplicit(facts, qp, values, k, relations, found);
            if (facts.ImplicitWrites.Length != 0) WriteImplicit(facts, values, k);
            if (facts.Unat != 0) Unat(facts, qp, values, k, unatBit, relations, found);
            if (facts.TouchesPredicates)
            {
                relations?.After(facts, qp, values);
                NotePredicateWrites(facts, values, k);
            }
            if (facts.Flow != 0) AfterBranch(facts, qp, k);
        }

        /// <summary>
        /// After a branch: one that is taken leaves the group's path, and nothing written before it is seen after it (a
        /// new stamp). A predicated one is taken exactly when an earlier instruction on the same predicate executed, so
        /// what those wrote is forgotten too, unless the predicate changed in between (GNU as: link_to_qp_branch).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void AfterBranch(FormFacts facts, int qp, int k)
        {
            if (EndsPath(facts, qp))
            {
                _group++;
                _pathStart = k + 1;
                return;
            }
            if (facts.Flow != FormFacts.EndsPathUnpredicated) return;
            // A call forgets, of the members on its predicate, what a stop would clear; another branch forgets all the
            // members on its predicate wrote since the predicate was last written.
            bool call = facts.IsCall;
            int from = 0;
            if (!call)
            {
                if ((uint)qp < 64 && _predicateStamp[qp] == _group) from = _predicateWriter[qp] + 1;
                if (_allPredicatesStamp == _group) from = Math.Max(from, _allPredicatesWriter + 1);
            }
            bool any = false;
            for (int j = from; j < k; j++)
            {
                if (_qps[j] != qp || _gone[j] == Gone) continue;
                _gone[j] = call ? GoneImplied : Gone;
                any = true;
            }
            if (!any) return;
            // Each resource whose last writer is gone falls back on the last writer before it that is not.
            for (int r = 0; r < _stamp.Length; r++)
            {
                if (_stamp[r] != _group || !IsGone(_writer[r], r)) continue;
                int w = _writer[r] - 1;
                while (w >= _pathStart && (IsGone(w, r) || !Writes(w, r))) w--;
                if (w >= _pathStart) _writer[r] = w;
                else _stamp[r] = 0;
            }
        }

        /// <summary>Whether member <paramref name="j"/>'s write of resource <paramref name="r"/> was taken away.</summary>
        private bool IsGone(int j, int r) => _gone[j] == Gone || (_gone[j] == GoneImplied && ClearedByStop(r));

        /// <summary>Registers and the implicit resources of implied or impliedF rows: those a stop (or a call's) clears.</summary>
        private static bool ClearedByStop(int r) =>
            r < ResourceCount || ImplicitResources.Rows[r - ResourceCount].Semantics is ImplicitResources.Semantics.Implied or ImplicitResources.Semantics.ImpliedF;

        /// <summary>Whether member <paramref name="j"/> wrote resource <paramref name="r"/>.</summary>
        private bool Writes(int j, int r)
        {
            var facts = _facts[j];
            var values = _values.AsSpan(j * ParsedSource.MaxOperands, ParsedSource.MaxOperands);
            foreach (int e in facts.Writes)
                if (ResourceOf(e, values) == r) return true;
            foreach (var use in facts.ImplicitWrites)
                if (ResourceCount + use.Row == r && use.Holds(values)) return true;
            if (facts.PredicateWrites != 0 && IsPredicate(r))
            {
                int p = r - 256;
                if (facts.PredicateWrites == FormFacts.PrRotating) return p >= 16;
                int mask = facts.PredicateWrites == FormFacts.PrMask ? values[facts.PredicateMaskOperand] : -1;
                return p >= 1 && (p < 16 ? (mask >> p & 1) != 0 : (mask >> 16 & 1) != 0);
            }
            return false;
        }

        // ar.unat's bits, as GNU as checks them: a spill or fill with a .mem.offset note uses one known bit, one without
        // uses an unknown bit (any), and a move to or from ar.unat uses none in particular. So a noted access conflicts
        // with the same bit and with unnoted ones; an unnoted access with every spill and move; a move with unnoted
        // spills (two moves are the register check's). The group's writes of them, in order (few: spills are rare), each
        // as its member and its bit (LooseBit: unknown, MoveBit: a move), valid when _unatGroup is the group.
        private (int Writer, int Bit)[] _unatWrites = new (int, int)[8];
        private int _unatCount, _unatGroup;
        private const int LooseBit = -1, MoveBit = -2;

        private void Unat(FormFacts facts, int qp, ReadOnlySpan<int> values, int k, int bit, PredicateRelations? relations, List<Violation> found)
        {
            int kind = facts.Unat;
            if (kind >= FormFacts.UnatMoveTo)
            {
                int ar = values[facts.UnatOperand];
                if (ar == ArUnat) kind = kind is FormFacts.UnatMoveTo or FormFacts.UnatPseudoTo ? FormFacts.UnatMoveTo : FormFacts.UnatMoveFrom;
                else if (kind >= FormFacts.UnatPseudoTo && (ar is >= 48 and <= 63 || ar >= 112))
                {
                    // GNU as's pseudo-op: a move to such an AR reads, a move from one writes, bits of ar.unat not known.
                    kind = kind == FormFacts.UnatPseudoTo ? FormFacts.UnatFill : FormFacts.UnatSpill;
                    bit = NoUnatBit;
                }
                else return;
            }
            if (_unatGroup != _group)
            {
                _unatGroup = _group;
                _unatCount = 0;
            }
            bool access = kind is FormFacts.UnatSpill or FormFacts.UnatFill;
            int mine = kind is FormFacts.UnatMoveTo or FormFacts.UnatMoveFrom ? MoveBit : bit == NoUnatBit ? LooseBit : bit;
            // The latest earlier write it conflicts with (on a predicate not exclusive with its own) is reported.
            for (int i = _unatCount - 1; i >= 0; i--)
            {
                var (w, theirs) = _unatWrites[i];
                bool conflict = theirs == LooseBit || mine == LooseBit && access ? true
                    : mine == MoveBit || theirs == MoveBit ? false
                    : theirs == mine;
                if (!conflict || IsGone(w, ResourceCount - 1) || relations?.Exclusive(_qps[w], qp) == true) continue;
                found.Add(new Violation(w, k, Resource(OperandKind.Ar, ArUnat), kind is FormFacts.UnatFill or FormFacts.UnatMoveFrom));
                break;
            }
            if (kind is FormFacts.UnatSpill or FormFacts.UnatMoveTo)
            {
                if (_unatCount == _unatWrites.Length) Array.Resize(ref _unatWrites, _unatCount * 2);
                _unatWrites[_unatCount++] = (k, mine);
            }
        }

        /// <summary>Notes which predicates instruction <paramref name="k"/> writes, for <see cref="AfterBranch"/>.</summary>
        private void NotePredicateWrites(FormFacts facts, ReadOnlySpan<int> values, int k)
        {
            if (facts.RewritesPredicates)
            {
                _allPredicatesStamp = _group;
                _allPredicatesWriter = k;
            }
            foreach (int i in facts.PredicateTargets)
            {
                int p = values[i];
                if ((uint)p >= 64) continue;
                _predicateStamp[p] = _group;
                _predicateWriter[p] = k;
            }
        }

        /// <summary>mov pr=, mov pr.rot=: the predicates they write, each checked against the group's earlier writer and recorded.</summary>
        private void WritePredicates(FormFacts facts, int qp, ReadOnlySpan<int> values, int k, PredicateRelations? relations, List<Violation> found)
        {
            int mask = facts.PredicateWrites == FormFacts.PrMask ? values[facts.PredicateMaskOperand] : -1;
            int first = facts.PredicateWrites == FormFacts.PrRotating ? 16 : 1;
            for (int p = first; p < 64; p++)
            {
                if (p < 16 ? (mask >> p & 1) == 0 : (mask >> 16 & 1) == 0) continue;
                int r = 256 + p;
                if (_stamp[r] == _group && _writer[r] != k)
                {
                    int w = Conflicting(r, facts, qp, isRead: false, relations);
                    if (w >= 0) found.Add(new Violation(w, k, r, false));
                }
                _stamp[r] = _group;
                _writer[r] = k;
            }
        }

        /// <summary>Instruction <paramref name="k"/>'s reads of the implicit resources, against the group's writers of them.</summary>
        private void ReadImplicit(FormFacts facts, int qp, ReadOnlySpan<int> values, int k, PredicateRelations? relations, List<Violation> found)
        {
            int done = -1; // a row already found: its other uses (other conditions) are the same read
            foreach (var use in facts.ImplicitReads)
            {
                int r = ResourceCount + use.Row;
                if (use.Row == done || _stamp[r] != _group || !use.Holds(values, qp)) continue;
                done = use.Row;
                int w = Conflicting(r, facts, qp, isRead: true, relations);
                if (w >= 0 && w != k) found.Add(new Violation(w, k, r, ImplicitResources.Rows[use.Row].IsRaw));
            }
        }

        private void WriteImplicit(FormFacts facts, ReadOnlySpan<int> values, int k)
        {
            foreach (var use in facts.ImplicitWrites)
            {
                if (!use.Holds(values)) continue;
                int r = ResourceCount + use.Row;
                _stamp[r] = _group;
                _writer[r] = k;
                _implicitGroup = _group;
            }
        }

        /// <summary>Instruction <paramref name="k"/> reads <paramref name="r"/>, which an earlier one of the group wrote.</summary>
        private void Read(FormFacts facts, int qp, int r, int k, PredicateRelations? relations, List<Violation> found)
        {
            int w = Conflicting(r, facts, qp, isRead: true, relations);
            if (w >= 0) found.Add(new Violation(w, k, r, true));
        }

        /// <summary>
        /// The latest member that wrote <paramref name="r"/> (the group's last writer of it, or one before: GNU as checks
        /// every earlier write) whose write the new member's read or write conflicts with; -1 when none does. Allowed, as
        /// the architecture allows: a branch on a predicate a compare of its group wrote, and parallel compares of one type
        /// writing the same predicate; and no conflict between members on exclusive predicates.
        /// </summary>
        private int Conflicting(int r, FormFacts facts, int qp, bool isRead, PredicateRelations? relations, (int Side, int Type) mine = default)
        {
            // A branch may consume a predicate an integer compare of its own group produced (the compare-and-branch idiom).
            bool branchOnIt = isRead && IsPredicate(r) && facts.BranchReadsQp && qp == r - 256;
            for (int w = _writer[r]; w >= 0; w = PreviousWriter(r, w))
            {
                if (IsGone(w, r)) continue;
                if (isRead && (_facts[w].WritesNotRead && IsCheckTarget(w, r) || branchOnIt && _facts[w].IntegerPredicateWriter)) continue;
                // A move to a BR may feed an indirect branch of its group.
                if (isRead && r is >= 320 and < 328 && facts.IndirectBranch && _facts[w].MovToBr) continue;
                if (!isRead && IsPredicate(r) && !SidesConflict(SideOf(w, r), mine.Side == 0 ? (3, 0) : mine)) continue;
                if (!isRead && r == 256 + 63 && (facts.ModSched && _facts[w].Unconditional || facts.Unconditional && _facts[w].ModSched)) continue;
                if (relations?.Exclusive(_qps[w], qp) == true) continue;
                return w;
            }
            return -1;
        }

        /// <summary>Whether <paramref name="r"/> is the target of check load <paramref name="w"/>.</summary>
        private bool IsCheckTarget(int w, int r)
        {
            var facts = _facts[w];
            int t = facts.CheckTarget;
            if (t < 0) return false;
            // An integer check load: none of its GR writes (its target, a post-incremented base) is a RAW for GNU as.
            if (!facts.CheckTargetIsFr) return r < 128;
            return r == 128 + _values[w * ParsedSource.MaxOperands + t];
        }

        /// <summary>The side (and compare type) of a form's write through operand <paramref name="operand"/>: a predicate target's, else a plain write's.</summary>
        private static (int Side, int Type) SideOf(FormFacts facts, int operand)
        {
            var targets = facts.PredicateTargets;
            if (targets.Length > 0 && targets[0] == operand) return (facts.PrSide0, facts.PrType0);
            if (targets.Length > 1 && targets[1] == operand) return (facts.PrSide1, facts.PrType1);
            return (3, 0);
        }

        /// <summary>The side of member <paramref name="w"/>'s write of predicate resource <paramref name="r"/>.</summary>
        private (int Side, int Type) SideOf(int w, int r)
        {
            var facts = _facts[w];
            var values = _values.AsSpan(w * ParsedSource.MaxOperands, ParsedSource.MaxOperands);
            foreach (int t in facts.PredicateTargets)
                if (256 + values[t] == r) return SideOf(facts, t);
            return (3, 0);
        }

        /// <summary>GNU as: writes of one predicate conflict when one is on the "and" side and the other on the "or" side, unless both are targets of one compare type.</summary>
        private static bool SidesConflict((int Side, int Type) earlier, (int Side, int Type) later) =>
            ((earlier.Side & 1) != 0 && (later.Side & 2) != 0 || (earlier.Side & 2) != 0 && (later.Side & 1) != 0)
            && !(earlier.Type != 0 && earlier.Type == later.Type);

        /// <summary>The last member before <paramref name="w"/>, on the current path, that wrote <paramref name="r"/>; -1 when none did.</summary>
        private int PreviousWriter(int r, int w)
        {
            for (int j = w - 1; j >= _pathStart; j--) if (Writes(j, r)) return j;
            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Contains(int[] items, int count, int r)
        {
            for (int i = 0; i < count; i++) if (items[i] == r) return true;
            return false;
        }
    }

    /// <summary>
    /// The quick test a group passes before <see cref="GroupCheck"/> looks at it: fed the group's instructions in order,
    /// it tells whether one reads or writes a register an earlier one wrote. Every violation is such an overlap, so a
    /// group without one has none, and most groups (the code after the stops a programmer or .auto wrote) have none;
    /// the test is a stamp per register, with no list of readers, writers or what was already seen, and it stops at
    /// the first overlap, where the full check takes over.
    /// </summary>
    internal sealed class OverlapFilter
    {
        // Resource r was written in the current group when _stamp[r] == _group: starting a group costs nothing. The
        // constants (r0, f0, f1, p0) are stamped as any register, and overlaps on them are ignored: writing one is rare,
        // so the question is asked only of an overlap.
        private readonly int[] _stamp = new int[ResourceCount];
        private int _group = 1;
        // The group in which an instruction may have written an implicit resource (ImplicitResources): a read of one
        // in that group is an overlap, left to the full check, which evaluates the conditions.
        private int _implicitGroup;

        /// <summary>Starts a new group.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Begin()
        {
            if (++_group == int.MaxValue) Reset();
        }

        // Some two billion groups on: old stamps must not pass for new ones.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Reset()
        {
            Array.Clear(_stamp, 0, _stamp.Length);
            _group = 1;
            _implicitGroup = 0;
        }

        /// <summary>Adds the first instruction of a group, which nothing can overlap.</summary>
        /// <param name="values">Its operand values as ints (only register numbers are read, and those are never wide).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void First(FormFacts facts, int qp, ReadOnlySpan<int> values)
        {
            var stamp = _stamp;
            int group = _group;
            foreach (int e in facts.Writes)
            {
                int r = ResourceOf(e, values);
                if ((uint)r < (uint)stamp.Length) stamp[r] = group;
            }
            if (facts.MarksImplicit) _implicitGroup = group;
            if (facts.PredicateWrites != 0) for (int r = 257; r < 320; r++) stamp[r] = group;
            if (facts.Flow != 0 && EndsPath(facts, qp)) Begin();
        }

        /// <summary>
        /// Adds the next instruction of the group: whether it reads or writes a register an earlier one wrote (or, should
        /// it write one twice, that one). After the first overlap the group is the full check's, and the filter has
        /// nothing more to tell until the next <see cref="Begin"/>.
        /// </summary>
        /// <param name="values">Its operand values as ints (only register numbers are read, and those are never wide).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Overlaps(FormFacts facts, int qp, ReadOnlySpan<int> values)
        {
            var stamp = _stamp;
            int group = _group;
            if (qp != 0 && stamp[256 + qp] == group) return true;
            foreach (int e in facts.Reads)
            {
                int r = ResourceOf(e, values);
                if ((uint)r < (uint)stamp.Length && stamp[r] == group && !IsConstant(r)) return true;
            }
            foreach (int e in facts.Writes)
            {
                int r = ResourceOf(e, values);
                if ((uint)r >= (uint)stamp.Length) continue;
                if (stamp[r] == group && !IsConstant(r)) return true;
                stamp[r] = group;
            }
            if (facts.ChecksImplicit && _implicitGroup == group || facts.ReadsAllPredicates || facts.ReadsAllAppRegs || facts.PredicateWrites != 0) return true;
            if (facts.MarksImplicit) _implicitGroup = group;
            // A taken branch leaves the path: what follows in the group starts afresh (the full check forgets the same).
            if (facts.Flow != 0 && EndsPath(facts, qp)) Begin();
            return false;
        }
    }

    /// <summary>r0, f0, f1 and p0 are constants: no dependency through them (nor through a number that names nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsConstant(int r) => r is 0 or 128 or 129 or 256 || r < 0;

    private static bool IsPredicate(int r) => r is >= 256 and < 320;

    private const int ParallelAnd = 1, ParallelOr = 2, ParallelOrAndcm = 3;

    /// <summary>The type of a parallel compare or test (<see cref="ParallelAnd"/>, <see cref="ParallelOr"/>, <see cref="ParallelOrAndcm"/>); 0 for other forms.</summary>
    private static int ParallelType(Form f)
    {
        string m = f.Mnemonic;
        if (!(m.StartsWith("cmp", StringComparison.Ordinal) || m.StartsWith("tbit", StringComparison.Ordinal) ||
              m.StartsWith("tnat", StringComparison.Ordinal) || m.StartsWith("fcmp", StringComparison.Ordinal) ||
              m.StartsWith("fclass", StringComparison.Ordinal))) return 0;
        if (m.EndsWith(".or.andcm", StringComparison.Ordinal) || m.EndsWith(".orcm", StringComparison.Ordinal)) return ParallelOrAndcm;
        if (m.EndsWith(".and", StringComparison.Ordinal) || m.EndsWith(".andcm", StringComparison.Ordinal)) return ParallelAnd;
        if (m.EndsWith(".or", StringComparison.Ordinal)) return ParallelOr;
        return 0;
    }

    [ThreadStatic] private static GroupCheck? t_insertCheck;

    /// <summary>Auto mode (.auto): inserts the stops the run (instructions [start, end) of the source) needs so that no group has a violation.</summary>
    public static void InsertStops(ParsedSource source, int start, int end) => InsertStops(source, start, end, end);

    /// <summary>
    /// <see cref="InsertStops(ParsedSource, int, int)"/> for the run [start, <paramref name="runEnd"/>), looking on into the
    /// instructions after it up to <paramref name="end"/> (those after a label: a label does not end a group) only until
    /// the group holding the run's last instruction ends. The stop that group needs may fall inside the run, at its end
    /// (before the label, as GNU as puts it) or after it.
    /// </summary>
    internal static void InsertStops(ParsedSource source, int start, int end, int runEnd) => InsertStops(source, start, start, end, runEnd);

    /// <summary>
    /// <see cref="InsertStops(ParsedSource, int, int, int)"/> where the group being checked begins at
    /// <paramref name="groupStart"/> but stops go only before instructions from <paramref name="start"/> on: those
    /// before it are explicit-mode code, whose stops are the programmer's, yet an .auto instruction after them in their
    /// group must not conflict with them (GNU as puts the stop before it).
    /// </summary>
    internal static void InsertStops(ParsedSource source, int groupStart, int start, int end, int runEnd)
    {
        // A group without violations stays so until an instruction conflicts with one of its writes: checking each
        // new instruction against the group's writers is checking the whole group again.
        // Called for every run between labels: each thread keeps its tables (a new group starts either way).
        var check = t_insertCheck ??= new GroupCheck();
        check.Begin();
        var found = new List<Violation>();
        for (int k = groupStart; k < end; k++)
        {
            ref var ins = ref source.Instruction(k);
            var facts = FactsOf(ins.FormId);
            var values = source.StoredOf(k);
            found.Clear();
            int unatBit = facts.Unat != 0 ? source.UnatBitOf(k) : NoUnatBit;
            check.Add(facts, ins.Qp, values, null, found, unatBit);
            if (check.Count > 1 && found.Count > 0 && k >= start)
            {
                source.Instruction(k - 1).StopAfter = true;
                if (k - 1 >= runEnd - 1) return; // the run's last group ended: what follows is checked with its own run
                check.Begin();
                check.Add(facts, ins.Qp, values, null, found, unatBit);
            }
            if (ins.StopAfter)
            {
                if (k >= runEnd - 1) return;
                check.Begin();
            }
        }
    }
}
