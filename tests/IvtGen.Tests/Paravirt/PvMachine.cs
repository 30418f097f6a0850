using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IvtGen.Isa;

namespace IvtGen.Tests.Paravirt;

/// <summary>
/// A value in <see cref="PvMachine"/>: a constant, or a symbolic expression plus a constant offset
/// (<c>r16@0</c> is r16's value before the sequence, <c>mem8[0xfffffffffff048a0]</c> what a load read).
/// </summary>
public readonly struct PvValue : IEquatable<PvValue>
{
    public PvValue(string? sym, long offset)
    {
        Sym = sym;
        Offset = offset;
    }

    public string? Sym { get; }
    public long Offset { get; }
    public bool IsConst => Sym is null;

    public static PvValue Const(long v) => new(null, v);
    public static PvValue Of(string sym) => new(sym, 0);

    public PvValue Add(PvValue o)
    {
        if (o.IsConst) return new PvValue(Sym, unchecked(Offset + o.Offset));
        if (IsConst) return new PvValue(o.Sym, unchecked(Offset + o.Offset));
        var parts = new[] { Sym!, o.Sym! };
        Array.Sort(parts, StringComparer.Ordinal);
        return new PvValue("(" + parts[0] + "+" + parts[1] + ")", unchecked(Offset + o.Offset));
    }

    public bool Equals(PvValue o) => Sym == o.Sym && Offset == o.Offset;
    public override bool Equals(object? obj) => obj is PvValue v && Equals(v);
    public override int GetHashCode() => (Sym?.GetHashCode() ?? 0) ^ Offset.GetHashCode();

    public override string ToString() =>
        Sym is null ? Hex(Offset)
        : Offset == 0 ? Sym
        : Sym + (Offset < 0 ? "-" + (-Offset).ToString(CultureInfo.InvariantCulture) : "+" + Offset.ToString(CultureInfo.InvariantCulture));

    public static string Hex(long v) => "0x" + ((ulong)v).ToString("x", CultureInfo.InvariantCulture);
}

/// <summary>Something the sequence did that the world sees: a load, a store, a hyperprivop, a user-mask change.</summary>
public sealed record PvEvent(string Kind, int Size, string Address, string Value, string Guard)
{
    public override string ToString() =>
        (Guard.Length > 0 ? "(" + Guard + ") " : "") + Kind + (Size > 0 ? Size.ToString(CultureInfo.InvariantCulture) : "") +
        (Address.Length > 0 ? " [" + Address + "]" : "") + (Value.Length > 0 ? " " + Value : "");
}

/// <summary>
/// Runs decoded IA-64 code symbolically — just the instructions paravirtualized sequences use — to check what
/// they do from the bytes: which shared-area addresses they load and store, which hyperprivop each <c>break</c>
/// raises with which r8/r9, and which registers end up changed. Instructions run one after another: with no RAW or
/// WAW inside a group (both assemblers check that), sequential execution is what the hardware does.
/// </summary>
public sealed class PvMachine
{
    /// <summary>Hyperprivops that return a value in r8 (reference §2.2: GET_IVR, GET_PSR, THASH).</summary>
    private static readonly HashSet<long> s_returnsR8 = new() { 0x08, 0x19, 0x0d };

    private readonly Dictionary<string, PvValue> _regs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Size, PvValue Value)> _memory = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public List<PvEvent> Events { get; } = new();
    /// <summary>Every instruction run, formatted from its decoded bits.</summary>
    public List<string> Trace { get; } = new();
    public IReadOnlyCollection<string> Written => _written;

    public PvValue Get(string reg)
    {
        if (reg == "r0") return PvValue.Const(0);
        if (reg == "p0") return PvValue.Const(1);
        if (_regs.TryGetValue(reg, out var v)) return v;
        // Qualifying predicates handed in by the caller are taken as true: the tests follow the path that acts.
        return reg[0] == 'p' ? PvValue.Const(1) : PvValue.Of(reg + "@0");
    }

    private void Set(string reg, PvValue v, PvValue guard)
    {
        if (reg == "r0" || reg == "p0") return;
        _written.Add(reg);
        if (!guard.IsConst) v = PvValue.Of("sel(" + guard + "," + v + "," + Get(reg) + ")");
        _regs[reg] = v;
    }

    /// <summary>Registers whose final value is not their initial one.</summary>
    public IEnumerable<string> Changed() => _regs.Where(kv => !kv.Value.Equals(Initial(kv.Key))).Select(kv => kv.Key);

    public static PvValue Initial(string reg) =>
        reg == "r0" ? PvValue.Const(0) : reg[0] == 'p' ? PvValue.Const(1) : PvValue.Of(reg + "@0");

    /// <summary>Runs from <paramref name="start"/> until control reaches <paramref name="stop"/>.</summary>
    public void Run(IReadOnlyList<DecodedBundle> code, long start, long stop, int maxSteps = 2000)
    {
        var byAddress = code.ToDictionary(b => b.Address);
        long ip = start;
        int steps = 0;
        while (ip != stop)
        {
            if (!byAddress.TryGetValue(ip, out var bundle)) throw new InvalidOperationException($"control reached 0x{ip:x}, which is no bundle of the code");
            long next = ip + Bundle.Size;
            for (int s = 0; s < 3; s++)
            {
                var ins = bundle.Slots[s];
                if (ins.IsDefault) continue;
                if (++steps > maxSteps) throw new InvalidOperationException("too many steps: a loop?");
                long? target = Step(ins, bundle.Address);
                if (target is long t)
                {
                    next = t;
                    break;
                }
            }
            ip = next;
        }
    }

    private static (string Mnemonic, List<string> Outs, List<string> Ins) Split(string text)
    {
        int sp = text.IndexOf(' ');
        if (sp < 0) return (text, new List<string>(), new List<string>());
        string m = text.Substring(0, sp), rest = text.Substring(sp + 1);
        int eq = rest.IndexOf('=');
        var outs = eq < 0 ? new List<string>() : rest.Substring(0, eq).Split(',').ToList();
        var ins = (eq < 0 ? rest : rest.Substring(eq + 1)).Split(',').Where(x => x.Length > 0).ToList();
        return (m, outs, ins);
    }

    private static long Num(string s) =>
        s.StartsWith("0x", StringComparison.Ordinal) ? (long)ulong.Parse(s.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : s.StartsWith("-0x", StringComparison.Ordinal) ? -(long)ulong.Parse(s.Substring(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : long.Parse(s, CultureInfo.InvariantCulture);

    private static bool IsNum(string s) => s.Length > 0 && (char.IsDigit(s[0]) || s[0] == '-');

    private PvValue Operand(string s, long bundle) =>
        s == "ip" ? PvValue.Const(bundle) : IsNum(s) ? PvValue.Const(Num(s)) : Get(s);

    private static string Reg(string mem) => mem.Trim('[', ']');

    /// <summary>Runs one instruction; returns the target of a taken branch.</summary>
    private long? Step(Instruction ins, long bundle)
    {
        string text = Formatter.Format(ins, bundle, (b, d) => PvValue.Hex(b + d));
        Trace.Add(text);
        var guard = ins.Qp == 0 ? PvValue.Const(1) : Get("p" + ins.Qp.ToString(CultureInfo.InvariantCulture));
        if (guard.IsConst && guard.Offset == 0) return null;
        string g = guard.IsConst ? "" : guard.ToString();
        string body = ins.Qp == 0 ? text : text.Substring(text.IndexOf(')') + 2);
        var (m, outs, inputs) = Split(body);
        string baseM = m.Split('.')[0];

        if (m.StartsWith("nop", StringComparison.Ordinal) || m.StartsWith("srlz", StringComparison.Ordinal)) return null;
        if (m.StartsWith("break", StringComparison.Ordinal))
        {
            long imm = Num(inputs[0]);
            Events.Add(new PvEvent("break", 0, "", $"{PvValue.Hex(imm)} r8={Get("r8")} r9={Get("r9")}", g));
            if (s_returnsR8.Contains(imm)) Set("r8", PvValue.Of($"hyper{PvValue.Hex(imm)}({Get("r8")})"), guard);
            return null;
        }
        if (baseM is "sum" or "rum")
        {
            Events.Add(new PvEvent(baseM, 0, "", inputs[0], g));
            return null;
        }
        if (baseM == "br")
        {
            if (!guard.IsConst) throw new InvalidOperationException("a branch on a computed predicate: " + text);
            var t = inputs[0].StartsWith("b", StringComparison.Ordinal) ? Get(inputs[0]) : PvValue.Const(Num(inputs[0]));
            if (!t.IsConst) throw new InvalidOperationException($"indirect branch through {inputs[0]} = {t}, no constant address");
            return t.Offset;
        }
        switch (baseM)
        {
            case "mov" or "movl":
                Set(outs[0], Operand(inputs[0], bundle), guard);
                return null;
            case "add" or "adds" or "addl":
                Set(outs[0], Operand(inputs[0], bundle).Add(Operand(inputs[1], bundle)), guard);
                return null;
            case "cmp":
            {
                // cmp.ne p1,p2 is encoded (and decoded) as cmp.eq p2,p1: one spelling, so that both compare equal.
                string rel = m.Contains(".ne") ? m.Replace(".ne", ".eq") : m;
                var v = PvValue.Of(rel + "(" + Operand(inputs[0], bundle) + "," + Operand(inputs[1], bundle) + ")");
                if (rel != m) v = PvValue.Of("not(" + v + ")");
                Set(outs[0], v, guard);
                if (outs.Count > 1 && outs[1] != "p0") Set(outs[1], PvValue.Of("not(" + v + ")"), guard);
                return null;
            }
            case "ld1" or "ld2" or "ld4" or "ld8":
            {
                int size = baseM[2] - '0';
                string br = Reg(inputs[0]);
                var addr = Get(br);
                var v = Load(addr, size);
                if (m.Contains(".fill")) v = PvValue.Of("fill(" + v + "," + Get("ar.unat") + ")");
                Events.Add(new PvEvent("ld", size, addr.ToString(), "", g));
                Set(outs[0], v, guard);
                if (inputs.Count > 1) Set(br, addr.Add(Operand(inputs[1], bundle)), guard);
                return null;
            }
            case "st1" or "st2" or "st4" or "st8":
            {
                int size = baseM[2] - '0';
                string br = Reg(outs[0]);
                var addr = Get(br);
                var v = Operand(inputs[0], bundle);
                Events.Add(new PvEvent("st", size, addr.ToString(), v.ToString(), g));
                _memory[addr.ToString()] = (size, v);
                if (m.Contains(".spill")) Set("ar.unat", PvValue.Of("unat(" + Get("ar.unat") + "," + addr + ")"), guard);
                if (inputs.Count > 1) Set(br, addr.Add(Operand(inputs[1], bundle)), guard);
                return null;
            }
        }
        throw new NotSupportedException("PvMachine does not model: " + text);
    }

    private PvValue Load(PvValue addr, int size) =>
        _memory.TryGetValue(addr.ToString(), out var m) && m.Size == size ? m.Value : PvValue.Of("mem" + size.ToString(CultureInfo.InvariantCulture) + "[" + addr + "]");
}
