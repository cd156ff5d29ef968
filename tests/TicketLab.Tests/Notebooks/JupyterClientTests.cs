using System.Diagnostics;
using Xunit.Abstractions;
using System.Text.Json.Nodes;
using TicketLab.Cli.Notebooks;

namespace TicketLab.Tests.Notebooks;

/// <summary>
/// The notebooks in Jupyter's own client (nbclient) and the .NET Interactive kernel, as a reader opens them: every
/// notebook in the quick profile, nbformat validation of the committed files, no error output, and a rerun from the
/// hyperparameter cell in one live kernel (tests/jupyter/run_in_jupyter.py). CI installs the client and the kernel;
/// elsewhere the test says what is missing and passes.
/// </summary>
[Collection("notebooks")]
public class JupyterClientTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_notebook_runs_in_Jupyters_client_and_reruns_from_its_hyperparameter_cell()
    {
        using var temp = TestSetup.Temp();
        if (RunClient("run_in_jupyter.py", temp.Path, "Jupyter's client or the .NET kernel", output) is not { } report) return;
        var ran = report["notebooks"]!.AsArray();
        Assert.Equal(Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Length, ran.Count);
        Assert.All(ran, n => Assert.True(n!["charts"]!.GetValue<int>() > 0, $"{n["notebook"]} showed no chart"));
        var rerun = report["rerun"]!;
        Assert.Equal(rerun["charts_first"]!.GetValue<int>(), rerun["charts_again"]!.GetValue<int>());
        output.WriteLine(report.ToJsonString());
        Saved_notebooks_are_made_fit_to_commit_by_clean(Path.Combine(temp.Path, "executed"));
    }

    /// <summary>
    /// What a Jupyter client saves holds the kernel's bootstrap script (with the machine's addresses) and Plotly figures as
    /// JSON text; the CLI's <c>clean</c> (<see cref="NotebookCleaner.CleanSaved"/>) removes the one and turns the other into
    /// objects, keeping the cells' tags and ids.
    /// </summary>
    void Saved_notebooks_are_made_fit_to_commit_by_clean(string folder)
    {
        var saved = Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Length, saved.Count);
        var raw = string.Concat(saved.Select(File.ReadAllText));
        output.WriteLine($"as saved by Jupyter's client: kernel bootstrap script {(raw.Contains("dotnet-interactive-this-cell-", StringComparison.Ordinal) ? "present" : "absent")}, "
            + $"Plotly figures as {(Figures(saved).Any(f => f is JsonValue) ? "JSON text" : "objects")}");
        foreach (var path in saved)
        {
            var cleaned = Path.ChangeExtension(path, ".clean.ipynb");
            NotebookCleaner.CleanSaved(path, cleaned);
            var text = File.ReadAllText(cleaned);
            var name = Path.GetFileName(path);
            Assert.DoesNotContain("dotnet-interactive-this-cell-", text);
            Assert.DoesNotContain("probeAddresses", text);
            Assert.DoesNotMatch(@"/(root|home|work|tmp)/", text);
            Assert.All(Figures([cleaned]), f => Assert.IsType<JsonObject>(f));
            Assert.NotEmpty(Figures([cleaned]));
            var cells = JsonNode.Parse(text)!["cells"]!.AsArray();
            Assert.All(cells, c => Assert.Matches("^[A-Za-z0-9_-]{1,64}$", c!["id"]?.GetValue<string>() ?? ""));
            static string Tags(JsonArray cells) => string.Join("|", cells.Select(c => c!["metadata"]?["tags"]?.ToJsonString() ?? ""));
            Assert.Equal(Tags(JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray()), Tags(cells));
            Assert.True(NotebookCleaner.Errors(NotebookCleaner.Read(cleaned)).Count == 0, $"{name} has an error output");
        }
    }

    static IEnumerable<JsonNode> Figures(IEnumerable<string> notebooks) =>
        notebooks.SelectMany(p => JsonNode.Parse(File.ReadAllText(p))!["cells"]!.AsArray())
            .SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Select(o => o!["data"]?["application/vnd.plotly.v1+json"]).OfType<JsonNode>();

    /// <summary>
    /// Runs the client script <paramref name="script"/> of tests/jupyter into <paramref name="folder"/> and returns its
    /// report; null when <paramref name="needs"/> is missing here (a failure in CI, which installs it).
    /// </summary>
    internal static JsonNode? RunClient(string script, string folder, string needs, ITestOutputHelper output)
    {
        var (code, log) = Run(Path.Combine(ProjectPaths.Root, "tests", "jupyter", script), folder);
        if (code == 2)
        {
            var message = $"{needs} is missing, so {script} did not run: {log.Trim()}";
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", message + " (CI installs it: see .ci/run)");
            output.WriteLine(message);
            return null;
        }
        Assert.True(code == 0, $"{script} exited {code}:\n{log}");
        return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "report.json")))!;
    }

    /// <summary>Runs a client script of tests/jupyter with Debian's python3 (or the first on PATH); exit code and what it printed.</summary>
    static (int Code, string Log) Run(string script, string folder)
    {
        // Debian's python3 holds its python3-nbclient; another python3 first on PATH (pyenv, a venv) may not.
        foreach (var python in new[] { "/usr/bin/python3", "python3" })
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(folder);
            Process? process;
            try
            {
                process = Process.Start(start);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                continue;
            }
            if (process is null) continue;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
            {
                process.Kill(entireProcessTree: true);
                return (1, "run_in_jupyter.py did not finish within 20 minutes\n" + stdout);
            }
            // Keep the kernel's own log (ASP.NET lines) out of the message; a failure prints PROBLEM lines on stdout.
            var log = stdout + string.Join("\n", stderr.Result.Split('\n').Where(l => l.Contains("Error", StringComparison.Ordinal) || l.Contains("Traceback", StringComparison.Ordinal)));
            if (process.ExitCode == 2 && python != "python3") continue;
            return (process.ExitCode, log);
        }
        return (2, "no python3 found");
    }
}
