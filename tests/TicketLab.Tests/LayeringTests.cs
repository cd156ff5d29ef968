using Mono.Cecil;
using Mono.Cecil.Cil;

using TicketLab.Setup;

namespace TicketLab.Tests;

/// <summary>
/// The library is a one-way stack: Data → Nets → Training → {Detectors, Ntk, Pruning} → Cars → Verdict, with Plots and Setup on
/// top. Read from the compiled IL (signatures, attributes and method bodies, lambdas included), so a reference that the
/// source spells without a <c>using</c> counts too.
/// </summary>
public class LayeringTests
{
    /// <summary>Bottom to top; a namespace may use itself and those before it.</summary>
    static readonly string[] Stack =
    [
        "TicketLab", "TicketLab.Data", "TicketLab.Nets", "TicketLab.Training",
        "TicketLab.Detectors", "TicketLab.Ntk", "TicketLab.Pruning", "TicketLab.Cars", "TicketLab.Verdict",
        "TicketLab.Plots", "TicketLab.Setup",
    ];

    [Fact]
    public void Every_namespace_uses_only_the_layers_below_it()
    {
        var edges = NamespaceReferences(typeof(Lab).Assembly.Location);
        var unplaced = edges.Keys.Concat(edges.Values.SelectMany(v => v)).Distinct().Where(n => !Stack.Contains(n)).ToList();
        Assert.True(unplaced.Count == 0, $"Namespaces not placed in the stack (add them to {nameof(Stack)} at their layer): {string.Join(", ", unplaced)}");
        var upward = edges.SelectMany(e => e.Value.Where(to => Array.IndexOf(Stack, to) > Array.IndexOf(Stack, e.Key)).Select(to => $"{e.Key} → {to}")).ToList();
        Assert.True(upward.Count == 0, "References up the stack: " + string.Join("; ", upward));
    }

    [Fact]
    public void The_reader_finds_a_reference_made_only_inside_a_lambda()
    {
        // Plots draws the learning curve of a Training result: an edge the reader must see for the test above to mean anything.
        var edges = NamespaceReferences(typeof(Lab).Assembly.Location);
        Assert.Contains("TicketLab.Training", edges["TicketLab.Plots"]);
        Assert.Contains("TicketLab.Plots", edges["TicketLab.Setup"]);
        Assert.DoesNotContain("TicketLab.Plots", edges["TicketLab.Detectors"]);
    }

    /// <summary>For each namespace of the library, the library namespaces its types refer to.</summary>
    internal static Dictionary<string, HashSet<string>> NamespaceReferences(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var type in module.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!from.StartsWith("TicketLab", StringComparison.Ordinal)) continue;
            var targets = edges.TryGetValue(from, out var set) ? set : edges[from] = [];
            foreach (var referenced in ReferencedTypes(type))
                if (NamespaceOf(referenced) is { } to && (to == "TicketLab" || to.StartsWith("TicketLab.", StringComparison.Ordinal)) && to != from)
                    targets.Add(to);
        }
        return edges;
    }

    static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null: return;
                case GenericInstanceType g:
                    Add(g.ElementType);
                    foreach (var a in g.GenericArguments) Add(a);
                    return;
                case TypeSpecification s:
                    Add(s.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add(t);
                    return;
            }
        }
        void AddMethod(MethodReference m)
        {
            Add(m.DeclaringType);
            Add(m.ReturnType);
            foreach (var p in m.Parameters) Add(p.ParameterType);
            if (m is GenericInstanceMethod g) foreach (var a in g.GenericArguments) Add(a);
        }
        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var a in provider.CustomAttributes)
            {
                Add(a.AttributeType);
                foreach (var arg in a.ConstructorArguments.Concat(a.Properties.Select(p => p.Argument)))
                    if (arg.Value is TypeReference t) Add(t);
            }
        }
        Add(type.BaseType);
        foreach (var i in type.Interfaces) Add(i.InterfaceType);
        AddAttributes(type);
        foreach (var f in type.Fields) { Add(f.FieldType); AddAttributes(f); }
        foreach (var p in type.Properties) { Add(p.PropertyType); AddAttributes(p); }
        foreach (var m in type.Methods)
        {
            AddMethod(m);
            AddAttributes(m);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Add(v.VariableType);
            foreach (var instruction in m.Body.Instructions)
                switch (instruction.Operand)
                {
                    case TypeReference t: Add(t); break;
                    case MethodReference r: AddMethod(r); break;
                    case FieldReference f: Add(f.DeclaringType); Add(f.FieldType); break;
                    case Instruction or Instruction[] or VariableDefinition or ParameterDefinition or null: break;
                }
        }
        return found;
    }
}
