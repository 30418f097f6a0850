using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace IvtGen.Isa;

/// <summary>
/// The resources an instruction uses without naming them in an operand: the PSR fields that rsm, ssm, rum, sum,
/// mov psr.l=, epc and vmsw write and that memory accesses, moves from PSR, branches, FP instructions and the TLB
/// instructions read; the control registers that itc, itr, rfi, thash, cover and memory accesses use; and the
/// interrupt state that reads of cr.ivr and writes of cr.eoi change.
/// <para>
/// One table of dependency rows, as SDM vol. 3 ("Resource Utilization") and binutils' opcodes/ia64-raw.tbl and
/// ia64-waw.tbl state them: a resource, the instructions that write it, those that read it (or write it again) and
/// what GNU as says of the dependency. The rows name instruction classes defined once below, over the forms of the
/// instruction table. DependencyChecker works out per form which rows it writes and reads, with the condition on its
/// operand values under which it does (rsm's mask has the field's bit, an FR operand lies in f32–f127, the CR
/// operand is cr.ifa), and checks them as it checks registers.
/// </para>
/// <para>
/// Left out: rows that only rfi and bsw write (each ends its instruction group, so nothing in the group reads after
/// them), and rows whose dependency is harmless ("none" in the tables). Dependencies between an explicit move to a
/// control register and an explicit move from it are the register check's (the operand names the register).
/// </para>
/// </summary>
internal static class ImplicitResources
{
    /// <summary>What the architecture requires between writer and reader, as GNU as's warnings name it.</summary>
    public enum Semantics
    {
        /// <summary>A stop suffices ("implied").</summary>
        Implied,
        /// <summary>A stop suffices; the hardware gives the instructions' results in order ("impliedf").</summary>
        ImpliedF,
        /// <summary>A stop and data serialization (srlz.d) are needed ("data").</summary>
        Data,
        /// <summary>A stop, instruction serialization (srlz.i) and a stop are needed ("instr").</summary>
        Instr,
        /// <summary>Special rules of the SDM ("other").</summary>
        Other,
    }

    /// <summary>One dependency: instructions of <see cref="Writers"/> write the resource, those of <see cref="Readers"/> then read (RAW) or write (WAW) it.</summary>
    public sealed class Row
    {
        public readonly string Name;
        public readonly bool IsRaw;
        public readonly Semantics Semantics;
        internal readonly Class Writers, Readers;

        internal Row(string name, bool isRaw, Class writers, Class readers, Semantics semantics)
        {
            Name = name;
            IsRaw = isRaw;
            Writers = writers;
            Readers = readers;
            Semantics = semantics;
        }
    }

    /// <summary>
    /// A row an instruction writes or reads, under a condition on its operand values: always (<see cref="Operand"/>
    /// −1); when bit <see cref="Lo"/> of the operand is set (<see cref="IsBit"/>: rsm/ssm/rum/sum's mask); or when
    /// some operand of <see cref="Operands"/> lies in [<see cref="Lo"/>, <see cref="Hi"/>].
    /// </summary>
    public readonly struct Use : IEquatable<Use>
    {
        public readonly int Row;
        public readonly bool IsBit;
        /// <summary>Bit i: operand i is tested; 0: the use is unconditional.</summary>
        public readonly int Operands;
        public readonly int Lo, Hi;

        public Use(int row, bool isBit, int operands, int lo, int hi)
        {
            Row = row;
            IsBit = isBit;
            Operands = operands;
            Lo = lo;
            Hi = hi;
        }

        public int Operand => Operands == 0 ? -1 : BitCount.TrailingZeros((ulong)Operands);

        /// <summary>Whether the instruction with these operand values (and qualifying predicate) uses the row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(ReadOnlySpan<int> values, int qp = 0)
        {
            int ops = Operands;
            if (ops == 0) return true;
            if (ops == QpOperand) return qp >= Lo && qp <= Hi;
            if (IsBit) return (values[BitCount.TrailingZeros((ulong)ops)] >> Lo & 1) != 0;
            for (; ops != 0; ops &= ops - 1)
            {
                int v = values[BitCount.TrailingZeros((ulong)ops)];
                if (v >= Lo && v <= Hi) return true;
            }
            return false;
        }

        public bool Equals(Use other) => Row == other.Row && IsBit == other.IsBit && Operands == other.Operands && Lo == other.Lo && Hi == other.Hi;
        public override bool Equals(object? obj) => obj is Use u && Equals(u);
        public override int GetHashCode() => (Row * 31 + Operands) * 31 + Lo;
    }

    /// <summary>
    /// An instruction class: for a form, null when the form is not a member, otherwise the conditions on its operand
    /// values (each a <see cref="Use"/> without its row), any of which makes an instruction of the form a member.
    /// </summary>
    internal delegate Cond[]? Class(Form f);

    /// <summary>A <see cref="Use"/> before its row is known.</summary>
    internal readonly record struct Cond(bool IsBit, int Operands, int Lo, int Hi)
    {
        public static readonly Cond Always = new(false, 0, 0, 0);
        public bool IsAlways => Operands == 0;
    }

    private static readonly Cond[] s_always = { Cond.Always };

    /// <summary>The <see cref="Use.Operands"/> of a condition on the qualifying predicate, which is no operand.</summary>
    public const int QpOperand = 1 << 30;

    public static IReadOnlyList<Row> Rows => s_rows;

    /// <summary>The rows as the messages name their resource (psr.ic, cr.ifa).</summary>
    public static string Name(int row) => s_rows[row].Name;

    /// <summary>The rows form <paramref name="f"/> writes and those it reads (or writes again, for WAW rows), each with its condition.</summary>
    public static (Use[] Writes, Use[] Reads) UsesOf(Form f)
    {
        List<Use>? writes = null, reads = null;
        for (int r = 0; r < s_rows.Length; r++)
        {
            var row = s_rows[r];
            // The uses of one row are adjacent: a check that found a row stops at its first use that holds.
            foreach (var w in row.Writers(f) ?? Array.Empty<Cond>()) (writes ??= new()).Add(new Use(r, w.IsBit, w.Operands, w.Lo, w.Hi));
            foreach (var rd in row.Readers(f) ?? Array.Empty<Cond>()) (reads ??= new()).Add(new Use(r, rd.IsBit, rd.Operands, rd.Lo, rd.Hi));
        }
        return (writes?.ToArray() ?? Array.Empty<Use>(), reads?.ToArray() ?? Array.Empty<Use>());
    }

    // ---- The instruction classes (SDM vol. 3 "Instruction Classes", binutils' opcodes/ia64-ic.tbl) ----

    /// <summary>Forms whose mnemonic is one of <paramref name="names"/> or begins with one and a completer (ld8 takes in ld8.s.nt1).</summary>
    private static Class Named(params string[] names) => f =>
    {
        string m = f.Mnemonic;
        foreach (string n in names)
            if (m.StartsWith(n, StringComparison.Ordinal) && (m.Length == n.Length || m[n.Length] == '.')) return s_always;
        return null;
    };

    private static Class Format(params string[] formats) => f => Array.IndexOf(formats, f.Format) >= 0 ? s_always : null;

    private static Class Any(params Class[] classes) => f =>
    {
        List<Cond>? found = null;
        foreach (var c in classes)
        {
            if (c(f) is not { } conds) continue;
            foreach (var cond in conds)
            {
                if (cond.IsAlways) return s_always;
                if (!(found ??= new()).Contains(cond)) found.Add(cond);
            }
        }
        return found?.ToArray();
    };

    /// <summary>Members of both; <paramref name="b"/> is a test on the form alone (its conditions, if any, are <paramref name="a"/>'s).</summary>
    private static Class Both(Class a, Class b) => f => b(f) is null ? null : a(f);

    private static Class Except(Class a, Class b) => f => b(f) is null ? a(f) : null;

    /// <summary>Forms with a fixed operand spelled <paramref name="token"/> (psr.l, psr.um).</summary>
    private static Class FixedOperand(string token) => f =>
    {
        foreach (var op in f.Operands) if (op.Kind == OperandKind.Fixed && op.Text == token) return s_always;
        return null;
    };

    private static Class IndirectFile(params string[] files) => f =>
    {
        foreach (var op in f.Operands) if (op.Kind == OperandKind.Indirect && Array.IndexOf(files, op.Text) >= 0) return s_always;
        return null;
    };

    /// <summary>Members of <paramref name="c"/> whose control-register operand lies in one of the ranges (lo, hi pairs).</summary>
    private static Class Cr(Class c, params int[] ranges) => f =>
    {
        if (c(f) is null) return null;
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
            if (ops[i].Kind == OperandKind.Cr) return Ranges(1 << i, ranges.Length == 1 ? new[] { ranges[0], ranges[0] } : ranges);
        return null;
    };

    private static Cond[] Ranges(int operands, int[] ranges)
    {
        var conds = new Cond[ranges.Length / 2];
        for (int k = 0; k < conds.Length; k++) conds[k] = new Cond(false, operands, ranges[2 * k], ranges[2 * k + 1]);
        return conds;
    }

    /// <summary>
    /// Members of <paramref name="c"/> whose application register lies in one of the ranges (lo, hi pairs), by operand or
    /// by name; members without an application register operand are not.
    /// </summary>
    private static Class Ar(Class c, params int[] ranges) => f =>
    {
        if (c(f) is null) return null;
        if (ranges.Length == 1) ranges = new[] { ranges[0], ranges[0] };
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            if (op.Kind == OperandKind.Ar) return Ranges(1 << i, ranges);
            // ar.k0–ar.k7 by name: the value is k.
            if (op.Kind == OperandKind.Symbolic && op.Symbols![0] == "ar.k0")
            {
                var low = new List<int>();
                for (int k = 0; k < ranges.Length; k += 2)
                    if (ranges[k] <= 7) { low.Add(ranges[k]); low.Add(Math.Min(ranges[k + 1], 7)); }
                return low.Count == 0 ? null : Ranges(1 << i, low.ToArray());
            }
            if (op.Kind == OperandKind.Fixed && op.Text!.StartsWith("ar.", StringComparison.Ordinal) && Registers.TryArByName(op.Text.Substring(3), out int ar))
            {
                for (int k = 0; k < ranges.Length; k += 2) if (ar >= ranges[k] && ar <= ranges[k + 1]) return s_always;
                return null;
            }
        }
        return null;
    };

    /// <summary>
    /// GNU's classes of moves to or from application registers (its mov_ar with a format list) as GNU as matches them: by
    /// the format only, whichever register is named; and a plain <c>mov</c> naming a register both units reach
    /// (ar48–ar63, ar112–ar127), which GNU as keeps as the unit-less pseudo-op, is in every such class.
    /// </summary>
    private static Class GnuMovAr(params string[] formats) => f =>
    {
        if (Array.IndexOf(s_arMoveFormats, f.Format) < 0) return null;
        if (Array.IndexOf(formats, f.Format) >= 0) return s_always;
        if (f.Mnemonic != "mov") return null;
        for (int i = 0; i < f.Operands.Length; i++)
            if (f.Operands[i].Kind == OperandKind.Ar) return Ranges(1 << i, new[] { 48, 63, 112, 127 });
        return null;
    };

    private static readonly string[] s_arMoveFormats = { "M29", "M30", "M31", "I26", "I27", "I28" };

    /// <summary>
    /// The forms' uses of the rotating registers, as GNU as counts them for CFM (its note 2): an FR operand above f31, a
    /// predicate target above p15, a qualifying predicate above p15 (the rotating GRs count only after .rotr, which IvtGen
    /// does not take; GNU as counts none without it either).
    /// </summary>
    private static readonly Class Rotating = f =>
    {
        var conds = new List<Cond>();
        if (!DependencyChecker.QpNotReadByGnu(f)) conds.Add(new Cond(false, QpOperand, 16, 63));
        int fr = 0, pr = 0;
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
        {
            if (ops[i].Kind == OperandKind.Fr) fr |= 1 << i;
            if (ops[i].Kind == OperandKind.Pr && ops[i].IsOutput) pr |= 1 << i;
        }
        if (fr != 0) conds.Add(new Cond(false, fr, 32, 127));
        if (pr != 0) conds.Add(new Cond(false, pr, 16, 63));
        return conds.Count == 0 ? null : conds.ToArray();
    };

    /// <summary>rsm, ssm, rum, sum whose mask has PSR bit <paramref name="bit"/> (the tables' note 7).</summary>
    private static Class MaskHas(Class c, int bit) => f => c(f) is null ? null : new[] { new Cond(true, 1, bit, bit) };

    /// <summary>Members of <paramref name="c"/> with an FR operand (any, or only a target) in f<paramref name="lo"/>–f<paramref name="hi"/> (notes 8 and 9).</summary>
    private static Class Fr(Class c, int lo, int hi, bool targetsOnly) => f =>
    {
        if (c(f) is null) return null;
        int mask = 0;
        var ops = f.Operands;
        for (int i = 0; i < ops.Length; i++)
            if (ops[i].Kind == OperandKind.Fr && (!targetsOnly || ops[i].IsOutput)) mask |= 1 << i;
        return mask == 0 ? null : new[] { new Cond(false, mask, lo, hi) };
    };

    // Moves to and from system registers, by the format GNU's mov_psr/mov_um/mov_cr/mov_ar/mov_indirect take.
    private static readonly Class MovToPsrL = Both(Format("M35"), FixedOperand("psr.l"));
    private static readonly Class MovToPsrUm = Both(Format("M35"), FixedOperand("psr.um"));
    private static readonly Class MovFromPsr = Both(Format("M36"), FixedOperand("psr"));
    private static readonly Class MovFromPsrUm = Both(Format("M36"), FixedOperand("psr.um"));
    private static readonly Class MovToCr = Format("M32");
    private static readonly Class MovFromCr = Format("M33");
    private static readonly Class MovToArM = GnuMovAr("M29", "M30");
    private static readonly Class MovFromArM = GnuMovAr("M31");
    private static readonly Class MovToInd = Both(Format("M42"), Named("mov"));
    // GNU as takes mov r=dahr[r] for another format (M50).
    private static readonly Class MovFromInd = Except(Format("M43"), IndirectFile("dahr"));

    private static readonly Class SysMaskWriters = Named("rsm", "ssm");
    private static readonly Class UserMaskWriters = Named("rum", "sum");

    private static readonly Class Ld = Named("ld1", "ld2", "ld4", "ld8", "ld16", "ld8.fill");
    private static readonly Class Ldf = Named("ldfs", "ldfd", "ldfe", "ldf8", "ldf.fill", "ldfps", "ldfpd", "ldfp8");
    private static readonly Class StoresFp = Named("stfs", "stfd", "stfe", "stf8", "stf.spill");
    private static readonly Class Semaphores = Named("cmpxchg1", "cmpxchg2", "cmpxchg4", "cmpxchg8", "cmp8xchg16", "fetchadd4", "fetchadd8", "xchg1", "xchg2", "xchg4", "xchg8");
    private static readonly Class MemReaders = Any(Ld, Ldf, Semaphores);
    private static readonly Class MemWriters = Any(Named("st1", "st2", "st4", "st8", "st16", "st8.spill"), StoresFp, Semaphores);
    private static readonly Class MemReadersSpec = Both(Any(Ld, Ldf), f => f.Mnemonic.Contains(".s.") || f.Mnemonic.EndsWith(".s", StringComparison.Ordinal)
        || f.Mnemonic.Contains(".sa") ? s_always : null);
    private static readonly Class NonAccess = Named("fc", "fc.i", "lfetch", "probe", "tpa", "tak");
    private static readonly Class LfetchAll = Named("lfetch");
    private static readonly Class ProbeAll = Named("probe");
    private static readonly Class ProbeFault = Both(Named("probe"), Format("M40"));

    private static readonly Class FpArith = Named("fadd", "famax", "famin", "fcvt.fx", "fcvt.fxu", "fcvt.xuf", "fma", "fmax", "fmin", "fmpy", "fms",
        "fnma", "fnmpy", "fnorm", "fpamax", "fpamin", "fpcvt.fx", "fpcvt.fxu", "fpma", "fpmax", "fpmin", "fpmpy", "fpms", "fpnma", "fpnmpy",
        "fprcpa", "fprsqrta", "frcpa", "frsqrta", "fsub");
    private static readonly Class FpNonArith = Named("fabs", "fand", "fandcm", "fclass", "fcvt.xf", "fmerge", "fmix", "fneg", "fnegabs", "for",
        "fpabs", "fpmerge", "fpack", "fpneg", "fpnegabs", "fselect", "fswap", "fsxt", "fxor", "xma", "xmpy");
    private static readonly Class MovFr = Both(Named("mov"), Format("F9"));
    // GNU as leaves fcmp.ord and fcmp.unord (and their .unc forms) out of its FR readers.
    private static readonly Class FrReaders = Any(FpArith, FpNonArith, MovFr, Except(Named("fcmp"), Named("fcmp.ord", "fcmp.unord")), Named("getf"), Both(Named("chk.s"), Format("M21")), StoresFp);
    private static readonly Class FrWriters = Any(FpArith, Except(FpNonArith, Named("fclass")), MovFr, Ldf, Named("setf"));

    private static readonly Class BrCond = Both(Format("B1", "B4"), Except(Named("br"), Named("br.wexit", "br.wtop", "br.ia", "br.ret")));
    private static readonly Class BrCall = Named("br.call");
    private static readonly Class BrlCall = Named("brl.call");
    private static readonly Class BrIa = Named("br.ia");
    private static readonly Class BrRet = Named("br.ret");
    private static readonly Class Branches = Named("br", "brl");
    private static readonly Class Chk = Named("chk.s", "chk.s.i", "chk.s.m", "chk.a.nc", "chk.a.clr");
    private static readonly Class Itc = Named("itc.i", "itc.d");
    private static readonly Class Itr = Named("itr.i", "itr.d");

    private static readonly Class PrivOps = Any(MovToInd, Named("bsw"), Itc, Itr, MovToCr, MovFromCr, MovToPsrL, MovFromPsr,
        // GNU as's mov-from-IND-priv leaves out msr, which it matches by another operand type.
        Both(MovFromInd, IndirectFile("dbr", "ibr", "pkr", "pmc", "rr")), Named("ptc.e", "ptc.g", "ptc.ga", "ptc.l", "ptr.i", "ptr.d"),
        Named("rfi", "rsm", "ssm", "tak", "tpa"));

    // GNU as does not narrow these by register (note 0 of its PSR rows): any move from an AR reads PSR.si, for one.
    private static readonly Class MovFromArItcRuc = MovFromArM;
    private static readonly Class MovFromIndPmd = Both(MovFromInd, IndirectFile("pmd"));

    // The interruption control registers whose moves need PSR.ic: cr.ipsr, cr.isr, cr.iip … cr.iib1 (not cr18).
    private static readonly int[] s_interruptionCrs = { 16, 17, 19, 27 };
    private const int Dcr = 0, Pta = 8, Gpta = 9, Ipsr = 16, Iip = 19, Ifa = 20, Itir = 21, Ifs = 23, Ivr = 65, Tpr = 66, Eoi = 67, Irr0 = 68;

    // ---- The rows ----

    private static readonly Row[] s_rows = BuildRows();

    private static Row[] BuildRows()
    {
        var rows = new List<Row>();
        void Raw(string name, Class writers, Class readers, Semantics s) => rows.Add(new Row(name, true, writers, readers, s));
        // A write after a write: each writer of the first list against each of the second, in either order.
        void Waw(string name, Class writers, Class again, Semantics s)
        {
            rows.Add(new Row(name, false, writers, again, s));
            if (!ReferenceEquals(writers, again)) rows.Add(new Row(name, false, again, writers, s));
        }
        Class Sys(int bit) => MaskHas(SysMaskWriters, bit);
        Class User(int bit) => MaskHas(UserMaskWriters, bit);

        // PSR.be (1), PSR.ac (3): the alignment and endianness of memory accesses.
        foreach (var (name, bit) in new[] { ("psr.be", 1), ("psr.ac", 3) })
        {
            Raw(name, Any(User(bit), MovToPsrUm), Any(MemReaders, MemWriters), Semantics.Implied);
            Raw(name, Any(Sys(bit), MovToPsrL), Any(MemReaders, MemWriters), Semantics.Data);
            Raw(name, Any(User(bit), MovToPsrUm, Sys(bit), MovToPsrL), Any(MovFromPsr, MovFromPsrUm), Semantics.ImpliedF);
        }
        // PSR.up (2): user performance monitor.
        Raw("psr.up", Any(User(2), MovToPsrUm, Sys(2), MovToPsrL), Any(MovFromPsrUm, MovFromPsr), Semantics.ImpliedF);
        // PSR.mfl (4), PSR.mfh (5): set by writes of f2–f31 and f32–f127.
        Raw("psr.mfl", Any(Fr(FrWriters, 2, 31, true), User(4), MovToPsrUm, Sys(4), MovToPsrL), Any(MovFromPsrUm, MovFromPsr), Semantics.ImpliedF);
        Raw("psr.mfh", Any(Fr(FrWriters, 32, 127, true), User(5), MovToPsrUm, Sys(5), MovToPsrL), Any(MovFromPsrUm, MovFromPsr), Semantics.ImpliedF);
        // PSR.ic (13): interruption collection.
        Raw("psr.ic", Any(Sys(13), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // The SDM lists cover, itc and itr too; GNU as checks only the moves (they have a CR operand to test).
        Raw("psr.ic", Any(Sys(13), MovToPsrL), Any(Cr(MovFromCr, s_interruptionCrs), Cr(MovToCr, s_interruptionCrs)), Semantics.Data);
        // PSR.i (14), PSR.pp (21): interrupt enable, privileged performance monitor.
        Raw("psr.i", Any(Sys(14), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        Raw("psr.pp", Any(Sys(21), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // PSR.pk (15): protection key checks.
        Raw("psr.pk", Any(Sys(15), MovToPsrL), Any(LfetchAll, MemReaders, MemWriters, ProbeAll), Semantics.Data);
        Raw("psr.pk", Any(Sys(15), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // PSR.dt (17): data address translation.
        Raw("psr.dt", Any(Sys(17), MovToPsrL), Any(MemReaders, MemWriters, NonAccess), Semantics.Data);
        Raw("psr.dt", Any(Sys(17), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // PSR.dfl (18), PSR.dfh (19): disabled FP register sets f2–f31 and f32–f127.
        Raw("psr.dfl", Any(Sys(18), MovToPsrL), Any(Fr(FrWriters, 2, 31, false), Fr(FrReaders, 2, 31, false)), Semantics.Data);
        Raw("psr.dfl", Any(Sys(18), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        Raw("psr.dfh", Any(Sys(19), MovToPsrL), Any(Fr(FrReaders, 32, 127, false), Fr(FrWriters, 32, 127, false)), Semantics.Data);
        Raw("psr.dfh", Any(Sys(19), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // PSR.sp (20): secure performance monitors.
        Raw("psr.sp", Any(Sys(20), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        Raw("psr.sp", Any(Sys(20), MovToPsrL), Any(MovFromIndPmd, MovToPsrUm, Named("rum", "sum")), Semantics.Data);
        // PSR.di (22): disable instruction set transition.
        Raw("psr.di", Any(Sys(22), MovToPsrL), BrIa, Semantics.Data);
        Raw("psr.di", Any(Sys(22), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        // PSR.si (23): secure interval timer.
        Raw("psr.si", Any(Sys(23), MovToPsrL), MovFromPsr, Semantics.ImpliedF);
        Raw("psr.si", Any(Sys(23), MovToPsrL), MovFromArItcRuc, Semantics.Data);
        // PSR.db (24), PSR.lp (25), PSR.tb (26), PSR.rt (27): only mov psr.l= (of these) writes them.
        Raw("psr.db", MovToPsrL, Any(LfetchAll, MemReaders, MemWriters, ProbeFault), Semantics.Data);
        Raw("psr.db", MovToPsrL, MovFromPsr, Semantics.ImpliedF);
        Raw("psr.lp", MovToPsrL, MovFromPsr, Semantics.ImpliedF);
        Raw("psr.lp", MovToPsrL, BrRet, Semantics.Data);
        Raw("psr.tb", MovToPsrL, Any(Branches, Chk, Named("fchkf")), Semantics.Data);
        Raw("psr.tb", MovToPsrL, MovFromPsr, Semantics.ImpliedF);
        Raw("psr.rt", MovToPsrL, MovFromPsr, Semantics.ImpliedF);
        Raw("psr.rt", MovToPsrL, Named("alloc", "flushrs", "loadrs"), Semantics.Data);
        // PSR.cpl (32–33): the privilege level, which epc raises and br.ret may lower.
        // br.ret writes it too, but a branch writes nothing a later instruction of its group could see (see DependencyChecker).
        // Of the moves of application registers only reads of ar.itc and ar.ruc and writes of those, ar.rsc and ar.k0–7 count.
        Raw("psr.cpl", Named("epc"), Any(PrivOps, BrCall, BrlCall, Named("epc"), Ar(MovFromArM, 44, 45), Ar(MovToArM, 44, 45, 16, 16, 0, 7),
            MovFromIndPmd, ProbeAll, MemReaders, MemWriters, LfetchAll), Semantics.Implied);
        // PSR.vm (46): virtual machine mode, which vmsw switches.
        Raw("psr.vm", Named("vmsw"), Any(MemReaders, MemWriters, MovFromArItcRuc, Both(MovFromInd, IndirectFile("cpuid")), MovToArM,
            // A move from PSR reads only the fields below 32, 35, 36 and cpl as GNU as counts it.
            Except(PrivOps, Any(Named("vmsw"), MovFromPsr)), Named("cover", "thash", "ttag")), Semantics.Implied);

        // Writes after writes of the PSR fields. rfi writes them all: as the later of two writers it conflicts (as the
        // earlier it ends the group).
        var rfi = Named("rfi");
        foreach (var (name, bit, user) in new[] { ("psr.be", 1, true), ("psr.up", 2, true), ("psr.ac", 3, true), ("psr.mfl", 4, true), ("psr.mfh", 5, true),
            ("psr.ic", 13, false), ("psr.i", 14, false), ("psr.pk", 15, false), ("psr.dt", 17, false), ("psr.dfl", 18, false), ("psr.dfh", 19, false),
            ("psr.sp", 20, false), ("psr.pp", 21, false), ("psr.di", 22, false), ("psr.si", 23, false) })
        {
            var writers = user ? Any(User(bit), MovToPsrUm, Sys(bit), MovToPsrL, rfi) : Any(Sys(bit), MovToPsrL, rfi);
            Waw(name, writers, writers, Semantics.ImpliedF);
        }
        // The FP writes that set mfl/mfh conflict with the mask writers, not with each other.
        Waw("psr.mfl", Fr(FrWriters, 2, 31, true), Any(User(4), MovToPsrUm, Sys(4), MovToPsrL, rfi), Semantics.ImpliedF);
        Waw("psr.mfh", Fr(FrWriters, 32, 127, true), Any(User(5), MovToPsrUm, Sys(5), MovToPsrL, rfi), Semantics.ImpliedF);
        var movToPsrL = Any(MovToPsrL, rfi);
        foreach (string name in new[] { "psr.db", "psr.lp", "psr.tb", "psr.rt" }) Waw(name, movToPsrL, movToPsrL, Semantics.ImpliedF);
        var epc = Named("epc", "br.ret", "rfi");
        Waw("psr.cpl", epc, epc, Semantics.ImpliedF);
        var vmsw = Named("vmsw", "rfi");
        Waw("psr.vm", vmsw, vmsw, Semantics.ImpliedF);

        // CFM: a loop branch rotates the registers (and changes its rrb's); what later in its group uses a rotating one
        // reads the frame it changed. Calls, returns and the like write it too, but end their group or, as branches,
        // are never seen by the rest of it.
        var modSched = Named("br.ctop", "br.cexit", "br.wtop", "br.wexit");
        Raw("cfm", modSched, Any(modSched, Named("cover", "alloc", "rfi", "loadrs", "br.ret", "br.call", "brl.call")), Semantics.ImpliedF);
        Raw("cfm", modSched, Rotating, Semantics.ImpliedF);
        rows.Add(new Row("cfm", false, modSched, Any(modSched, Named("br.call", "brl.call", "br.ret", "alloc", "clrrrb", "cover", "rfi")), Semantics.ImpliedF));

        // The translation caches and registers: what an insert or a purge changes, memory accesses (and epc, vmsw, the
        // other inserts and purges) read. GNU as's names: DTC, DTR, ITC, ITR.
        var itc = Named("itc.i", "itc.d");
        var itrAll = Named("itr.i", "itr.d");
        var ptcPtr = Named("ptc.e", "ptc.g", "ptc.ga", "ptc.l", "ptr.i", "ptr.d");
        var inserts = Any(itc, itrAll);
        var mem = Any(MemReaders, MemWriters, NonAccess);
        var epcVmsw = Named("epc", "vmsw");
        Raw("data TLB", Any(ptcPtr, inserts), mem, Semantics.Data);
        Raw("data TLB", inserts, Any(ptcPtr, inserts), Semantics.ImpliedF);
        Raw("data TLB", ptcPtr, inserts, Semantics.ImpliedF);
        rows.Add(new Row("data TLB", false, Any(ptcPtr, inserts), inserts, Semantics.ImpliedF));
        rows.Add(new Row("data TLB", false, inserts, ptcPtr, Semantics.ImpliedF));
        var itrD = Named("itr.d");
        var ptrD = Named("ptr.d");
        Raw("data TR", itrD, mem, Semantics.Data);
        Raw("data TR", itrD, Named("ptc.g", "ptc.ga", "ptc.l", "ptr.d", "itr.d"), Semantics.ImpliedF);
        Raw("data TR", ptrD, mem, Semantics.Data);
        Raw("data TR", ptrD, Named("itr.d", "itc.d"), Semantics.ImpliedF);
        Waw("data TR", itrD, itrD, Semantics.ImpliedF);
        Waw("data TR", itrD, ptrD, Semantics.ImpliedF);
        Raw("instruction TLB", Any(ptcPtr, inserts), epcVmsw, Semantics.Instr);
        Raw("instruction TLB", ptcPtr, inserts, Semantics.ImpliedF);
        Raw("instruction TLB", inserts, Named("itc.d", "itc.i", "itr.d", "itr.i", "ptr.d", "ptr.i", "ptc.g", "ptc.ga", "ptc.l"), Semantics.ImpliedF);
        rows.Add(new Row("instruction TLB", false, Any(ptcPtr, inserts), inserts, Semantics.ImpliedF));
        rows.Add(new Row("instruction TLB", false, inserts, ptcPtr, Semantics.ImpliedF));
        var itrI = Named("itr.i");
        var ptrI = Named("ptr.i");
        Raw("instruction TR", itrI, Named("itr.i", "itc.i", "ptc.g", "ptc.ga", "ptc.l", "ptr.i"), Semantics.ImpliedF);
        Raw("instruction TR", Any(itrI, ptrI), epcVmsw, Semantics.Instr);
        Raw("instruction TR", ptrI, Named("itc.i", "itr.i"), Semantics.ImpliedF);
        Waw("instruction TR", itrI, Any(itrI, ptrI), Semantics.ImpliedF);

        // Control registers that instructions use without naming them.
        Raw(Registers.CrName(Dcr), Cr(MovToCr, Dcr), MemReadersSpec, Semantics.Data);
        Raw(Registers.CrName(Pta), Cr(MovToCr, Pta), Any(MemReaders, MemWriters, NonAccess, Named("thash")), Semantics.Data);
        Raw(Registers.CrName(Gpta), Cr(MovToCr, Gpta), Named("thash"), Semantics.Data);
        Raw(Registers.CrName(Ifa), Cr(MovToCr, Ifa), Any(Itc, Itr), Semantics.Implied);
        Raw(Registers.CrName(Itir), Cr(MovToCr, Itir), Any(Itc, Itr), Semantics.Implied);
        Raw(Registers.CrName(Ipsr), Cr(MovToCr, Ipsr), Named("rfi"), Semantics.Implied);
        Raw(Registers.CrName(Iip), Cr(MovToCr, Iip), Named("rfi"), Semantics.Implied);
        Raw(Registers.CrName(Ifs), Cr(MovToCr, Ifs), Named("rfi"), Semantics.Implied);
        Waw(Registers.CrName(Ifs), Cr(MovToCr, Ifs), Named("cover"), Semantics.ImpliedF);
        Raw(Registers.CrName(Tpr), Cr(MovToCr, Tpr), Any(Cr(MovFromCr, Ivr)), Semantics.Data);
        Raw(Registers.CrName(Tpr), Cr(MovToCr, Tpr), Named("rfi"), Semantics.Implied);
        Raw(Registers.CrName(Tpr), Cr(MovToCr, Tpr), Any(MovToPsrL, Named("ssm")), Semantics.Other);
        // A read of cr.ivr acknowledges the interrupt: it changes cr.irr0–3 and the in-service state, as a write of
        // cr.eoi ends one.
        var readIvr = Cr(MovFromCr, Ivr);
        for (int i = 0; i < 4; i++)
        {
            string irr = Registers.CrName(Irr0 + i);
            Raw(irr, readIvr, Cr(MovFromCr, Irr0 + i), Semantics.Data);
            Waw(irr, readIvr, readIvr, Semantics.ImpliedF);
        }
        Raw("in-service interrupts", Cr(MovToCr, Eoi), Cr(MovFromCr, Ivr), Semantics.Data);
        Raw("in-service interrupts", Cr(MovFromCr, Ivr), Cr(MovFromCr, Ivr), Semantics.ImpliedF);
        Raw("in-service interrupts", Cr(MovToCr, Eoi), Cr(MovToCr, Eoi), Semantics.ImpliedF);
        var interruptState = Any(Cr(MovToCr, Eoi), Cr(MovFromCr, Ivr));
        Waw("in-service interrupts", interruptState, interruptState, Semantics.Other);
        return rows.ToArray();
    }
}
