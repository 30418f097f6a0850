using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace IvtGen.Isa;

/// <summary>
/// Assembles GNU as source for IA-64 into raw .text bytes. Pipeline: <see cref="SourceParser"/> (items and form
/// choice) → layout (explicit bundles as written, other runs packed by <see cref="Bundler"/>, .align/.org) →
/// resolution of labels and branch displacements → encoding → instruction-group rules and dependency checks.
/// </summary>
public static partial class Assembler
{
    public static AssemblyResult Assemble(string source) => Assemble(source, Segments.PartChars, out _);

    /// <param name="chunkChars">A source longer than twice this is assembled in parts of about this many characters (<see cref="Segments"/>); tests make it small.</param>
    /// <param name="segments">How many parts were assembled alone and linked; 0 when the source was assembled whole.</param>
    internal static AssemblyResult Assemble(string source, int chunkChars, out int segments)
    {
        segments = 0;
        if (source.Length > 2L * chunkChars && Segments.TryAssemble(new Segments.Text(source), chunkChars, () => Describe(source)) is { } linked)
        {
            segments = linked.Count;
            return linked.Result;
        }
        var layout = Lay(source, chunkChars);
        // The bundle view, should anyone ask for it, is made by assembling the source again: keeping the tables
        // for it would hold ~40 bytes per instruction for as long as the result lives. So they go back to the
        // pool now, for the next source.
        var result = layout.Result(() => Describe(source));
        layout.Release();
        return result;
    }

    /// <summary>Assembles the text <paramref name="reader"/> gives, read a line at a time rather than held whole.</summary>
    /// <param name="lengthHint">About how many characters the text has (a file's size will do), to size the tables once; 0 if unknown.</param>
    public static AssemblyResult Assemble(TextReader reader, long lengthHint = 0)
    {
        var diags = new List<AsmDiagnostic>();
        var layout = new Layout(diags, SourceParser.Parse(reader, diags, lengthHint));
        layout.Run();
        layout.Finish();
        // A reader cannot be read again: the tables stay with the result, for its bundle view.
        return layout.Result(layout.Describe);
    }

    private static Layout Lay(string source, int chunkChars = SourceParser.DefaultChunkChars)
    {
        var diags = new List<AsmDiagnostic>();
        var layout = new Layout(diags, SourceParser.Parse(source, diags, chunkChars));
        layout.Run();
        layout.Finish();
        return layout;
    }

    private static List<AssembledBundle> Describe(string source)
    {
        var layout = Lay(source);
        try { return layout.Describe(); }
        finally { layout.Release(); }
    }

    /// <summary>
    /// A bundle as laid out: its template and, per slot, the index of its instruction in the source's table
    /// (−1 for a nop the assembler fills in). A struct, so that laying out a long source allocates no object per bundle.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)] // Slot0–Slot2 in a row, for the indexer
    internal struct LaidBundle
    {
        public long Address;
        public int Slot0, Slot1, Slot2;
        public byte TemplateCode;
        /// <summary>Bit s: the instruction in slot s was resolved (its operands evaluated); unresolved ones are left empty.</summary>
        public byte Resolved;

        /// <summary>Slot0, Slot1 or Slot2 (<paramref name="slot"/> 0–2): one load, as the three lie in a row (every stage reads the slots in loops).</summary>
        public readonly int this[int slot]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Unsafe.Add(ref Unsafe.AsRef(in Slot0), slot);
        }

        /// <summary>Bit s: slot s holds an instruction of the source (never MLX's L slot: the X slot has its instruction).</summary>
        public readonly byte Occupied
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => (byte)((Slot0 >= 0 ? 1 : 0) | (Slot1 >= 0 ? 2 : 0) | (Slot2 >= 0 ? 4 : 0));
        }

        public readonly Template Template => Template.FromCode(TemplateCode)!;
    }

    private sealed class Layout
    {
        private readonly List<AsmDiagnostic> _diags;
        private readonly ParsedSource _src;
        // Both are the whole source's once a part laid out alone is linked (Link).
        private IReadOnlyDictionary<string, long> _absolute;
        private Dictionary<string, long> _labels = new(StringComparer.Ordinal);
        private LaidBundle[] _bundles;
        private int _bundleCount;
        // The instructions waiting to be packed: [_runStart, _runEnd) of the source's table.
        private int _runStart, _runEnd;
        private long _pc;
        private bool _auto;
        // In .auto mode, where the mode began in the waiting run: a mode directive does not end the bundle (nor does it
        // in GNU as), so a run may hold instructions of both modes, and only the .auto ones get stops inserted.
        private int _autoFrom;
        // '.' while an instruction's pending operands are evaluated: the address of its bundle.
        private long _dot;
        private readonly Func<string, long?> _lookupKnown, _lookupWithDot;
        private readonly Bundler.Packer _packer = new();

        /// <param name="auto">Starts in .auto mode (a part of a source that was in .auto mode where the part begins).</param>
        public Layout(List<AsmDiagnostic> diags, ParsedSource source, bool auto = false)
        {
            _diags = diags;
            _src = source;
            _auto = auto;
            _absolute = source.AbsoluteSymbols;
            // Sized from the table's capacity, not its count, so that parts of a long source rent the same size, which
            // the segments' pool warm-up (Segments.WarmUp) has ready; what is never written is never paged in.
            _bundles = Arrays.Rent<LaidBundle>(BundlesFor(source.Capacity));
            _lookupKnown = LookupKnown;
            _lookupWithDot = name => name == "." ? _dot : LookupKnown(name);
        }

        internal static int BundlesFor(int instructions) => Math.Max(16, instructions / 2);

        private void Error(SourceItem at, string msg) => _diags.Add(new AsmDiagnostic(AsmSeverity.Error, at.Line, at.Column, msg));

        private void Error(int instruction, string msg) =>
            _diags.Add(new AsmDiagnostic(AsmSeverity.Error, _src.Instruction(instruction).Line, _src.ColumnOf(instruction), msg));

        public void Run()
        {
            var items = _src.Items;
            for (int i = 0; i < items.Count; i++)
            {
                switch (items[i])
                {
                    case InstructionsItem run:
                        if (_runEnd == _runStart) _runStart = _runEnd = run.First;
                        // Only .set, .global and stops come between parts of a run, none of which adds instructions.
                        if (run.First != _runEnd) throw new InvalidOperationException("instruction run is not contiguous");
                        _runEnd += run.Count;
                        break;
                    case StopItem stop:
                        AttachStop(items, i, stop);
                        break;
                    case LabelItem label:
                        // `insn / label: / ;;` ends insn's group: take the stop before the run is packed.
                        if (StopFollows(items, i) && _runEnd > _runStart) _src.Instruction(_runEnd - 1).StopAfter = true;
                        // A label does not end a group: in .auto mode the run's last group is checked on into the code after it.
                        Flush(_auto ? CodeAfterLabels(items, i) : _runEnd);
                        if (_labels.ContainsKey(label.Name) || _absolute.ContainsKey(label.Name))
                            Error(label, $"label '{SourceParser.DisplayName(label.Name)}' is already defined");
                        else _labels[label.Name] = _pc;
                        break;
                    case BundleItem b:
                        Flush();
                        if (StopFollows(items, i) && b.Count > 0) _src.Instruction(b.First + b.Count - 1).StopAfter = true;
                        PlaceExplicit(b);
                        break;
                    case DirectiveItem d:
                        Directive(d);
                        break;
                }
            }
            Flush();
        }

        /// <summary>Whether a stop follows item <paramref name="i"/>, past any labels; that stop is marked taken.</summary>
        private bool StopFollows(List<SourceItem> items, int i)
        {
            for (int j = i + 1; j < items.Count; j++)
            {
                if (items[j] is LabelItem) continue;
                if (items[j] is StopItem s) { _takenStops.Add(s); return true; }
                return false;
            }
            return false;
        }

        private readonly HashSet<StopItem> _takenStops = new();

        /// <summary>A stop on a line of its own belongs to the instruction before it, even across labels.</summary>
        private void AttachStop(List<SourceItem> items, int i, StopItem stop)
        {
            if (_takenStops.Contains(stop)) return;
            if (_runEnd > _runStart) { _src.Instruction(_runEnd - 1).StopAfter = true; return; }
            for (int j = i - 1; j >= 0; j--)
            {
                if (items[j] is InstructionsItem)
                {
                    // Its run was already packed (a label intervened): the stop after it can no longer be placed.
                    Error(stop, "a stop after a label must follow the instruction before the label; move ';;' before the label");
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
                case DirectiveKind.Explicit:
                    // The .auto instructions before it get their stops now (those after it are the programmer's).
                    if (_auto) InsertStops(_runEnd);
                    _auto = false;
                    break;
                case DirectiveKind.Auto:
                    if (!_auto) _autoFrom = _runEnd;
                    _auto = true;
                    break;
                case DirectiveKind.Align:
                {
                    Flush();
                    long a = ((Expr.Number)d.Value!).Value;
                    while (a > Bundle.Size && _pc % a != 0) AddBundle(NopBundle(), -1, -1, -1);
                    break;
                }
                case DirectiveKind.Org:
                {
                    Flush();
                    var v = d.Value!.Evaluate(_lookupKnown, out string? err);
                    if (v is null) { Error(d, ".org needs a value known here: " + err); break; }
                    long target = v.Value.Constant;
                    if (target < _pc) Error(d, string.Format(CultureInfo.InvariantCulture, ".org 0x{0:x} would move the location counter back from 0x{1:x}", target, _pc));
                    else if (target % Bundle.Size != 0) Error(d, string.Format(CultureInfo.InvariantCulture, ".org 0x{0:x} is not bundle (16-byte) aligned", target));
                    else if (target > _pc) _pc = target; // the gap stays zero bytes
                    break;
                }
            }
        }

        private long? LookupKnown(string name) =>
            _labels.TryGetValue(name, out long l) ? l : _absolute.TryGetValue(name, out long a) ? a
            : Registers.TryPsrField(name, out long psr) ? psr : null;

        /// <summary>
        /// The end of the instructions that follow the label at item <paramref name="i"/> with nothing but labels, .set and
        /// .global between (they continue the run's instruction group); the run's end when none do.
        /// </summary>
        private int CodeAfterLabels(List<SourceItem> items, int i)
        {
            int end = _runEnd;
            for (int j = i + 1; j < items.Count; j++)
            {
                switch (items[j])
                {
                    case LabelItem:
                    case DirectiveItem { Kind: DirectiveKind.Set or DirectiveKind.Global }:
                        continue;
                    case InstructionsItem run when run.First == end:
                        end += run.Count;
                        continue;
                }
                break;
            }
            return end;
        }

        private void Flush() => Flush(_runEnd);

        /// <param name="lookAhead">In .auto mode, how far the run's last group may reach past the run (past a label).</param>
        private void Flush(int lookAhead)
        {
            if (_runEnd == _runStart) return;
            int first = _runStart;
            if (_auto) InsertStops(lookAhead);
            if (!_packer.Pack(_src.Instructions.Slice(first, _runEnd - first), out int failed))
            {
                var f = _src.Instruction(first + failed).Form;
                Error(first + failed, $"'{f.Mnemonic}' ({f.Unit} unit) fits no bundle template here" +
                    (f.Has(InsnFlags.LastInBundle) ? " (it must be in the last slot)" : ""));
            }
            else AddPacked(first);
            _runStart = _autoFrom = _runEnd;
        }

        /// <summary>
        /// The stops the waiting run's .auto instructions need so that no group has a violation (looking on to
        /// <paramref name="lookAhead"/> for its last group, past a label); what came before them in explicit mode keeps
        /// the programmer's stops, but counts in the group the first of them joins.
        /// </summary>
        private void InsertStops(int lookAhead)
        {
            int from = Math.Max(_runStart, _autoFrom);
            if (from >= _runEnd) return;
            // Their group may have begun before them, in explicit mode.
            int group = from;
            while (group > _runStart && !_src.Instruction(group - 1).StopAfter) group--;
            DependencyChecker.InsertStops(_src, group, from, Math.Max(lookAhead, _runEnd), _runEnd);
        }

        /// <summary>Lays out the bundles the packer chose, their instructions taken in order from <paramref name="first"/>.</summary>
        private void AddPacked(int first)
        {
            var choices = _packer.Choices;
            if (_bundleCount + choices.Length > _bundles.Length) Arrays.Grow(ref _bundles, Math.Max(_bundleCount * 2, _bundleCount + choices.Length), _bundleCount);
            var bundles = _bundles;
            int count = _bundleCount, next = first;
            long pc = _pc;
            for (int i = 0; i < choices.Length; i = next - first)
            {
                int choice = choices[i];
                Bundler.Choice.Slots(choice, ref next, out int s0, out int s1, out int s2);
                int code = Bundler.Choice.TemplateCode(choice);
                if (Bundler.Choice.ChoosesForms(choice)) ChooseForms(code, s0, s1, s2);
                bundles[count++] = new LaidBundle { Address = pc, TemplateCode = (byte)code, Slot0 = s0, Slot1 = s1, Slot2 = s2 };
                pc += Bundle.Size;
            }
            _bundleCount = count;
            _pc = pc;
        }

        /// <summary>Gives the instructions of a bundle the forms that fit their slots (for those that may run on several units).</summary>
        private void ChooseForms(int templateCode, int s0, int s1, int s2)
        {
            var kinds = Template.FromCode(templateCode)!.Slots;
            if (s0 >= 0) _src.ChooseFor(s0, kinds[0]);
            if (s1 >= 0) _src.ChooseFor(s1, kinds[1]);
            if (s2 >= 0) _src.ChooseFor(s2, kinds[2]);
        }

        private void PlaceExplicit(BundleItem b)
        {
            int first = b.First, count = b.Count;
            if (b.Broken)
            {
                // Keep the bundle's 16 bytes so later addresses and messages stay right; its errors are reported.
                AddBundle(NopBundle(), -1, -1, -1);
                return;
            }
            if (count == 0) { Error(b, "empty bundle"); return; }
            if (b.TemplateName is null)
            {
                if (!_packer.Pack(_src.Instructions.Slice(first, count), out _) || Bundler.Choice.Count(_packer.Choices[0]) != count) { Error(b, "these instructions do not fit one bundle"); return; }
                AddPacked(first);
                return;
            }
            var candidates = Template.All.Where(t => t.Name == b.TemplateName).ToList();
            if (candidates.Count == 0) { Error(b, $"unknown bundle template '{b.TemplateName}'"); return; }
            Span<int> slots = stackalloc int[] { -1, -1, -1 };
            bool isLong = candidates[0].IsLong;
            int capacity = isLong ? 2 : 3;
            if (count > capacity) { Error(first + capacity, $"too many instructions for a {b.TemplateName} bundle"); return; }
            int stopMask = 0;
            for (int k = 0; k < count; k++)
            {
                int slot = isLong && k == 1 ? 2 : k;
                var kind = candidates[0].Slots[slot];
                // Unit-less spellings (nop, break, chk.s, mov ar=…) take the unit of the slot they are in, as in GNU as.
                _src.ChooseFor(first + k, kind);
                ref var ins = ref _src.Instruction(first + k);
                if (!ins.Form.Unit.FitsIn(kind))
                {
                    Error(first + k, $"'{ins.Form.Mnemonic}' ({ins.Form.Unit} unit) cannot go in slot {slot} ({kind}) of {b.TemplateName}");
                    return;
                }
                if (ins.Form.Has(InsnFlags.LastInBundle) && slot != 2)
                {
                    Error(first + k, $"'{ins.Form.Mnemonic}' must be in the last slot of its bundle");
                    return;
                }
                slots[slot] = first + k;
                if (ins.StopAfter) stopMask |= 1 << (k == count - 1 ? 2 : slot);
            }
            var t = candidates.FirstOrDefault(c => c.StopMask == stopMask);
            if (t is null)
            {
                Error(b, $"template {b.TemplateName} has no form with stops {DescribeStops(stopMask)}");
                return;
            }
            AddBundle(t, slots[0], slots[1], slots[2]);
        }

        private static string DescribeStops(int mask)
        {
            var l = new List<string>();
            for (int s = 0; s < 3; s++) if ((mask >> s & 1) != 0) l.Add(s == 2 ? "at the end" : $"after slot {s}");
            return l.Count == 0 ? "none" : string.Join(" and ", l);
        }

        private static Template NopBundle() => Template.FromCode(0x08)!; // GNU pads code with MMI nop bundles

        private void AddBundle(Template t, int s0, int s1, int s2)
        {
            if (_bundleCount == _bundles.Length) Arrays.Grow(ref _bundles, _bundleCount * 2, _bundleCount);
            _bundles[_bundleCount++] = new LaidBundle { Address = _pc, TemplateCode = (byte)t.Code, Slot0 = s0, Slot1 = s1, Slot2 = s2 };
            _pc += Bundle.Size;
        }

        private byte[] _code = Array.Empty<byte>();
        private List<AsmDiagnostic> _ordered = new();

        /// <summary>Resolves, encodes and checks the laid-out bundles: the code and the diagnostics.</summary>
        public void Finish()
        {
            // Resolution evaluates labels and writes values and diagnostics: in order, here. After it, encoding and
            // the group checks only read the tables, each into its own list of messages, so for a long source they
            // run side by side (each is about a tenth of assembling); the messages keep the order they had.
            ResolveAll();
            var code = _code = new byte[_pc];
            var encodeDiags = new List<AsmDiagnostic>();
            var groupDiags = new List<AsmDiagnostic>();
            var labels = _labels.Values.ToArray();
            Array.Sort(labels);
            if (_bundleCount >= ParallelBundles)
            {
                var encoding = Task.Run(() => Encode(code, encodeDiags));
                GroupRules.Check(_src, _bundles.AsSpan(0, _bundleCount), labels, groupDiags, !_auto);
                encoding.GetAwaiter().GetResult();
            }
            else
            {
                Encode(code, encodeDiags);
                GroupRules.Check(_src, _bundles.AsSpan(0, _bundleCount), labels, groupDiags, !_auto);
            }
            _diags.AddRange(encodeDiags);
            _diags.AddRange(groupDiags);
            _ordered = _diags.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList();
        }

        private void ResolveAll()
        {
            foreach (ref var bundle in _bundles.AsSpan(0, _bundleCount))
            {
                int resolved = 0;
                if (bundle.Slot0 >= 0 && Resolve(bundle.Slot0, bundle.Address)) resolved |= 1;
                if (bundle.Slot1 >= 0 && Resolve(bundle.Slot1, bundle.Address)) resolved |= 2;
                if (bundle.Slot2 >= 0 && Resolve(bundle.Slot2, bundle.Address)) resolved |= 4;
                bundle.Resolved = (byte)resolved;
            }
        }

        // ---- A part of a source laid out alone (Segments) ----

        /// <summary>The bytes the laid-out bundles take.</summary>
        public long Size => _pc;

        /// <summary>In .auto mode at the end.</summary>
        public bool EndsAuto => _auto;

        /// <summary>The labels defined, at addresses from the start of this part until it is linked.</summary>
        public Dictionary<string, long> Labels => _labels;

        public int BundleCount => _bundleCount;

        /// <summary>
        /// Whether no instruction follows the last stop, so the code after starts a new instruction group (the nops a
        /// bundle is filled with after a stop are in no group: the group checks never see them).
        /// </summary>
        public bool EndsGroup
        {
            get
            {
                if (_bundleCount == 0) return false;
                ref readonly var last = ref _bundles[_bundleCount - 1];
                var template = last.Template;
                for (int s = 2; s >= 0; s--)
                {
                    if (template.StopAfter(s)) return true;
                    if (last[s] >= 0) return false;
                }
                return false;
            }
        }

        /// <summary>
        /// Encodes this part, laid out alone from address 0, into <paramref name="code"/>. Instructions with operands to
        /// evaluate after linking (branch targets, labels) are left as zero slots and listed in <paramref name="fixups"/>;
        /// the group checks count them as resolved, which they are once linked (or the source is assembled whole).
        /// Dependency warnings are always made: whether they stand depends on the mode the whole source ends in.
        /// </summary>
        public void EncodeAlone(byte[] code, List<Fixup> fixups, List<AsmDiagnostic> groupDiags)
        {
            foreach (ref var bundle in _bundles.AsSpan(0, _bundleCount)) bundle.Resolved = bundle.Occupied;
            fixups.Capacity = Math.Max(fixups.Capacity, _src.ExtrasCount);
            Encode(code, _diags, fixups);
            var own = _labels.Values.ToArray();
            Array.Sort(own);
            SerializationPending = GroupRules.Check(_src, _bundles.AsSpan(0, _bundleCount), own, groupDiags, reportDependencies: true);
        }

        /// <summary>
        /// After <see cref="EncodeAlone"/>: whether a write at the end of this part still waits for serialization. The
        /// code after it would have to be checked against that write, which a part laid out alone cannot do.
        /// </summary>
        public bool SerializationPending { get; private set; }

        /// <summary>From this many bundles (a few thousand instructions) encoding is worth a thread of its own.</summary>
        private const int ParallelBundles = 8192;

        /// <summary>Encodes the resolved bundles into <paramref name="code"/>; reads the tables, writes only the code and its messages.</summary>
        /// <param name="fixups">When given, instructions with operands still to evaluate are listed here and their slots left zero.</param>
        private void Encode(byte[] code, List<AsmDiagnostic> diags, List<Fixup>? fixups = null)
        {
            // First every instruction's slot, compiled, in the order of the source's tables; then the bundles, which
            // only pick them up. Whatever the compiled encoding leaves (NoSlot) goes the general way, bundle by bundle.
            var slots = Arrays.Rent<ulong>(_src.InstructionCount);
            try
            {
                CompiledEncoding.EncodeSlots(_src, slots.AsSpan(0, _src.InstructionCount));
                var nops = s_nopSlots;
                foreach (ref readonly var bundle in _bundles.AsSpan(0, _bundleCount))
                {
                    // Slot by slot, unrolled: a nop, zero for an instruction not resolved, or the compiled slot. MLX's
                    // L slot holds no instruction (−1): its bits are the high part of the X slot's, which the general
                    // way gives whole.
                    ref readonly var nop = ref nops[bundle.TemplateCode];
                    int resolved = bundle.Resolved;
                    ulong s0 = bundle.Slot0 < 0 ? nop.S0 : (resolved & 1) == 0 ? 0 : slots[bundle.Slot0];
                    ulong s1 = bundle.Slot1 < 0 ? nop.S1 : (resolved & 2) == 0 ? 0 : slots[bundle.Slot1];
                    ulong s2 = bundle.Slot2 < 0 ? nop.S2 : nop.IsLong ? CompiledEncoding.NoSlot : (resolved & 4) == 0 ? 0 : slots[bundle.Slot2];
                    // NoSlot has bits no slot has: one test finds any.
                    var bits = (s0 | s1 | s2) > Bundle.SlotMask ? Otherwise(bundle, s0, s1, s2, diags, fixups) : Bundle.Create(bundle.TemplateCode, s0, s1, s2);
                    bits.Write(code.AsSpan((int)bundle.Address, Bundle.Size));
                }
            }
            finally
            {
                Arrays.Return(slots);
            }
        }

        /// <summary><paramref name="bundle"/>, its slots that the compiled encoding left (<see cref="CompiledEncoding.NoSlot"/>) taken the general way.</summary>
        private Bundle Otherwise(in LaidBundle bundle, ulong s0, ulong s1, ulong s2, List<AsmDiagnostic> diags, List<Fixup>? fixups)
        {
            if (s0 == CompiledEncoding.NoSlot) s0 = WordOtherwise(bundle, 0, diags, fixups).Slot;
            if (s1 == CompiledEncoding.NoSlot) s1 = WordOtherwise(bundle, 1, diags, fixups).Slot;
            if (s2 == CompiledEncoding.NoSlot)
            {
                var w = WordOtherwise(bundle, 2, diags, fixups);
                s2 = w.Slot;
                if (bundle.Template.IsLong) s1 = w.Long;
            }
            return Bundle.Create(bundle.TemplateCode, s0, s1, s2);
        }

        /// <summary>
        /// The encoding of the instruction in <paramref name="slot"/> of <paramref name="bundle"/> when the compiled encoding has none:
        /// zero when it is not resolved, is left for a fixup, or does not encode (then with its message).
        /// </summary>
        private InsnWord WordOtherwise(in LaidBundle bundle, int slot, List<AsmDiagnostic> diags, List<Fixup>? fixups)
        {
            if ((bundle.Resolved >> slot & 1) == 0) return default;
            int index = bundle[slot];
            ref var ins = ref _src.Instruction(index);
            if (fixups is not null && ins.HasExtra && _src.PendingOf(index) is { } pending)
            {
                fixups.Add(new Fixup(bundle.Address, slot, bundle.TemplateCode, ins.Form, ins.Qp, Values(index), pending));
                return default;
            }
            if (InstructionEncoder.TryEncode(ins.Form, ins.Qp, _src.ValuesOf(index, _values), out var word) is { } err)
            {
                diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, _src.ColumnOf(index), err));
                return default;
            }
            return word;
        }

        /// <summary>The operand values of instruction <paramref name="index"/>, in an array of their own.</summary>
        private long[] Values(int index)
        {
            var values = new long[_src.Instruction(index).OperandCount];
            _src.ValuesOf(index, values);
            return values;
        }

        // Room for the values of the instruction being encoded the general way (one encoding runs at a time).
        private readonly long[] _values = new long[ParsedSource.MaxOperands];

        public AssemblyResult Result(Func<List<AssembledBundle>> bundles) => new(_code, new LazyList<AssembledBundle>(bundles), _labels, _ordered);

        /// <summary>Gives the tables back to the pool; the layout is not to be used after.</summary>
        public void Release()
        {
            _src.Release();
            Arrays.Return(_bundles);
            _bundles = Array.Empty<LaidBundle>();
            _bundleCount = 0;
        }

        /// <summary>The public view of the laid-out bundles.</summary>
        public List<AssembledBundle> Describe() => Assembler.Describe(_src, _bundles, _bundleCount, _code);

        /// <summary>Per template code, the slots of a bundle of nops (the L slot: nop.x's high part).</summary>
        private static readonly NopSlots[] s_nopSlots = BuildNopSlots();

        private readonly struct NopSlots
        {
            public readonly ulong S0, S1, S2;
            public readonly bool IsLong;

            public NopSlots(ulong s0, ulong s1, ulong s2, bool isLong)
            {
                S0 = s0;
                S1 = s1;
                S2 = s2;
                IsLong = isLong;
            }
        }

        private static NopSlots[] BuildNopSlots()
        {
            var slots = new NopSlots[32];
            foreach (var t in Template.All)
            {
                ulong Nop(int s) => InstructionEncoder.Encode(Nops.For(t.Slots[s])).Slot;
                slots[t.Code] = t.IsLong
                    ? new NopSlots(Nop(0), InstructionEncoder.Encode(Nops.For(SlotKind.X)).Long, Nop(2), isLong: true)
                    : new NopSlots(Nop(0), Nop(1), Nop(2), isLong: false);
            }
            return slots;
        }

        /// <summary>Evaluates the operands left for after layout (labels, forward symbols, branch displacements) into the values.</summary>
        private bool Resolve(int index, long bundleAddress)
        {
            ref var ins = ref _src.Instruction(index);
            var pending = _src.PendingOf(index);
            if (pending is null) return true;
            // Evaluated into a copy: an instruction that fails keeps its values (and is left out of the bundle view).
            Span<long> resolved = stackalloc long[ParsedSource.MaxOperands];
            resolved = _src.ValuesOf(index, resolved);
            _dot = bundleAddress;
            foreach (var p in pending)
            {
                if (Evaluate(ins.Form, p, _lookupWithDot, bundleAddress, out long value) is { } msg)
                {
                    _diags.Add(new AsmDiagnostic(AsmSeverity.Error, ins.Line, p.Column, msg));
                    return false;
                }
                resolved[p.Index] = value;
            }
            _src.SetValues(index, resolved);
            return true;
        }
    }

    /// <summary>
    /// The value of an operand left for after layout, in the bundle at <paramref name="bundleAddress"/> (a branch target
    /// becomes its displacement), or why it has none: resolution and the fixups of linked parts both ask here.
    /// </summary>
    internal static string? Evaluate(Form form, in PendingOperand p, Func<string, long?> lookup, long bundleAddress, out long value)
    {
        value = 0;
        var v = p.Expr.Evaluate(lookup, out string? err);
        if (v is null) return SourceParser.DisplayName(err ?? "cannot evaluate operand");
        var op = form.Operands[p.Index];
        value = op.Kind == OperandKind.Target ? v.Value.Constant - bundleAddress : v.Value.Constant;
        if (op.Field is null || op.TryToStored(value, out _)) return null;
        return op.Kind == OperandKind.Target
            ? string.Format(CultureInfo.InvariantCulture, "branch target out of range: displacement {0} does not fit {1} bits", value, op.Field.Width + 4)
            : InstructionEncoder.Describe(op, value);
    }

    /// <summary>The symbol an instruction's branch target or immediate names (what a linker would relocate), or null.</summary>
    private static string? NamedSymbol(ParsedSource src, int index)
    {
        var pending = src.PendingOf(index);
        if (pending is null) return null;
        var names = new List<string>();
        foreach (var p in pending)
        {
            names.Clear();
            p.Expr.CollectSymbols(names);
            foreach (var n in names) if (n != ".") return n;
        }
        return null;
    }

    private static List<AssembledBundle> Describe(ParsedSource src, LaidBundle[] bundles, int count, byte[] code)
    {
        var list = new List<AssembledBundle>(count);
        var values = new long[ParsedSource.MaxOperands];
        for (int k = 0; k < count; k++)
        {
            ref readonly var b = ref bundles[k];
            var template = b.Template;
            var slots = new Instruction[3];
            var lines = new int[3];
            for (int s = 0; s < 3; s++)
            {
                var kind = template.Slots[s];
                int index = b[s];
                if (index >= 0)
                {
                    ref var ins = ref src.Instruction(index);
                    lines[s] = ins.Line;
                    if ((b.Resolved >> s & 1) != 0) slots[s] = new Instruction(ins.Form, ins.Qp, src.ValuesOf(index, values).ToArray());
                }
                else if (kind != SlotKind.L) slots[s] = Nops.For(kind);
            }
            // The bits are read back from the code, where Finish wrote them.
            var described = new AssembledBundle(b.Address, template, slots, lines) { Bits = Bundle.Read(code.AsSpan((int)b.Address)) };
            for (int s = 0; s < 3; s++)
                if (b[s] >= 0) described.Symbols[s] = NamedSymbol(src, b[s]);
            list.Add(described);
        }
        return list;
    }
}
