using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace IvtGen.Isa;

/// <summary>
/// Assembles GNU as source for IA-64 into raw .text bytes. Pipeline: <see cref="SourceParser"/> (items and form
/// choice) → layout (explicit bundles as written, other runs packed by <see cref="Bundler"/>, .align/.org) →
/// resolution of labels and branch displacements → encoding → instruction-group rules and dependency checks.
/// </summary>
public static class Assembler
{
    public static AssemblyResult Assemble(string source)
    {
        var diags = new List<AsmDiagnostic>();
        var items = SourceParser.Parse(source, diags, out var absolute);
        var layout = new Layout(diags, absolute);
        layout.Run(items);
        return layout.Finish();
    }

    private sealed class Layout
    {
        private readonly List<AsmDiagnostic> _diags;
        private readonly IReadOnlyDictionary<string, long> _absolute;
        private readonly Dictionary<string, long> _labels = new(StringComparer.Ordinal);
        private readonly List<(AssembledBundle Bundle, InsnItem?[] Items)> _bundles = new();
        private readonly List<(long At, long Size)> _gaps = new();
        private readonly List<InsnItem> _run = new();
        private long _pc;
        private bool _auto;

        public Layout(List<AsmDiagnostic> diags, IReadOnlyDictionary<string, long> absolute)
        {
            _diags = diags;
            _absolute = absolute;
        }

        private void Error(SourceItem at, string msg) => _diags.Add(new AsmDiagnostic(AsmSeverity.Error, at.Line, at.Column, msg));

        public void Run(List<SourceItem> items)
        {
            for (int i = 0; i < items.Count; i++)
            {
                switch (items[i])
                {
                    case InsnItem ins:
                        _run.Add(ins);
                        break;
                    case StopItem stop:
                        AttachStop(items, i, stop);
                        break;
                    case LabelItem label:
                        Flush();
                        if (_labels.ContainsKey(label.Name) || _absolute.ContainsKey(label.Name))
                            Error(label, $"label '{SourceParser.DisplayName(label.Name)}' is already defined");
                        else _labels[label.Name] = _pc;
                        break;
                    case BundleItem b:
                        Flush();
                        PlaceExplicit(b);
                        break;
                    case DirectiveItem d:
                        Directive(d);
                        break;
                }
            }
            Flush();
        }

        /// <summary>A stop on a line of its own belongs to the instruction before it, even across labels.</summary>
        private void AttachStop(List<SourceItem> items, int i, StopItem stop)
        {
            if (_run.Count > 0) { _run[_run.Count - 1].StopAfter = true; return; }
            for (int j = i - 1; j >= 0; j--)
            {
                if (items[j] is InsnItem prev)
                {
                    // Its run was already packed (a label intervened): the stop after it can no longer be placed.
                    Error(stop, "a stop after a label must follow the instruction before the label; move ';;' before the label");
                    _ = prev;
                    return;
                }
                if (items[j] is BundleItem) { Error(stop, "a stop after '}' belongs inside the bundle"); return; }
            }
            // A stop before any instruction separates nothing.
        }

        private void Directive(DirectiveItem d)
        {
            switch (d.Kind)
            {
                case DirectiveKind.Explicit: Flush(); _auto = false; break;
                case DirectiveKind.Auto: Flush(); _auto = true; break;
                case DirectiveKind.Align:
                {
                    Flush();
                    long a = ((Expr.Number)d.Value!).Value;
                    while (a > Bundle.Size && _pc % a != 0) AddBundle(NopBundle(), new InsnItem?[3]);
                    break;
                }
                case DirectiveKind.Org:
                {
                    Flush();
                    var v = d.Value!.Evaluate(LookupKnown, out string? err);
                    if (v is null) { Error(d, ".org needs a value known here: " + err); break; }
                    long target = v.Value.Constant;
                    if (target < _pc) Error(d, string.Format(CultureInfo.InvariantCulture, ".org 0x{0:x} would move the location counter back from 0x{1:x}", target, _pc));
                    else if (target % Bundle.Size != 0) Error(d, string.Format(CultureInfo.InvariantCulture, ".org 0x{0:x} is not bundle (16-byte) aligned", target));
                    else if (target > _pc) { _gaps.Add((_pc, target - _pc)); _pc = target; }
                    break;
                }
            }
        }

        private long? LookupKnown(string name) =>
            _labels.TryGetValue(name, out long l) ? l : _absolute.TryGetValue(name, out long a) ? a
            : Registers.TryPsrField(name, out long psr) ? psr : null;

        private void Flush()
        {
            if (_run.Count == 0) return;
            if (_auto) DependencyChecker.InsertStops(_run);
            var packed = Bundler.Pack(_run, out int failed);
            if (packed is null)
            {
                var f = _run[failed];
                Error(f, $"'{f.Form.Mnemonic}' ({f.Form.Unit} unit) fits no bundle template here" +
                    (f.Form.Has(InsnFlags.LastInBundle) ? " (it must be in the last slot)" : ""));
            }
            else
            {
                foreach (var p in packed)
                {
                    var items = new InsnItem?[3];
                    for (int s = 0; s < 3; s++)
                        if (p[s] >= 0)
                        {
                            items[s] = _run[p[s]];
                            items[s]!.ChooseFor(p.Template.Slots[s]);
                        }
                    AddBundle(p.Template, items);
                }
            }
            _run.Clear();
        }

        private void PlaceExplicit(BundleItem b)
        {
            var ins = b.Instructions;
            if (b.Broken)
            {
                // Keep the bundle's 16 bytes so later addresses and messages stay right; its errors are reported.
                AddBundle(NopBundle(), new InsnItem?[3]);
                return;
            }
            if (ins.Count == 0) { Error(b, "empty bundle"); return; }
            if (b.TemplateName is null)
            {
                var packed = Bundler.Pack(ins, out _);
                if (packed is null || packed.Count != 1) { Error(b, "these instructions do not fit one bundle"); return; }
                var p = packed[0];
                var items = new InsnItem?[3];
                for (int s = 0; s < 3; s++)
                    if (p[s] >= 0)
                    {
                        items[s] = ins[p[s]];
                        items[s]!.ChooseFor(p.Template.Slots[s]);
                    }
                AddBundle(p.Template, items);
                return;
            }
            var candidates = Template.All.Where(t => t.Name == b.TemplateName).ToList();
            if (candidates.Count == 0) { Error(b, $"unknown bundle template '{b.TemplateName}'"); return; }
            var slots = new InsnItem?[3];
            bool isLong = candidates[0].IsLong;
            int capacity = isLong ? 2 : 3;
            if (ins.Count > capacity) { Error(ins[capacity], $"too many instructions for a {b.TemplateName} bundle"); return; }
            int stopMask = 0;
            for (int k = 0; k < ins.Count; k++)
            {
                int slot = isLong && k == 1 ? 2 : k;
                var kind = candidates[0].Slots[slot];
                // Unit-less spellings (nop, break, chk.s, mov ar=…) take the unit of the slot they are in, as in GNU as.
                ins[k].ChooseFor(kind);
                if (!ins[k].Form.Unit.FitsIn(kind))
                {
                    Error(ins[k], $"'{ins[k].Form.Mnemonic}' ({ins[k].Form.Unit} unit) cannot go in slot {slot} ({kind}) of {b.TemplateName}");
                    return;
                }
                if (ins[k].Form.Has(InsnFlags.LastInBundle) && slot != 2)
                {
                    Error(ins[k], $"'{ins[k].Form.Mnemonic}' must be in the last slot of its bundle");
                    return;
                }
                slots[slot] = ins[k];
                if (ins[k].StopAfter) stopMask |= 1 << (k == ins.Count - 1 ? 2 : slot);
            }
            var t = candidates.FirstOrDefault(c => c.StopMask == stopMask);
            if (t is null)
            {
                Error(b, $"template {b.TemplateName} has no form with stops {DescribeStops(stopMask)}");
                return;
            }
            AddBundle(t, slots);
        }

        private static string DescribeStops(int mask)
        {
            var l = new List<string>();
            for (int s = 0; s < 3; s++) if ((mask >> s & 1) != 0) l.Add(s == 2 ? "at the end" : $"after slot {s}");
            return l.Count == 0 ? "none" : string.Join(" and ", l);
        }

        private static Template NopBundle() => Template.FromCode(0x08)!; // GNU pads code with MMI nop bundles

        private void AddBundle(Template t, InsnItem?[] items)
        {
            var slots = new Instruction[3];
            var lines = new int[3];
            var bundle = new AssembledBundle(_pc, t, slots, lines);
            for (int s = 0; s < 3; s++) if (items[s] is { } it) lines[s] = it.Line;
            _bundles.Add((bundle, items));
            _pc += Bundle.Size;
        }

        public AssemblyResult Finish()
        {
            var code = new byte[_pc];
            var result = new List<AssembledBundle>(_bundles.Count);
            foreach (var (bundle, items) in _bundles)
            {
                var words = new ulong[3];
                ulong lWord = 0;
                for (int s = 0; s < 3; s++)
                {
                    var kind = bundle.Template.Slots[s];
                    if (kind == SlotKind.L) continue;
                    Instruction ins;
                    if (items[s] is { } item)
                    {
                        var resolved = Resolve(item, bundle.Address);
                        if (resolved is null) continue;
                        ins = resolved.Value;
                    }
                    else ins = Nops.For(kind);
                    bundle.Slots[s] = ins;
                    if (InstructionEncoder.TryEncode(ins, out var w) is { } err)
                    {
                        if (items[s] is { } bad) Error(bad, err);
                        continue;
                    }
                    words[s] = w.Slot;
                    if (kind == SlotKind.X) lWord = w.Long;
                }
                if (bundle.Template.IsLong) words[1] = lWord;
                bundle.Bits = Bundle.Create(bundle.Template.Code, words[0], words[1], words[2]);
                bundle.Bits.Write(code.AsSpan((int)bundle.Address, Bundle.Size));
                result.Add(bundle);
            }
            GroupRules.Check(_bundles.Select(b => (b.Bundle, b.Items)).ToList(), new HashSet<long>(_labels.Values), _diags, !_auto);
            var ordered = _diags.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
            return new AssemblyResult(code, result, _labels, ordered);
        }

        /// <summary>Evaluates the operands left for after layout: labels, forward symbols, branch displacements.</summary>
        private Instruction? Resolve(InsnItem item, long bundleAddress)
        {
            var m = item.Match;
            if (m.IsResolved) return new Instruction(m.Form, m.Qp, m.Values);
            var values = (long[])m.Values.Clone();
            foreach (var p in m.Pending)
            {
                int i = p.Index, col = p.Column;
                var v = p.Expr.Evaluate(name => name == "." ? bundleAddress : LookupKnown(name), out string? err);
                if (v is null)
                {
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, item.Line, col, SourceParser.DisplayName(err ?? "cannot evaluate operand")));
                    return null;
                }
                var op = m.Form.Operands[i];
                long value = op.Kind == OperandKind.Target ? v.Value.Constant - bundleAddress : v.Value.Constant;
                if (op.Field is not null && !op.TryToStored(value, out _))
                {
                    string msg = op.Kind == OperandKind.Target
                        ? string.Format(CultureInfo.InvariantCulture, "branch target out of range: displacement {0} does not fit {1} bits", value, op.Field.Width + 4)
                        : InstructionEncoder.Describe(op, value);
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, item.Line, col, msg));
                    return null;
                }
                values[i] = value;
            }
            return new Instruction(m.Form, m.Qp, values);
        }
    }
}
