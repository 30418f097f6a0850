using Microsoft.CodeAnalysis;

namespace IvtGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic IvtGen reports, in one catalogue (the generator, `ivtgen build` and the analyzers share it).
/// Each rule is explained with a wrong and a right example in docs/diagnostics.md.
/// </summary>
public static class DiagnosticDescriptors
{
    public const string Category = "IvtGen";
    private const string Help = "https://github.com/ivtgen/ivtgen/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: Help + id.ToLowerInvariant(),
            customTags: WellKnownDiagnosticTags.NotConfigurable);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: Help + id.ToLowerInvariant());

    private static DiagnosticDescriptor Info(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: Help + id.ToLowerInvariant());

    public static readonly DiagnosticDescriptor NonConstantOperand = Error("IVT001", "Operand is not a compile-time value",
        "Operand '{0}' must be a register, a constant or a label name known at compile time");
    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("IVT002", "Unsupported statement in a handler",
        "Handlers are straight-line DSL calls; '{0}' is not one");
    public static readonly DiagnosticDescriptor UnknownVector = Error("IVT003", "Unknown vector",
        "0x{0} is not the offset of an IVT entry (entries 0-19 at multiples of 0x400 below 0x5000, entries 20-67 at multiples of 0x100 from 0x5000 to 0x7f00)");
    public static readonly DiagnosticDescriptor DuplicateVector = Error("IVT004", "Duplicate vector",
        "Vector {0} (0x{1}) already has the handler '{2}'");
    public static readonly DiagnosticDescriptor UndefinedLabel = Error("IVT005", "Undefined label",
        "'{0}' is not a label of this handler, a routine of the table or a declared [IvtExtern] symbol");
    public static readonly DiagnosticDescriptor BranchOutOfRange = Error("IVT006", "Branch out of range",
        "{0}");
    public static readonly DiagnosticDescriptor InvalidInstruction = Error("IVT007", "Invalid instruction",
        "{0}");
    public static readonly DiagnosticDescriptor SlotOverflow = Error("IVT008", "Handler overflows its vector slot",
        "Handler '{0}' for {1} (0x{2}) needs {3} bundles in the {4} variant but the slot holds {5}; Overflow = SlotOverflow.MoveTailOutOfLine on its [Vector] or [IvtTable] moves the tail out of line");
    public static readonly DiagnosticDescriptor DependencyViolation = Warning("IVT009", "Dependency violation in an instruction group",
        "{0}");
    public static readonly DiagnosticDescriptor BadTableClass = Error("IVT010", "Table class must be partial and derive from IvtCode",
        "The [IvtTable] class '{0}' must be partial and derive from IvtGen.Dsl.IvtCode");
    public static readonly DiagnosticDescriptor DuplicateLabel = Error("IVT012", "Duplicate label",
        "Label '{0}' is already defined in '{1}'");
    public static readonly DiagnosticDescriptor BadBundle = Error("IVT013", "Unbalanced explicit bundle",
        "{0}");
    public static readonly DiagnosticDescriptor SensitiveInXenVariant = Error("IVT015", "Sensitive instruction in a Xen variant",
        "'{0}' is privileged or sensitive and cannot run in the {1} variant: use the paravirtualized operation (pv_…) instead");
    public static readonly DiagnosticDescriptor TailMovedOutOfLine = Info("IVT016", "Handler tail moved out of line",
        "Handler '{0}' for {1} (0x{2}) needs {3} bundles in the {4} variant but the slot holds {5}: from here on it continues out of line at {8} ({6} bundles stay in the slot, {7} moved)");
    // The IDE analyzers (generator/Analyzers): checks of the paravirtualization convention and of every variant.
    public static readonly DiagnosticDescriptor ClobberedRegisterRead = Warning("IVT020", "Register read after a paravirtualized operation clobbered it",
        "{0} is read here, but {1} clobbers it in {2}: the value the handler wrote to {0} before it is lost");
    public static readonly DiagnosticDescriptor ReservedRegisterWritten = Error("IVT021", "Handler writes a register the paravirtualization convention reserves",
        "{0}");
    public static readonly DiagnosticDescriptor RawPrivilegedInstruction = Warning("IVT022", "Raw privileged or sensitive instruction in a handler",
        "'{0}' is {1} and cannot be paravirtualized{2}");
    public static readonly DiagnosticDescriptor SlotOverflowInOtherVariant = Warning("IVT023", "Handler overflows its vector slot in a variant this build does not make",
        "Handler '{0}' for {1} (0x{2}) needs {3} bundles in the {4} variant but the slot holds {5} (this build does not make {4}; it is IVT008 in one that does)");
    public static readonly DiagnosticDescriptor MissingSerialization = Warning("IVT024", "Missing serialization after a write of a control register or PSR field",
        "{0}");
    public static readonly DiagnosticDescriptor InternalError = Error("IVT099", "Internal generator error",
        "IvtGen could not generate '{0}': {1}. Please report this.");

    public static readonly DiagnosticDescriptor[] All =
    {
        NonConstantOperand, UnsupportedStatement, UnknownVector, DuplicateVector, UndefinedLabel, BranchOutOfRange,
        InvalidInstruction, SlotOverflow, DependencyViolation, BadTableClass, DuplicateLabel, BadBundle, SensitiveInXenVariant, TailMovedOutOfLine,
        ClobberedRegisterRead, ReservedRegisterWritten, RawPrivilegedInstruction, SlotOverflowInOtherVariant, MissingSerialization, InternalError,
    };

    public static DiagnosticDescriptor? Find(string id)
    {
        foreach (var d in All) if (d.Id == id) return d;
        return null;
    }
}
