using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace TicketLab.Cli.Programs;

/// <summary>
/// Turns a notebook's code cells into one plain C# program for <c>dotnet run file.cs</c> (a file-based app). Each cell is parsed
/// by Roslyn as the kernel's script code: <c>#!import setup.dib</c> becomes setup.dib's <c>using</c> lines at the top (the
/// library comes in by <c>#:project</c>, so its <c>#r</c> and build step are left out); a cell's last expression without a
/// semicolon, which the kernel displays, becomes <c>display(expression);</c>; names a later cell declares again are renamed
/// (<see cref="CellNames"/>); methods become local functions; types move below the statements; markdown cells leave their
/// headings as comments. Anything else a kernel would treat specially (other magic commands, <c>#load</c>, other kernels) is
/// refused with an <see cref="InvalidDataException"/> that names the notebook, the cell and what is accepted.
/// </summary>
public static partial class ProgramGenerator
{
    /// <summary>The one magic command a program understands.</summary>
    public const string SetupImport = "#!import setup.dib";

    /// <summary>The CLI command that writes the programs (quoted in their header).</summary>
    public const string Command = "dotnet run --project lib/TicketLab.Cli -c Release -- programs";

    /// <summary>Names the program declares beside the cells' own.</summary>
    static readonly string[] Reserved = ["display"];

    /// <summary>The imports of .NET Interactive's C# kernel, which every cell sees without a <c>using</c>.</summary>
    static readonly string[] KernelUsings =
        ["using System;", "using System.Text;", "using System.Collections;", "using System.Collections.Generic;", "using System.Threading.Tasks;", "using System.Linq;"];

    static readonly CSharpParseOptions Script = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    /// <summary>
    /// The program of the notebook <paramref name="notebookJson"/> (its file name without extension is <paramref name="name"/>).
    /// <paramref name="setupDib"/> is the text of the setup.dib its first cell imports (null when there is none);
    /// <paramref name="libraryProject"/> is the library's project, relative to the program's folder.
    /// </summary>
    public static string Generate(string name, string notebookJson, string? setupDib, string libraryProject)
    {
        var document = Notebook.Parse(notebookJson);
        var usings = new List<string>();
        var packages = new List<string>();
        var sections = new List<(int Cell, string? Heading, CompilationUnitSyntax? Code)>();
        for (var i = 0; i < document.Elements.Count; i++)
        {
            var cell = document.Elements[i];
            var where = $"notebooks/{name}.ipynb, cell {i + 1}";
            var kernel = string.IsNullOrEmpty(cell.KernelName) ? "csharp" : cell.KernelName;
            if (kernel == "markdown")
            {
                sections.Add((i + 1, Heading(cell.Contents), null));
                continue;
            }
            if (kernel is not ("csharp" or "C#"))
                throw new InvalidDataException($"{where} is in the '{kernel}' kernel; a program holds C# only; accepted: C# and markdown cells.");
            var code = Directives(cell.Contents, where, packages, out var importsSetup);
            if (importsSetup)
            {
                if (setupDib is null) throw new InvalidDataException($"{where} imports setup.dib, which is not beside the notebook.");
                foreach (var line in SetupUsings(setupDib)) if (!usings.Contains(line)) usings.Add(line);
            }
            var root = Parse(code, where);
            foreach (var directive in root.Usings.Select(u => u.ToString().Trim())) if (!usings.Contains(directive)) usings.Add(directive);
            sections.Add((i + 1, null, root.WithUsings(default)));
        }

        var cells = sections.Where(s => s.Code is not null).ToList();
        var unique = CellNames.MakeUnique(cells.Select(s => s.Code!).ToList(), Reserved, c => $"notebooks/{name}.ipynb, cell {cells[c].Cell}");
        var statements = new StringBuilder();
        var types = new StringBuilder();
        var next = 0;
        foreach (var (cell, heading, code) in sections)
        {
            if (code is null)
            {
                if (heading is not null) statements.Append($"\n// {heading}\n");
                continue;
            }
            var (body, declarations) = Split(unique[next++], $"notebooks/{name}.ipynb, cell {cell}");
            if (body.Length > 0) statements.Append($"\n// cell {cell}\n{body}\n");
            if (declarations.Length > 0) types.Append($"\n// cell {cell}\n{declarations}\n");
        }

        var program = new StringBuilder();
        program.Append($"""
            // <auto-generated>
            // notebooks/{name}.ipynb as a plain C# program: generated from the notebook's code cells by
            //   {Command}
            // Do not edit this file: change the notebook and run that command again ('programs --check' fails while it is stale).
            // Run it from the checkout's root (or from anywhere, by its path: it moves to notebooks/ as a notebook's kernel starts there):
            //   TICKETLAB_PROFILE=quick dotnet run -c Release notebooks/programs/{name}.cs    (without TICKETLAB_PROFILE: the full profile)
            // Tables and progress go to the console, charts to data/cache/programs/{name}/ (HTML and PNG), results to the
            // notebook's results file. Markdown cells leave their headings; "// cell N" starts the code of the notebook's cell N.
            // </auto-generated>
            #:project {libraryProject}
            #:property PublishAot=false

            """);
        foreach (var package in packages) program.Append($"#:package {package}\n");
        program.Append("#:property ImplicitUsings=disable\n#nullable enable\n\n");
        // The namespaces a C# kernel imports by itself (the SDK's implicit usings differ), then setup.dib's and the cells'.
        foreach (var line in KernelUsings.Concat(usings).Distinct()) program.Append(line).Append('\n');
        program.Append($"\nTicketLab.Setup.NotebookProgram.Start(\"{name}\");\n");
        program.Append(statements);
        program.Append("\nTicketLab.Setup.NotebookProgram.Finish();\n\n");
        program.Append("// The kernel's display(value): tables and progress on the console, charts to files (TicketLab.Setup.ProgramDisplay).\n");
        program.Append("static TicketLab.Setup.DisplayedOutput display(object? value, params string[] mimeTypes) => TicketLab.Setup.NotebookProgram.Display(value);\n");
        program.Append(types);
        return program.ToString();
    }

    /// <summary>The first heading of a markdown cell, or null when it has none.</summary>
    static string? Heading(string markdown) =>
        markdown.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => HeadingLine().IsMatch(l));

    [GeneratedRegex(@"^#{1,6} \S")]
    private static partial Regex HeadingLine();

    /// <summary>
    /// The cell without its kernel directives: <c>#!import setup.dib</c> (reported through <paramref name="importsSetup"/>),
    /// <c>#r "nuget: Name, version"</c> (collected as a <c>#:package</c>), <c>#r</c> of the library's DLL (the program has the
    /// library by <c>#:project</c>). Any other magic command or directive is refused.
    /// </summary>
    static string Directives(string code, string where, List<string> packages, out bool importsSetup)
    {
        importsSetup = false;
        var kept = new List<string>();
        foreach (var line in code.Replace("\r\n", "\n").Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                if (trimmed != SetupImport)
                    throw new InvalidDataException($"{where}: the magic command '{trimmed}' has no counterpart in a plain C# program; accepted: '{SetupImport}' (its usings go to the top, the library comes in by #:project).");
                importsSetup = true;
            }
            else if (ReferenceLine().Match(trimmed) is { Success: true } reference)
            {
                var target = reference.Groups[1].Value.Trim();
                if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                {
                    var parts = target["nuget:".Length..].Split(',', StringSplitOptions.TrimEntries);
                    packages.Add(parts.Length > 1 ? $"{parts[0]}@{parts[1]}" : parts[0]);
                }
                else if (Path.GetFileName(target) != "TicketLab.dll")
                    throw new InvalidDataException($"{where}: '#r \"{target}\"' loads an assembly by path; accepted in a program: the library (TicketLab.dll, by #:project) and '#r \"nuget: Name, version\"' (as #:package).");
            }
            else if (trimmed.StartsWith("#load", StringComparison.Ordinal) || trimmed.StartsWith("#i ", StringComparison.Ordinal))
                throw new InvalidDataException($"{where}: '{trimmed}' has no counterpart in a plain C# program; accepted: code in the cell itself or in the library.");
            else kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    [GeneratedRegex("""^#r\s+"([^"]*)"\s*$""")]
    private static partial Regex ReferenceLine();

    /// <summary>The <c>using</c> directives of setup.dib's C# cells, in order; its other code builds and loads the library, which <c>#:project</c> does here.</summary>
    public static IReadOnlyList<string> SetupUsings(string setupDib)
    {
        var usings = new List<string>();
        foreach (var cell in CodeSubmission.Parse(setupDib).Elements.Where(e => e.KernelName is "csharp" or "C#"))
        {
            var code = string.Join('\n', cell.Contents.Replace("\r\n", "\n").Split('\n').Where(l => !l.TrimStart().StartsWith("#r", StringComparison.Ordinal)));
            foreach (var directive in Parse(code, "notebooks/setup.dib").Usings.Select(u => u.ToString().Trim()))
                if (!usings.Contains(directive)) usings.Add(directive);
        }
        return usings;
    }

    static CompilationUnitSyntax Parse(string code, string where)
    {
        var tree = CSharpSyntaxTree.ParseText(code, Script);
        var error = tree.GetDiagnostics().FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
        if (error is not null)
            throw new InvalidDataException($"{where} does not parse as C# script code: {error.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} (line {error.Location.GetLineSpan().StartLinePosition.Line + 1} of the cell).");
        return (CompilationUnitSyntax)tree.GetRoot();
    }

    /// <summary>
    /// A cell as top-level statements (variables, statements, methods as local functions, the trailing expression displayed) and
    /// as the type declarations that must follow them.
    /// </summary>
    static (string Statements, string Types) Split(CompilationUnitSyntax cell, string where)
    {
        var statements = new StringBuilder();
        var types = new StringBuilder();
        var last = cell.Members.LastOrDefault();
        foreach (var member in cell.Members)
        {
            switch (member)
            {
                case GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } shown } when member == last:
                    // The kernel displays a cell's last expression when it has no semicolon.
                    statements.Append(shown.GetLeadingTrivia().ToFullString())
                        .Append("display(").Append(shown.Expression.WithoutTrivia().ToFullString()).Append(");")
                        .Append(shown.Expression.GetTrailingTrivia().ToFullString());
                    break;
                case GlobalStatementSyntax statement:
                    statements.Append(statement.ToFullString());
                    break;
                case FieldDeclarationSyntax field:
                    Refuse(field.Modifiers, ["const"], where, $"the variable '{field.Declaration.Variables[0].Identifier.ValueText}'");
                    statements.Append(field.ToFullString());
                    break;
                case MethodDeclarationSyntax method:
                    Refuse(method.Modifiers, ["static", "async", "unsafe"], where, $"the method '{method.Identifier.ValueText}'");
                    statements.Append(method.ToFullString());
                    break;
                case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax:
                    types.Append(member.ToFullString());
                    break;
                default:
                    throw new InvalidDataException($"{where} declares a {member.Kind()} at its top level ('{FirstLine(member)}'), which a program's top-level statements cannot hold; accepted: variables, statements, methods and types.");
            }
        }
        if (cell.EndOfFileToken.LeadingTrivia.Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)))
            statements.Append(cell.EndOfFileToken.LeadingTrivia.ToFullString());
        return (statements.ToString().Trim('\n', '\r'), types.ToString().Trim('\n', '\r'));
    }

    static void Refuse(SyntaxTokenList modifiers, string[] accepted, string where, string what)
    {
        var other = modifiers.FirstOrDefault(m => !accepted.Contains(m.ValueText));
        if (other != default)
            throw new InvalidDataException($"{where}: {what} is declared '{other.ValueText}', which a local of a program cannot be; accepted modifiers: {string.Join(", ", accepted)}.");
    }

    static string FirstLine(SyntaxNode node) => node.ToString().Split('\n')[0].Trim();
}
