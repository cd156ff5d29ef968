using System.Diagnostics;
using Xunit.Abstractions;
using System.Text.Json.Nodes;

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
        var script = Path.Combine(ProjectPaths.Root, "tests", "jupyter", "run_in_jupyter.py");
        var (code, log) = Run(script, temp.Path);
        if (code == 2)
        {
            var message = $"Jupyter's client or the .NET kernel is missing, so the notebooks were not run through it: {log.Trim()}";
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", message + " (CI installs both: see .ci/run)");
            output.WriteLine(message);
            return;
        }
        Assert.True(code == 0, $"run_in_jupyter.py exited {code}:\n{log}");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "report.json")))!;
        var ran = report["notebooks"]!.AsArray();
        Assert.Equal(Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Length, ran.Count);
        Assert.All(ran, n => Assert.True(n!["charts"]!.GetValue<int>() > 0, $"{n["notebook"]} showed no chart"));
        var rerun = report["rerun"]!;
        Assert.Equal(rerun["charts_first"]!.GetValue<int>(), rerun["charts_again"]!.GetValue<int>());
        output.WriteLine(report.ToJsonString());
    }

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
