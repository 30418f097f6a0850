using System;
using System.Collections.Generic;

namespace IvtGen.Isa;

/// <summary>
/// Dependencies a stop does not clear (SDM vol. 2 §3.2, "Serialization"): after a write of a control register, or of
/// a PSR field by rsm, ssm or mov psr.l=, a later reader must wait for data serialization (a stop, then <c>srlz.d</c>)
/// or, for what instruction fetch uses (cr.iva), instruction serialization (a stop, <c>srlz.i</c>, and a stop). GNU
/// as -x tracks them from group to group; so does this, with its rules:
/// <list type="bullet">
/// <item>"data" and "instr" writes wait for the stop that ends their group; then <c>srlz.d</c> settles both (as GNU
/// as has it), <c>srlz.i</c> settles an "instr" write at the next stop;</item>
/// <item>"other" writes (cr.lid, cr.tpr for ssm, the in-service interrupts) are settled by <c>srlz.d</c> alone;</item>
/// <item>a taken branch (unpredicated, or br.ia, rfi) ends the path: nothing is pending after it; a predicated branch
/// settles the writes on its predicate (as the group checks forget them);</item>
/// <item>readers in the writer's own group are the group checks' (DependencyChecker), not this.</item>
/// </list>
/// Fed the instructions of the code in order, a group at a time; one instance serves a whole source.
/// </summary>
internal sealed class SerializationChecker
{
    private const byte None = 0, Stopped = 1, Serialized = 2;

    /// <summary>A write still waiting for serialization.</summary>
    private struct Pending
    {
        public int Resource, Writer, Qp, Group;
        public ImplicitResources.Semantics Semantics;
        public byte Insn, Data;
        /// <summary>The writer's predicate has not been written since: a branch on it settles the write.</summary>
        public bool Linked;
    }

    /// <summary>A reader that met a pending write: source instruction indices and the resource, as DependencyChecker numbers it.</summary>
    public readonly record struct Violation(int Writer, int Reader, int Resource, bool IsRaw, ImplicitResources.Semantics Semantics);

    private Pending[] _pending = new Pending[8];
    private int _count;
    private int _group = 1;

    /// <summary>Whether some write waits for serialization: until one does, nothing needs a look.</summary>
    public bool Active => _count != 0;

    public void Clear()
    {
        _count = 0;
        _group++;
    }

    /// <summary>The semantics of an explicit write of control register <paramref name="cr"/> for a later move from it (null: none to track).</summary>
    private static ImplicitResources.Semantics? CrSemantics(int cr) => cr switch
    {
        2 => ImplicitResources.Semantics.Instr,                       // cr.iva: interruptions fetch from it
        64 => ImplicitResources.Semantics.Other,                      // cr.lid
        0 or 1 or 8 or 9 or 16 or 17 or 19 or 20 or 21 or 22 or 23 or 24 or 25 or 66 or 72 or 73 or 74 or 80 or 81 => ImplicitResources.Semantics.Data,
        _ => null,                                                   // reserved, read-only or write-only (cr.ivr, cr.eoi, cr.irr0–3)
    };

    private static bool Lasting(int row) => ImplicitResources.Rows[row].Semantics is ImplicitResources.Semantics.Data or ImplicitResources.Semantics.Instr or ImplicitResources.Semantics.Other;

    /// <summary>
    /// The next instruction, source instruction <paramref name="index"/>: its reads against the writes of earlier
    /// groups still pending (unless their predicates are exclusive), then its own writes, serializations and branches.
    /// </summary>
    public void Add(DependencyChecker.FormFacts facts, Form form, int qp, ReadOnlySpan<int> values, int index, DependencyChecker.PredicateRelations? relations, List<Violation> found)
    {
        if (_count != 0) Check(facts, qp, values, index, relations, found);
        if ((facts.Attention & DependencyChecker.FormFacts.Serializing) != 0) Record(facts, form, qp, values, index);
        if (_count == 0) return;
        switch (form.Mnemonic)
        {
            case "srlz.d":
                // Settles the data and instr writes a stop has passed, and every "other" write.
                Remove(p => p.Data == Stopped || p.Semantics == ImplicitResources.Semantics.Other);
                break;
            case "srlz.i":
                for (int i = 0; i < _count; i++) if (_pending[i].Insn == Stopped) _pending[i].Insn = Serialized;
                break;
        }
        if (facts.Flow != 0) Branch(facts, qp);
        if (facts.TouchesPredicates) Unlink(facts, values);
    }

    /// <summary>The stop that ends the group.</summary>
    public void Stop()
    {
        if (_count != 0)
        {
            Remove(p => p.Insn == Serialized);
            for (int i = 0; i < _count; i++)
            {
                ref var p = ref _pending[i];
                if (p.Semantics is ImplicitResources.Semantics.Data or ImplicitResources.Semantics.Instr)
                {
                    if (p.Insn == None) p.Insn = Stopped;
                    if (p.Data == None) p.Data = Stopped;
                }
            }
        }
        _group++;
    }

    private void Check(DependencyChecker.FormFacts facts, int qp, ReadOnlySpan<int> values, int index, DependencyChecker.PredicateRelations? relations, List<Violation> found)
    {
        // Moves from a control register.
        foreach (int e in facts.Reads)
        {
            int r = DependencyChecker.ResourceOf(e, values);
            if (r >= 456 && r < DependencyChecker.ResourceCount) Meet(r, true, qp, index, relations, found);
        }
        // Implicit resources: the rows it reads (or writes again, for WAW rows).
        int done = -1;
        foreach (var use in facts.ImplicitReads)
        {
            if (use.Row == done || !Lasting(use.Row) || !use.Holds(values)) continue;
            done = use.Row;
            Meet(DependencyChecker.ResourceCount + use.Row, ImplicitResources.Rows[use.Row].IsRaw, qp, index, relations, found);
        }
    }

    private void Meet(int r, bool isRaw, int qp, int index, DependencyChecker.PredicateRelations? relations, List<Violation> found)
    {
        for (int i = 0; i < _count; i++)
        {
            ref var p = ref _pending[i];
            if (p.Resource != r || p.Group == _group || relations?.Exclusive(p.Qp, qp) == true) continue;
            found.Add(new Violation(p.Writer, index, r, isRaw, p.Semantics));
        }
    }

    private void Record(DependencyChecker.FormFacts facts, Form form, int qp, ReadOnlySpan<int> values, int index)
    {
        if (form.Format == "M32")
        {
            foreach (int e in facts.Writes)
            {
                int r = DependencyChecker.ResourceOf(e, values);
                if (r >= 456 && r < DependencyChecker.ResourceCount && CrSemantics(r - 456) is { } s) Push(r, s, qp, index);
            }
        }
        foreach (var use in facts.ImplicitWrites)
            if (Lasting(use.Row) && use.Holds(values)) Push(DependencyChecker.ResourceCount + use.Row, ImplicitResources.Rows[use.Row].Semantics, qp, index);
    }

    private void Push(int r, ImplicitResources.Semantics s, int qp, int index)
    {
        if (_count == _pending.Length) Array.Resize(ref _pending, _count * 2);
        _pending[_count++] = new Pending { Resource = r, Writer = index, Qp = qp, Group = _group, Semantics = s, Linked = true };
    }

    private void Branch(DependencyChecker.FormFacts facts, int qp)
    {
        if (DependencyChecker.EndsPath(facts, qp))
        {
            _count = 0;
            return;
        }
        if (facts.Flow != DependencyChecker.FormFacts.EndsPathUnpredicated) return;
        if (!facts.IsCall)
        {
            // Taken exactly when the writes on its predicate happened (unless the predicate changed in between).
            Remove(p => p.Qp == qp && p.Linked);
            return;
        }
        // A predicated call is a group break for the writes on its predicate.
        for (int i = 0; i < _count; i++)
        {
            ref var p = ref _pending[i];
            if (p.Qp != qp) continue;
            if (p.Insn == None) p.Insn = Stopped;
            if (p.Data == None) p.Data = Stopped;
        }
        Remove(p => p.Qp == qp && p.Insn == Serialized);
    }

    /// <summary>A write of a predicate breaks the link of the writes on it to a later branch on it.</summary>
    private void Unlink(DependencyChecker.FormFacts facts, ReadOnlySpan<int> values)
    {
        for (int i = 0; i < _count; i++)
        {
            ref var p = ref _pending[i];
            if (facts.RewritesPredicates) p.Linked = false;
            else foreach (int t in facts.PredicateTargets) if (values[t] == p.Qp) p.Linked = false;
        }
    }

    private void Remove(Func<Pending, bool> settled)
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
            if (!settled(_pending[i])) _pending[kept++] = _pending[i];
        _count = kept;
    }
}
