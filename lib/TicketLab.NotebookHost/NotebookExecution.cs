using System.Diagnostics;
using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace TicketLab.NotebookHost;

/// <summary>An executed notebook.</summary>
/// <param name="Json">The .ipynb text, each cell with its outputs and, in its metadata, <see cref="NotebookExecution.SecondsKey"/>.</param>
/// <param name="CodeCells">How many code cells ran.</param>
/// <param name="FailedCells">1-based positions (markdown cells counted) of the cells that failed.</param>
public sealed record ExecutedNotebook(string Json, int CodeCells, IReadOnlyList<int> FailedCells);

/// <summary>
/// Runs a notebook's code cells one after the other in a <see cref="CompositeKernel"/> holding a C# kernel, the kernel of
/// .NET Interactive that VS Code's Polyglot Notebooks and the Jupyter kernel host too, and records each cell's outputs as
/// an editor would: displayed values, return values, standard output and errors; a value displayed and then updated in
/// place (a progress line) keeps only its last state.
/// </summary>
public static class NotebookExecution
{
    /// <summary>The cell metadata key holding the seconds the cell took (the main job reads and removes it).</summary>
    public const string SecondsKey = "ticketlab_cell_seconds";

    /// <summary>The cell metadata key holding the processor seconds the host process spent during the cell, over all its threads
    /// (divided by <see cref="SecondsKey"/>, how many cores the cell kept busy on average; the main job reads and removes it).</summary>
    public const string CpuSecondsKey = "ticketlab_cell_cpu_seconds";

    /// <summary>Executes <paramref name="notebookJson"/> (.ipynb) and returns it with outputs; logs one line per cell.</summary>
    public static async Task<ExecutedNotebook> RunAsync(string notebookJson, TextWriter log, CancellationToken cancellation = default)
    {
        var document = Notebook.Parse(notebookJson);
        using var kernel = CreateKernel();
        var failed = new List<int>();
        var codeCells = 0;
        for (var i = 0; i < document.Elements.Count; i++)
        {
            var cell = document.Elements[i];
            if (!IsCode(cell)) continue;
            codeCells++;
            var clock = Stopwatch.StartNew();
            var cpuBefore = ProcessorSeconds();
            var outputs = await RunCellAsync(kernel, cell.Contents, cancellation);
            var cpu = ProcessorSeconds() - cpuBefore;
            cell.Outputs.Clear();
            foreach (var output in outputs) cell.Outputs.Add(output);
            cell.Metadata ??= new Dictionary<string, object>();
            cell.Metadata[SecondsKey] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            cell.Metadata[CpuSecondsKey] = Math.Round(cpu, 3);
            var ok = !outputs.OfType<ErrorElement>().Any();
            if (!ok) failed.Add(i + 1);
            log.WriteLine($"cell {i + 1}: {(ok ? "ok" : "FAILED")} in {clock.Elapsed.TotalSeconds:0.0} s ({cpu:0.0} processor seconds)");
        }
        // Parse leaves the "polyglot_notebook" kernel list a plain dictionary, which the writer cannot cast back; the writer
        // lists the C# kernel itself, so only the default kernel's name is carried over.
        if (document.Metadata.TryGetValue("polyglot_notebook", out var info) && info is not KernelInfoCollection)
            document.Metadata["polyglot_notebook"] = new KernelInfoCollection
            {
                DefaultKernelName = info is IDictionary<string, object> d && d.TryGetValue("defaultKernelName", out var name) && name is string s ? s : "csharp",
            };
        return new ExecutedNotebook(Notebook.ToJupyterJson(document, "csharp"), codeCells, failed);
    }

    /// <summary>Processor seconds this process has used so far, over all its threads (user and system).</summary>
    static double ProcessorSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>A fresh kernel: C# with the notebook helpers (<c>display</c>), value sharing and <c>#!import</c>.</summary>
    public static CompositeKernel CreateKernel()
    {
        // Plotly.NET, which the library draws with, needs FSharp.Core: a notebook kernel has it loaded, and so does this host.
        _ = typeof(Microsoft.FSharp.Core.Unit).Assembly;
        var composite = new CompositeKernel().UseImportMagicCommand();
        composite.Add(new CSharpKernel().UseKernelHelpers().UseValueSharing(), ["c#", "C#"]);
        composite.DefaultKernelName = "csharp";
        return composite;
    }

    static bool IsCode(InteractiveDocumentElement cell) =>
        cell.KernelName is not ("markdown" or "md") && !string.IsNullOrWhiteSpace(cell.Contents);

    /// <summary>Submits one cell and collects what it produced, in order.</summary>
    static async Task<List<InteractiveDocumentOutputElement>> RunCellAsync(Kernel kernel, string code, CancellationToken cancellation)
    {
        var command = new SubmitCode(code, "csharp");
        var outputs = new List<InteractiveDocumentOutputElement>();
        var displayed = new Dictionary<string, int>(StringComparer.Ordinal);
        var text = new StringBuilder();
        var gate = new Lock();
        // Library code may display from worker threads (progress of side-by-side trainings): events arrive on any thread.
        using var subscription = kernel.KernelEvents.Subscribe(e =>
        {
            lock (gate)
            {
                switch (e)
                {
                    // This kernel version gives an updated value another id than the one it was first displayed with: the first
                    // update of an id is appended (the main job keeps only a progress line's last state), later ones replace it.
                    case DisplayedValueUpdated updated when updated.ValueId is { } id && displayed.TryGetValue(id, out var at):
                        outputs[at] = Display(updated);
                        break;
                    case DisplayedValueUpdated updated:
                        if (updated.ValueId is { } newId) displayed[newId] = outputs.Count;
                        outputs.Add(Display(updated));
                        break;
                    case DisplayedValueProduced produced:
                        if (produced.ValueId is { } valueId) displayed[valueId] = outputs.Count;
                        outputs.Add(Display(produced));
                        break;
                    case ReturnValueProduced returned when returned.Value is not Microsoft.DotNet.Interactive.Formatting.DisplayedValue:
                        outputs.Add(Display(returned));
                        break;
                    case StandardOutputValueProduced stdout:
                        text.Append(stdout.FormattedValues.FirstOrDefault()?.Value);
                        break;
                    case StandardErrorValueProduced stderr:
                        text.Append(stderr.FormattedValues.FirstOrDefault()?.Value);
                        break;
                    case ErrorProduced error:
                        outputs.Add(new ErrorElement(error.Message, "Error"));
                        break;
                }
            }
        });
        var result = await kernel.SendAsync(command, cancellation);
        lock (gate)
        {
            if (text.Length > 0) outputs.Add(new TextElement(text.ToString(), "stdout"));
            if (result.Events.OfType<CommandFailed>().FirstOrDefault(f => f.Command == command) is { } failure)
                outputs.Add(new ErrorElement(failure.Message, "Error", failure.Exception?.StackTrace?.Split('\n') ?? []));
            return outputs;
        }
    }

    static DisplayElement Display(DisplayEvent e) =>
        new(e.FormattedValues.GroupBy(v => v.MimeType).ToDictionary(g => g.Key, g => (object)g.Last().Value));
}
