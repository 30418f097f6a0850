using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using IvtGen.Dsl;
using IvtGen.Generator.Diagnostics;
using IvtGen.Generator.Model;
using IvtGen.Isa;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace IvtGen.Generator.Parsing;

/// <summary>
/// Reads an [IvtTable] class into a <see cref="TableSpec"/>: each handler's statements become GNU as text
/// (<c>(p6) ld8 r16=[r17]</c>), which the lowering assembles with the ISA core. Problems are diagnostics at the
/// exact C# location; nothing here throws for bad input.
/// </summary>
internal sealed class TableParser
{
    public const string TableAttribute = "IvtGen.Dsl.IvtTableAttribute";
    private const string DslNamespace = "IvtGen.Dsl";
    /// <summary>DSL methods of paravirtualized operations: pv_mov_from_ifa(r16) is the catalogue's mov_from_ifa.</summary>
    public const string ParavirtPrefix = "pv_";

    private readonly SemanticModel _model;
    private readonly CancellationToken _ct;
    private readonly List<DiagnosticInfo> _diags = new();

    private TableParser(SemanticModel model, CancellationToken ct)
    {
        _model = model;
        _ct = ct;
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        string key = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        try
        {
            return new TableParser(ctx.SemanticModel, ct).ParseTable(type, (ClassDeclarationSyntax)ctx.TargetNode, ctx.Attributes[0], key);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            var loc = Loc(((ClassDeclarationSyntax)ctx.TargetNode).Identifier.GetLocation());
            return new ParseResult(null, key, EquatableArray<HandlerLocations>.Empty,
                new EquatableArray<DiagnosticInfo>(new[] { DiagnosticInfo.At("IVT099", loc, type.Name, e.GetType().Name + ": " + e.Message) }));
        }
    }

    private ParseResult ParseTable(INamedTypeSymbol type, ClassDeclarationSyntax decl, AttributeData attr, string key)
    {
        if (!decl.Modifiers.Any(SyntaxKind.PartialKeyword) || !DerivesFromIvtCode(type))
        {
            _diags.Add(DiagnosticInfo.At("IVT010", Loc(decl.Identifier.GetLocation()), type.Name));
            return new ParseResult(null, key, EquatableArray<HandlerLocations>.Empty, _diags.ToEquatableArray());
        }
        string tableName = attr.ConstructorArguments.Length > 0 && attr.ConstructorArguments[0].Value is string s && s.Length > 0 ? s : type.Name;

        var externs = new List<ExternSpec>();
        foreach (var a in type.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() != "IvtGen.Dsl.IvtExternAttribute" || a.ConstructorArguments.Length == 0) continue;
            if (a.ConstructorArguments[0].Value is not string name) continue;
            long? address = a.ConstructorArguments.Length > 1 && a.ConstructorArguments[1].Value is long l ? l : null;
            externs.Add(new ExternSpec(name, address));
        }

        // Handlers and routines: methods of this declaration with [Vector] or [Routine], in source order.
        var methods = new List<(MethodDeclarationSyntax Syntax, int Offset, string Symbol, AttributeSyntax? Attr)>();
        foreach (var m in decl.Members.OfType<MethodDeclarationSyntax>())
        {
            _ct.ThrowIfCancellationRequested();
            if (_model.GetDeclaredSymbol(m, _ct) is not IMethodSymbol ms) continue;
            foreach (var a in ms.GetAttributes())
            {
                string? an = a.AttributeClass?.ToDisplayString();
                var aSyntax = a.ApplicationSyntaxReference?.GetSyntax(_ct) as AttributeSyntax;
                if (an == "IvtGen.Dsl.VectorAttribute" && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is { } v)
                    methods.Add((m, Convert.ToInt32(v, CultureInfo.InvariantCulture), ms.Name, aSyntax));
                else if (an == "IvtGen.Dsl.RoutineAttribute")
                    methods.Add((m, -1, a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is string rn && rn.Length > 0 ? rn : ms.Name, aSyntax));
            }
        }

        var routineNames = new HashSet<string>(methods.Select(x => x.Symbol), StringComparer.Ordinal);
        var externNames = new HashSet<string>(externs.Select(x => x.Name), StringComparer.Ordinal);
        var seenVectors = new Dictionary<int, string>();
        var handlers = new List<HandlerSpec>();
        var locations = new List<HandlerLocations>();
        foreach (var (syntax, offset, symbol, attrSyntax) in methods)
        {
            if (offset >= 0)
            {
                int index = IvtLayout.IndexOf(offset);
                var at = Loc(attrSyntax?.GetLocation() ?? syntax.Identifier.GetLocation());
                if (index < 0)
                {
                    _diags.Add(DiagnosticInfo.At("IVT003", at, offset.ToString("x4", CultureInfo.InvariantCulture)));
                    continue;
                }
                if (seenVectors.TryGetValue(offset, out var other))
                {
                    _diags.Add(DiagnosticInfo.At("IVT004", at, IvtLayout.Name(index), offset.ToString("x4", CultureInfo.InvariantCulture), other));
                    continue;
                }
                seenVectors[offset] = syntax.Identifier.ValueText;
            }
            var (statements, stmtLocs) = ParseBody(syntax, symbol, routineNames, externNames);
            handlers.Add(new HandlerSpec(syntax.Identifier.ValueText, symbol, offset, statements.ToEquatableArray()));
            locations.Add(new HandlerLocations(Loc(syntax.Identifier.GetLocation()), stmtLocs.ToEquatableArray()));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        string access = SyntaxFacts.GetText(type.DeclaredAccessibility);
        var spec = new TableSpec(ns, type.Name, access.Length == 0 ? "internal" : access, tableName,
            handlers.ToEquatableArray(), externs.ToEquatableArray());
        return new ParseResult(spec, key, locations.ToEquatableArray(), _diags.ToEquatableArray());
    }

    private static bool DerivesFromIvtCode(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.Name == "IvtCode" && t.ContainingNamespace?.ToDisplayString() == DslNamespace) return true;
        return false;
    }

    private (List<StatementSpec>, List<LocationInfo>) ParseBody(MethodDeclarationSyntax m, string symbol, HashSet<string> routines, HashSet<string> externs)
    {
        var statements = new List<StatementSpec>();
        var locs = new List<LocationInfo>();
        IEnumerable<StatementSyntax> body = m.Body?.Statements ?? (IEnumerable<StatementSyntax>)Array.Empty<StatementSyntax>();
        if (m.ExpressionBody is { } eb) body = new[] { SyntaxFactory.ExpressionStatement(eb.Expression) };

        // Labels first, so forward branches resolve.
        var labels = new Dictionary<string, LocationInfo>(StringComparer.Ordinal);
        foreach (var st in body)
        {
            if (st is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax inv } && Callee(inv) is { } c && c.Name == "label"
                && inv.ArgumentList.Arguments.Count == 1 && _model.GetConstantValue(inv.ArgumentList.Arguments[0].Expression, _ct).Value is string name)
            {
                var here = Loc(inv.GetLocation());
                if (labels.ContainsKey(name)) _diags.Add(DiagnosticInfo.At("IVT012", here, name, m.Identifier.ValueText));
                else labels[name] = here;
            }
        }

        foreach (var st in body)
        {
            _ct.ThrowIfCancellationRequested();
            if (st is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax inv })
            {
                _diags.Add(DiagnosticInfo.At("IVT002", Loc(st.GetLocation()), Abbreviate(st.ToString())));
                continue;
            }
            var spec = ParseInvocation(inv, symbol, labels, routines, externs);
            if (spec is null) continue;
            statements.Add(spec);
            locs.Add(Loc(inv.GetLocation()));
        }
        return (statements, locs);
    }

    private static (string Name, ExpressionSyntax? Receiver)? Callee(InvocationExpressionSyntax inv) => inv.Expression switch
    {
        IdentifierNameSyntax id => (id.Identifier.ValueText, null),
        MemberAccessExpressionSyntax ma => (ma.Name.Identifier.ValueText, ma.Expression),
        _ => null,
    };

    private StatementSpec? ParseInvocation(InvocationExpressionSyntax inv, string handler, Dictionary<string, LocationInfo> labels,
        HashSet<string> routines, HashSet<string> externs)
    {
        var info = _model.GetSymbolInfo(inv, _ct);
        if (info.Symbol is null) return null; // does not bind: the compiler already reports it
        if (info.Symbol is not IMethodSymbol method || !IsDsl(method.ContainingType))
        {
            _diags.Add(DiagnosticInfo.At("IVT002", Loc(inv.GetLocation()), Abbreviate(inv.ToString())));
            return null;
        }
        var args = inv.ArgumentList.Arguments;
        string name = method.Name;
        switch (name)
        {
            case "stop": return new StatementSpec(StatementKind.Stop, ";;");
            case "end_bundle": return new StatementSpec(StatementKind.BundleEnd, "}");
            case "label" when args.Count == 1 && Constant(args[0].Expression) is string l:
                return new StatementSpec(StatementKind.Label, LocalName(handler, l));
            case "bundle" when args.Count == 1 && Constant(args[0].Expression) is string t:
                return new StatementSpec(StatementKind.BundleStart, "." + t.TrimStart('.').ToLowerInvariant());
            case "label" or "bundle":
                _diags.Add(DiagnosticInfo.At("IVT001", Loc(args.Count > 0 ? args[0].GetLocation() : inv.GetLocation()), args.Count > 0 ? args[0].ToString() : name));
                return null;
            case "If" or "Mem":
                _diags.Add(DiagnosticInfo.At("IVT002", Loc(inv.GetLocation()), Abbreviate(inv.ToString())));
                return null;
        }

        // Qualifying predicate: If(pN).insn(...)
        string qp = "";
        if (inv.Expression is MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax guard }
            && Callee(guard) is { Name: "If" } && guard.ArgumentList.Arguments.Count == 1)
        {
            var q = Operand(guard.ArgumentList.Arguments[0].Expression, handler, labels, routines, externs);
            if (q is null) return null;
            qp = "(" + q + ") ";
        }

        var texts = new List<string>(args.Count);
        foreach (var a in args)
        {
            var t = Operand(a.Expression, handler, labels, routines, externs);
            if (t is null) return null;
            texts.Add(t);
        }
        if (name.StartsWith(ParavirtPrefix, StringComparison.Ordinal))
        {
            if (qp.Length > 0)
            {
                _diags.Add(DiagnosticInfo.At("IVT002", Loc(inv.GetLocation()), "If(…) on a paravirtualized operation: its lowering may be several instructions"));
                return null;
            }
            return new StatementSpec(StatementKind.Paravirt, name.Substring(ParavirtPrefix.Length)) { Operands = texts.ToEquatableArray() };
        }
        string mnemonic = name.Replace('_', '.');
        int outputs = Outputs(mnemonic, texts.Count);
        var sb = new System.Text.StringBuilder(qp).Append(mnemonic);
        for (int i = 0; i < texts.Count; i++)
            sb.Append(i == 0 ? " " : i == outputs ? "=" : ",").Append(texts[i]);
        return new StatementSpec(StatementKind.Instruction, sb.ToString());
    }

    /// <summary>Where '=' stands for this mnemonic and operand count, from the ISA table.</summary>
    private static int Outputs(string mnemonic, int count)
    {
        if (InstructionTable.TryGetForms(mnemonic, out var forms))
            foreach (var f in forms)
                if (f.Operands.Length == count) return f.Outputs;
        return 0;
    }

    private static string LocalName(string handler, string label) => handler + "." + label;

    private object? Constant(ExpressionSyntax e)
    {
        var c = _model.GetConstantValue(e, _ct);
        return c.HasValue ? c.Value : null;
    }

    /// <summary>GNU text of an operand, or null after reporting why it cannot be one.</summary>
    private string? Operand(ExpressionSyntax e, string handler, Dictionary<string, LocationInfo> labels, HashSet<string> routines, HashSet<string> externs)
    {
        var c = _model.GetConstantValue(e, _ct);
        if (c.HasValue)
        {
            switch (c.Value)
            {
                case string s:
                    if (labels.ContainsKey(s)) return LocalName(handler, s);
                    if (routines.Contains(s) || externs.Contains(s)) return s;
                    _diags.Add(DiagnosticInfo.At("IVT005", Loc(e.GetLocation()), s));
                    return null;
                case int or long or short or sbyte or byte or ushort or uint:
                    return Convert.ToInt64(c.Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                case ulong u:
                    return "0x" + u.ToString("x", CultureInfo.InvariantCulture);
            }
        }
        switch (e)
        {
            case CollectionExpressionSyntax { Elements.Count: 1 } coll when coll.Elements[0] is ExpressionElementSyntax el:
            {
                var r = Operand(el.Expression, handler, labels, routines, externs);
                return r is null ? null : "[" + r + "]";
            }
            case InvocationExpressionSyntax mem when Callee(mem) is { Name: "Mem" } && mem.ArgumentList.Arguments.Count == 1:
            {
                var r = Operand(mem.ArgumentList.Arguments[0].Expression, handler, labels, routines, externs);
                return r is null ? null : "[" + r + "]";
            }
            case ElementAccessExpressionSyntax ea when ea.ArgumentList.Arguments.Count == 1:
            {
                var file = _model.GetSymbolInfo(ea.Expression, _ct).Symbol;
                if (file is IPropertySymbol or IFieldSymbol && IsDsl(file.ContainingType))
                {
                    if (Constant(ea.ArgumentList.Arguments[0].Expression) is int n && file.Name is "ar" or "cr")
                        return file.Name + n.ToString(CultureInfo.InvariantCulture);
                    var idx = Operand(ea.ArgumentList.Arguments[0].Expression, handler, labels, routines, externs);
                    return idx is null ? null : file.Name + "[" + idx + "]";
                }
                break;
            }
            case IdentifierNameSyntax or MemberAccessExpressionSyntax:
            {
                var sym = _model.GetSymbolInfo(e, _ct).Symbol;
                if (sym is IPropertySymbol or IFieldSymbol && IsDsl(sym.ContainingType))
                {
                    string owner = sym.ContainingType.Name;
                    string n = sym.Name;
                    string typeName = (sym as IPropertySymbol)?.Type.Name ?? ((IFieldSymbol)sym).Type.Name;
                    if (owner == "ArFile") return "ar." + n;
                    if (owner == "CrFile") return "cr." + n;
                    if (owner == "Sym") return SymbolText(n);
                    if (typeName == "Special") return n.Replace('_', '.');
                    if (typeName is "GR" or "FR" or "PR" or "BR") return n;
                }
                break;
            }
        }
        _diags.Add(DiagnosticInfo.At("IVT001", Loc(e.GetLocation()), Abbreviate(e.ToString())));
        return null;
    }

    /// <summary>Sym.rev is GNU's @rev; a few symbolic values have no '@' (Sym.dahr3 is dahr3): the ISA table says which.</summary>
    private static string SymbolText(string name) => s_atSymbols.Contains("@" + name) ? "@" + name : name;

    private static readonly HashSet<string> s_atSymbols = new(
        InstructionTable.Forms.SelectMany(f => f.Operands).Where(o => o.Kind == OperandKind.Symbolic).SelectMany(o => o.Symbols!)
            .Where(x => x.StartsWith("@", StringComparison.Ordinal)), StringComparer.Ordinal);

    private static bool IsDsl(INamedTypeSymbol? t)
    {
        for (; t is not null; t = t.ContainingType)
            if (t.ContainingNamespace?.ToDisplayString() == DslNamespace) return true;
        return false;
    }

    private static string Abbreviate(string s)
    {
        s = s.Replace("\r", " ").Replace("\n", " ");
        return s.Length > 60 ? s.Substring(0, 57) + "..." : s;
    }

    public static LocationInfo Loc(Location l)
    {
        var span = l.GetLineSpan();
        return new LocationInfo(span.Path ?? "", l.SourceSpan.Start, l.SourceSpan.Length,
            span.StartLinePosition.Line, span.StartLinePosition.Character, span.EndLinePosition.Line, span.EndLinePosition.Character);
    }
}
