using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TicketLab.Cli.Programs;

/// <summary>
/// Makes the names of a notebook's cells fit one program. A kernel compiles each cell as a script of its own, whose top-level
/// variables and methods are members that a later cell may declare again; one program holds them all as locals and local
/// functions of a single scope, where that is an error (CS0128), and where a loop variable or block local must not reuse the
/// name of any of them (CS0136). So a redeclared name gets a fresh name (<c>eval</c> becomes <c>eval2</c>) from its
/// declaration on, and a nested local that collides gets one within its scope. Each rename keeps what anonymous objects and
/// tuples call their members.
/// </summary>
public static class CellNames
{
    /// <summary>A top-level name of a cell: where it is declared, and whether it is in scope in the whole cell (a method).</summary>
    readonly record struct Declaration(string Name, int Position, bool WholeCell);

    /// <summary>
    /// The cells with redeclared and colliding names renamed, in order. <paramref name="reserved"/> are names the program itself
    /// declares beside the cells' (a cell declaring one of them is refused).
    /// </summary>
    public static IReadOnlyList<CompilationUnitSyntax> MakeUnique(IReadOnlyList<CompilationUnitSyntax> cells, IReadOnlyCollection<string> reserved, Func<int, string> describeCell)
    {
        var taken = new HashSet<string>(reserved, StringComparer.Ordinal);
        foreach (var cell in cells)
            foreach (var token in cell.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken))) taken.Add(token.ValueText);
        string Fresh(string name)
        {
            for (var n = 2; ; n++)
                if (taken.Add(name + n)) return name + n;
        }

        // Redeclarations: a name an earlier cell declared gets a fresh name from its new declaration on.
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        var topLevel = new HashSet<string>(StringComparer.Ordinal);
        var renamed = new List<CompilationUnitSyntax>();
        for (var c = 0; c < cells.Count; c++)
        {
            var declarations = TopLevelDeclarations(cells[c]).OrderBy(d => d.WholeCell ? -1 : d.Position).ToList();
            var events = new List<(Declaration Declaration, string Emitted)>();
            var seenInCell = new HashSet<string>(StringComparer.Ordinal);
            foreach (var declaration in declarations)
            {
                if (reserved.Contains(declaration.Name))
                    throw new InvalidDataException($"{describeCell(c)} declares '{declaration.Name}', a name the program itself needs; accepted: any other name.");
                if (!seenInCell.Add(declaration.Name))
                    throw new InvalidDataException($"{describeCell(c)} declares '{declaration.Name}' twice (overloaded methods?); accepted: one declaration per name and cell, since a program's local functions cannot be overloaded.");
                var emitted = current.ContainsKey(declaration.Name) ? Fresh(declaration.Name) : declaration.Name;
                events.Add((declaration, emitted));
                topLevel.Add(emitted);
            }
            string? NameAt(string name, int position)
            {
                var last = events.LastOrDefault(e => e.Declaration.Name == name && (e.Declaration.WholeCell || e.Declaration.Position <= position));
                var emitted = last.Emitted ?? current.GetValueOrDefault(name);
                return emitted is not null && emitted != name ? emitted : null;
            }
            renamed.Add((CompilationUnitSyntax)new Renamer(token => NameAt(token.ValueText, token.SpanStart)).Visit(cells[c]));
            foreach (var (declaration, emitted) in events) current[declaration.Name] = emitted;
        }

        // Collisions: a local of a nested scope (loop, block, catch, query) outside any lambda or local function must not reuse a top-level name.
        topLevel.UnionWith(reserved);
        for (var c = 0; c < renamed.Count; c++)
        {
            var scopes = new List<(SyntaxToken Declarer, string Emitted, SyntaxNode[] Scope)>();
            foreach (var (declarer, scope) in NestedDeclarations(renamed[c]))
                if (topLevel.Contains(declarer.ValueText)) scopes.Add((declarer, Fresh(declarer.ValueText), scope));
            if (scopes.Count == 0) continue;
            // Outer scopes first, so that an inner scope's own rename wins inside it.
            var ordered = scopes.OrderBy(s => s.Scope.Min(n => n.SpanStart)).ThenByDescending(s => s.Scope.Max(n => n.Span.End)).ToList();
            string? NameAt(SyntaxToken token)
            {
                string? emitted = null;
                foreach (var (declarer, name, scope) in ordered)
                    if (token.ValueText == declarer.ValueText && (token == declarer || scope.Any(n => n.Span.Contains(token.Span)))) emitted = name;
                return emitted;
            }
            renamed[c] = (CompilationUnitSyntax)new Renamer(NameAt).Visit(renamed[c]);
        }
        return renamed;
    }

    /// <summary>What a cell declares at its top level: fields (variables), methods, and the variables of top-level deconstructions and patterns.</summary>
    static IEnumerable<Declaration> TopLevelDeclarations(CompilationUnitSyntax cell)
    {
        foreach (var member in cell.Members)
        {
            switch (member)
            {
                case FieldDeclarationSyntax field:
                    // A script's top-level variables parse as fields.
                    foreach (var variable in field.Declaration.Variables) yield return new(variable.Identifier.ValueText, variable.Identifier.SpanStart, false);
                    foreach (var designation in OwnDesignations(field)) yield return new(designation.ValueText, designation.SpanStart, false);
                    break;
                case MethodDeclarationSyntax method:
                    yield return new(method.Identifier.ValueText, method.Identifier.SpanStart, true);
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax function }:
                    yield return new(function.Identifier.ValueText, function.Identifier.SpanStart, true);
                    break;
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    foreach (var variable in local.Declaration.Variables) yield return new(variable.Identifier.ValueText, variable.Identifier.SpanStart, false);
                    foreach (var designation in OwnDesignations(local)) yield return new(designation.ValueText, designation.SpanStart, false);
                    break;
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax or ReturnStatementSyntax or ThrowStatementSyntax } statement:
                    foreach (var designation in OwnDesignations(statement.Statement)) yield return new(designation.ValueText, designation.SpanStart, false);
                    break;
                case GlobalStatementSyntax { Statement: IfStatementSyntax conditional }:
                    foreach (var designation in OwnDesignations(conditional.Condition)) yield return new(designation.ValueText, designation.SpanStart, false);
                    break;
            }
        }
    }

    /// <summary>Variables that patterns, <c>out var</c> and deconstructions declare in <paramref name="node"/> itself, not in a lambda, switch arm or query inside it.</summary>
    static IEnumerable<SyntaxToken> OwnDesignations(SyntaxNode node) =>
        node.DescendantNodes(n => n == node || n is not (AnonymousFunctionExpressionSyntax or SwitchExpressionArmSyntax or QueryExpressionSyntax or StatementSyntax))
            .OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier);

    /// <summary>
    /// Locals of nested scopes in the cell's top-level statements (not inside lambdas, local functions or types, where C# lets a
    /// name shadow an outer one): each declaring token and the nodes its name is in scope in.
    /// </summary>
    static IEnumerable<(SyntaxToken Declarer, SyntaxNode[] Scope)> NestedDeclarations(CompilationUnitSyntax cell)
    {
        var statements = cell.Members.Select(m => m switch { GlobalStatementSyntax g => (SyntaxNode)g.Statement, FieldDeclarationSyntax f => f, _ => null });
        foreach (var statement in statements)
        {
            if (statement is null or LocalFunctionStatementSyntax) continue;
            var nodes = statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax));
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case ForEachStatementSyntax loop:
                        yield return (loop.Identifier, [loop.Statement]);
                        break;
                    case ForEachVariableStatementSyntax loop:
                        foreach (var d in loop.Variable.DescendantNodes().OfType<SingleVariableDesignationSyntax>()) yield return (d.Identifier, [loop.Statement]);
                        break;
                    case ForStatementSyntax loop when loop.Declaration is not null:
                        foreach (var v in loop.Declaration.Variables) yield return (v.Identifier, [loop]);
                        break;
                    case UsingStatementSyntax @using when @using.Declaration is not null:
                        foreach (var v in @using.Declaration.Variables) yield return (v.Identifier, [@using]);
                        break;
                    case LocalDeclarationStatementSyntax local when local != statement && local.Parent is BlockSyntax block:
                        foreach (var v in local.Declaration.Variables) yield return (v.Identifier, [block]);
                        break;
                    case CatchClauseSyntax { Declaration: { } declaration } clause when declaration.Identifier != default:
                        yield return (declaration.Identifier, [clause]);
                        break;
                    case QueryExpressionSyntax query:
                        foreach (var token in query.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax).SelectMany(RangeVariables))
                            yield return (token, [query]);
                        break;
                    case SingleVariableDesignationSyntax designation when !IsTopLevelDesignation(designation, statement)
                        && !designation.Ancestors().OfType<ForEachVariableStatementSyntax>().Any(loop => loop.Variable.Span.Contains(designation.Span)):
                        yield return (designation.Identifier, [designation.Ancestors().FirstOrDefault(a => a is BlockSyntax or SwitchSectionSyntax or SwitchExpressionArmSyntax) ?? statement]);
                        break;
                }
            }
        }
    }

    static bool IsTopLevelDesignation(SingleVariableDesignationSyntax designation, SyntaxNode statement) => statement switch
    {
        ExpressionStatementSyntax or LocalDeclarationStatementSyntax or ReturnStatementSyntax or ThrowStatementSyntax or FieldDeclarationSyntax
            => OwnDesignations(statement).Contains(designation.Identifier),
        IfStatementSyntax conditional => OwnDesignations(conditional.Condition).Contains(designation.Identifier),
        _ => false,
    };

    static IEnumerable<SyntaxToken> RangeVariables(SyntaxNode node) => node switch
    {
        FromClauseSyntax from => [from.Identifier],
        LetClauseSyntax let => [let.Identifier],
        JoinClauseSyntax join => [join.Identifier],
        JoinIntoClauseSyntax into => [into.Identifier],
        QueryContinuationSyntax continuation => [continuation.Identifier],
        _ => [],
    };

    /// <summary>Renames identifier tokens that name variables or local functions (not members, named arguments or types), keeping inferred member names.</summary>
    sealed class Renamer(Func<SyntaxToken, string?> newName) : CSharpSyntaxRewriter
    {
        public override SyntaxNode? VisitAnonymousObjectMemberDeclarator(AnonymousObjectMemberDeclaratorSyntax node)
        {
            // new { eval } names its member after the variable: keep the member's name when the variable's changes.
            var keep = node.NameEquals is null && node.Expression is IdentifierNameSyntax id && NewNameOf(id.Identifier) is not null ? id.Identifier.ValueText : null;
            var visited = (AnonymousObjectMemberDeclaratorSyntax)base.VisitAnonymousObjectMemberDeclarator(node)!;
            return keep is null ? visited
                : visited.WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(keep), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space))
                    .WithLeadingTrivia(visited.GetLeadingTrivia())).WithExpression(visited.Expression.WithoutLeadingTrivia());
        }

        public override SyntaxNode? VisitArgument(ArgumentSyntax node)
        {
            // (eval, data) names its elements after the variables too.
            var keep = node.Parent is TupleExpressionSyntax && node.NameColon is null && node.Expression is IdentifierNameSyntax id && NewNameOf(id.Identifier) is not null ? id.Identifier.ValueText : null;
            var visited = (ArgumentSyntax)base.VisitArgument(node)!;
            return keep is null ? visited
                : visited.WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(keep), SyntaxFactory.Token(SyntaxKind.ColonToken).WithTrailingTrivia(SyntaxFactory.Space))
                    .WithLeadingTrivia(visited.GetLeadingTrivia())).WithExpression(visited.Expression.WithoutLeadingTrivia());
        }

        public override SyntaxNode? VisitClassDeclaration(ClassDeclarationSyntax node) => node;
        public override SyntaxNode? VisitStructDeclaration(StructDeclarationSyntax node) => node;
        public override SyntaxNode? VisitRecordDeclaration(RecordDeclarationSyntax node) => node;
        public override SyntaxNode? VisitInterfaceDeclaration(InterfaceDeclarationSyntax node) => node;
        public override SyntaxNode? VisitEnumDeclaration(EnumDeclarationSyntax node) => node;
        public override SyntaxNode? VisitUsingDirective(UsingDirectiveSyntax node) => node;

        public override SyntaxToken VisitToken(SyntaxToken token) =>
            NewNameOf(token) is { } name ? SyntaxFactory.Identifier(name).WithTriviaFrom(token) : base.VisitToken(token);

        string? NewNameOf(SyntaxToken token) => token.IsKind(SyntaxKind.IdentifierToken) && NamesAVariable(token) ? newName(token) : null;

        static bool NamesAVariable(SyntaxToken token) => token.Parent switch
        {
            SimpleNameSyntax name when name.Identifier == token => name.Parent switch
            {
                MemberAccessExpressionSyntax access when access.Name == name => false,
                MemberBindingExpressionSyntax or NameColonSyntax or NameEqualsSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax => false,
                AssignmentExpressionSyntax assignment when assignment.Left == name && assignment.Parent is InitializerExpressionSyntax => false,
                _ => !SyntaxFacts.IsInTypeOnlyContext(name),
            },
            VariableDeclaratorSyntax or SingleVariableDesignationSyntax or MethodDeclarationSyntax or LocalFunctionStatementSyntax or ParameterSyntax
                or ForEachStatementSyntax or CatchDeclarationSyntax or FromClauseSyntax or LetClauseSyntax or JoinClauseSyntax or JoinIntoClauseSyntax
                or QueryContinuationSyntax => true,
            _ => false,
        };
    }
}
