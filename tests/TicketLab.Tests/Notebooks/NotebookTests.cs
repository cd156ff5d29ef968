using System.Text.Json.Nodes;
using TicketLab.Cli.Notebooks;
using TicketLab.Verdict;

namespace TicketLab.Tests.Notebooks;

/// <summary>Executes every notebook of the suite in the quick profile, as CI does, and checks the committed copies.</summary>
[Collection("notebooks")]
public class NotebookTests
{
    /// <summary>The notebook host and the library, built once for every test that runs notebooks.</summary>
    internal static readonly Lazy<string> Prepared = new(() =>
    {
        using var log = new StringWriter();
        NotebookRunner.Prepare(log);
        return log.ToString();
    });

    public static TheoryData<string> Suite() => new(NotebookRunner.Discover().Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Suite))]
    public void Runs_top_to_bottom_in_the_quick_profile(string notebook)
    {
        _ = Prepared.Value;
        using var temp = TestSetup.Temp();
        if (notebook.StartsWith("05", StringComparison.Ordinal))
        {
            // The verdict reads the other notebooks' results, as a reader's checkout has them.
            Directory.CreateDirectory(temp["results"]);
            foreach (var source in SuiteResults.Notebooks)
                File.Copy(Path.Combine(ProjectPaths.Notebooks, "results", source + ".json"), Path.Combine(temp["results"], source + ".json"));
        }
        if (notebook.StartsWith("03", StringComparison.Ordinal))
        {
            // Notebook 03 compares its pruned units with notebook 01's trained qualities and densities: the quick profile's, as a quick run of 01 writes them.
            Directory.CreateDirectory(temp["results"]);
            File.Copy(Path.Combine(QuickReference.Folder, "01-detector-density.json"), Path.Combine(temp["results"], "01-detector-density.json"));
        }
        var run = NotebookRunner.Run(Path.Combine(ProjectPaths.Notebooks, notebook), new RunnerOptions(Profile.Quick, null, WriteBack: false, temp.Path));
        Assert.True(run.Succeeded, run.Problem);
        Assert.True(File.Exists(temp[Path.Combine("results", Path.ChangeExtension(notebook, ".json"))]), $"{notebook} wrote no results file");
        var json = JsonNode.Parse(File.ReadAllText(temp[Path.Combine("results", Path.ChangeExtension(notebook, ".json"))]))!;
        Assert.Equal("quick", json["profile"]!.GetValue<string>());
        var drift = QuickReference.Failures(Path.GetFileNameWithoutExtension(notebook), json);
        Assert.True(drift.Count == 0, $"{notebook}: quick-profile numbers outside their tolerance of the committed reference (tests/TicketLab.Tests/Notebooks/quick-reference):\n"
            + string.Join("\n", drift));
        var executed = File.ReadAllText(run.ExecutedPath!);
        Assert.DoesNotContain("Installing package", executed);
        foreach (var (path, _) in NotebookRunner.MachinePaths()) Assert.DoesNotContain(path, executed);
    }

    [Fact]
    public void A_failing_cell_fails_the_run_and_is_named()
    {
        _ = Prepared.Value;
        using var temp = TestSetup.Temp();
        var notebook = temp["broken.ipynb"];
        File.WriteAllText(notebook, """
            {"cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# A notebook with a bug"]},
              {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": ["var x = 40 + 2;\n", "x"]},
              {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": ["throw new InvalidOperationException(\"deliberate failure\");"]}
            ],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"},
                          "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
             "nbformat": 4, "nbformat_minor": 5}
            """);
        var run = NotebookRunner.Run(notebook, new RunnerOptions(Profile.Quick, null, WriteBack: false, temp["out"]));
        Assert.False(run.Succeeded);
        var error = Assert.Single(run.Errors);
        Assert.Equal(3, error.Cell);
        Assert.Contains("deliberate failure", error.Error);
        Assert.Contains("broken.ipynb", run.Problem);
        Assert.Contains("cell 3", run.Problem);
    }

    static string OneCellNotebook(string code) => """
        {"cells": [
          {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": [CODE]}
        ],
         "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"},
                      "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
         "nbformat": 4, "nbformat_minor": 5}
        """.Replace("CODE", System.Text.Json.JsonSerializer.Serialize(code), StringComparison.Ordinal);

    [Fact]
    public void Writing_back_replaces_a_notebook_only_when_every_cell_succeeded()
    {
        _ = Prepared.Value;
        using var temp = TestSetup.Temp();
        var notebook = temp["98-write-back.ipynb"];
        // The committed copy now holds a bug: the run fails and the file (with its good output) stays as it was.
        var broken = OneCellNotebook("throw new InvalidOperationException(\"deliberate failure\");").Replace("\"outputs\": []", "\"outputs\": [{\"output_type\": \"execute_result\", \"execution_count\": 1, \"metadata\": {}, \"data\": {\"text/plain\": [\"a good committed output\"]}}]", StringComparison.Ordinal);
        File.WriteAllText(notebook, broken);
        var options = new RunnerOptions(Profile.Quick, null, WriteBack: true, temp["out"]);
        var failed = NotebookRunner.Run(notebook, options);
        Assert.False(failed.Succeeded);
        Assert.Equal(broken, File.ReadAllText(notebook));
        Assert.Contains("cell 1", failed.Problem);
        Assert.Contains("left as they were", failed.Problem);
        Assert.Contains("deliberate failure", File.ReadAllText(failed.ExecutedPath!));
        Assert.StartsWith(options.ScratchFolder, failed.ExecutedPath!);

        File.WriteAllText(notebook, OneCellNotebook("40 + 2"));
        var succeeded = NotebookRunner.Run(notebook, options);
        Assert.True(succeeded.Succeeded, succeeded.Problem);
        Assert.Equal(notebook, succeeded.ExecutedPath);
        Assert.Contains("42", File.ReadAllText(notebook));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(notebook)!, ".*.tmp"));
    }

    [Fact]
    public async Task Two_runs_of_one_notebook_at_once_in_one_output_folder_both_succeed()
    {
        _ = Prepared.Value;
        using var temp = TestSetup.Temp();
        var notebook = temp["97-twice.ipynb"];
        File.WriteAllText(notebook, OneCellNotebook("6 * 7"));
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => NotebookRunner.Run(notebook, new RunnerOptions(Profile.Quick, null, WriteBack: false, temp["out"])))).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.True(r.Succeeded, r.Problem));
        // Each ran in its own scratch folder; the executed copy they share was replaced atomically, whole, by both.
        Assert.All(results, r => Assert.Contains("42", File.ReadAllText(r.ExecutedPath!)));
        Assert.Empty(NotebookCleaner.Errors(NotebookCleaner.Read(results[0].ExecutedPath!)));
        Assert.Empty(Directory.GetFiles(temp["out"], ".*.tmp"));
    }

    [Fact]
    public void Two_runs_at_once_get_their_own_scratch_folders()
    {
        var a = new RunnerOptions(Profile.Quick, null, false, "out");
        var b = new RunnerOptions(Profile.Quick, null, false, "out");
        Assert.NotEqual(a.ScratchFolder, b.ScratchFolder);
        Assert.StartsWith(Path.Combine("out", "runs"), a.ScratchFolder);
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), a.ScratchFolder);
    }

    public static TheoryData<string> Committed() => new(Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Committed))]
    public void Committed_notebooks_are_executed_clean_and_portable(string notebook)
    {
        var path = Path.Combine(ProjectPaths.Notebooks, notebook);
        var document = NotebookCleaner.Read(path);
        Assert.Empty(NotebookCleaner.Errors(document));
        var code = document.Elements.Where(e => e.KernelName != "markdown").ToList();
        Assert.All(code, cell => Assert.NotEmpty(cell.Outputs.Count > 0 || cell.Contents.Contains("Process.Start") ? ["ok"] : Array.Empty<string>()));
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("Installing package", text);
        // Every chart carries a static image for GitHub; no output loads anything from a CDN.
        var json = JsonNode.Parse(text)!;
        var outputs = json["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).Select(o => o!["data"] as JsonObject).OfType<JsonObject>().ToList();
        var charts = outputs.Where(d => d.ContainsKey("application/vnd.plotly.v1+json")).ToList();
        Assert.All(charts, d => Assert.True(d.ContainsKey("image/png"), "a chart output without a static image/png"));
        Assert.DoesNotMatch(@"cdn\.|unpkg\.com|jsdelivr|require\.js|<script src=", text);
        Assert.DoesNotMatch(@"/(root|home|work|tmp)/", text);
        // nbformat 4.5 (the files say nbformat_minor 5) requires a unique id of 1-64 letters, digits, '-' or '_' on every cell.
        var ids = json["cells"]!.AsArray().Select(c => c!["id"]?.GetValue<string>()).ToList();
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{1,64}$", id ?? ""));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var results = Path.Combine(ProjectPaths.Notebooks, "results", Path.ChangeExtension(notebook, ".json"));
        Assert.True(File.Exists(results), $"{notebook} has no committed results file");
        Assert.Equal("full", JsonNode.Parse(File.ReadAllText(results))!["profile"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Committed))]
    public void Committed_notebooks_are_in_the_form_clean_writes(string notebook)
    {
        // Number arrays on one line, figures as objects, ids, tags: cleaning a committed notebook changes no byte.
        using var temp = TestSetup.Temp();
        var path = Path.Combine(ProjectPaths.Notebooks, notebook);
        Assert.Equal(0, NotebookCleaner.CleanSaved(path, temp["clean.ipynb"]));
        Assert.True(File.ReadAllText(path) == File.ReadAllText(temp["clean.ipynb"]), $"{notebook} is not in the form 'clean' writes: run dotnet run --project lib/TicketLab.Cli -c Release -- clean notebooks/{notebook}");
    }

    [Fact]
    public void Clean_makes_a_notebook_saved_by_a_Jupyter_client_fit_to_commit()
    {
        using var temp = TestSetup.Temp();
        var notebook = temp["saved.ipynb"];
        var figure = """{"data": [{"type": "scatter", "x": [1, 2, 3], "y": [4, 5, 6]}], "layout": {"title": {"text": "t"}}}""";
        var saved = new JsonObject
        {
            ["cells"] = new JsonArray(
                new JsonObject
                {
                    ["cell_type"] = "code", ["execution_count"] = 1, ["source"] = "#!import setup.dib",
                    ["metadata"] = new JsonObject { ["execution"] = new JsonObject { ["iopub.execute_input"] = "2026-12-05T10:00:00Z" } },
                    ["outputs"] = new JsonArray(
                        new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["text/html"] = "<div><div id='dotnet-interactive-this-cell-1'></div><script>probeAddresses(['http://192.0.2.2:2048/'])</script></div>" } },
                        new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["text/plain"] = $"saved to {ProjectPaths.Root}/data/cache/x" } }),
                },
                new JsonObject
                {
                    ["cell_type"] = "code", ["execution_count"] = 2, ["source"] = "var hp = 1;", ["metadata"] = new JsonObject { ["tags"] = new JsonArray("parameters") },
                    ["outputs"] = new JsonArray(
                        new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["application/vnd.plotly.v1+json"] = figure, ["text/plain"] = "a chart" } },
                        new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(), ["data"] = new JsonObject { ["application/vnd.plotly.v1+json"] = JsonNode.Parse(figure), ["text/plain"] = "a chart" } }),
                }),
            ["metadata"] = JsonNode.Parse("""{"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"}}"""),
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        File.WriteAllText(notebook, saved.ToJsonString());
        Assert.Equal(1, NotebookCleaner.CleanSaved(notebook));
        var text = File.ReadAllText(notebook);
        Assert.DoesNotContain("dotnet-interactive-this-cell", text);
        Assert.DoesNotContain("192.0.2.2", text);
        Assert.DoesNotContain(ProjectPaths.Root, text);
        Assert.DoesNotContain("iopub", text);
        var cells = JsonNode.Parse(text)!["cells"]!.AsArray();
        Assert.Equal(["cell-0", "cell-1"], cells.Select(c => c!["id"]!.GetValue<string>()));
        Assert.Equal("parameters", cells[1]!["metadata"]!["tags"]![0]!.GetValue<string>());
        var figures = cells[1]!["outputs"]!.AsArray().Select(o => o!["data"]!["application/vnd.plotly.v1+json"]).ToList();
        Assert.All(figures, f => Assert.Equal(4, Assert.IsType<JsonObject>(f)["data"]![0]!["y"]![0]!.GetValue<int>()));
        Assert.Contains("\"x\": [1, 2, 3]", text);
    }

    [Fact]
    public void The_cleaner_replaces_machine_paths_longest_first()
    {
        using var temp = TestSetup.Temp();
        var notebook = temp["n.ipynb"];
        File.WriteAllText(notebook, """
            {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["x"],
               "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"text/plain": ["/a/b/c/file.txt and /a/b/other"]}},
                           {"output_type": "display_data", "metadata": {}, "data": {"text/plain": ["Installing package Foo"]}}]}],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}, "nbformat": 4, "nbformat_minor": 5}
            """);
        var document = NotebookCleaner.Read(notebook);
        NotebookCleaner.Clean(document, [("/a/b", "<b>"), ("/a/b/c", "<c>")]);
        var texts = NotebookCleaner.OutputTexts(document).ToList();
        Assert.Equal("<c>/file.txt and <b>/other", Assert.Single(texts));
        NotebookCleaner.Write(document, temp["out.ipynb"]);
        Assert.Contains("<c>/file.txt", File.ReadAllText(temp["out.ipynb"]));
    }

    [Fact]
    public void The_cleaner_leaves_base64_images_alone_where_a_path_appears_by_chance()
    {
        using var temp = TestSetup.Temp();
        var notebook = temp["n.ipynb"];
        // "/tmp" is four base64 digits here, inside an image and inside a data URI of an HTML output; only the real path changes.
        File.WriteAllText(notebook, """
            {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["x"],
               "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgoPL/tmpYeAy", "text/html": ["<img src=\"data:image/png;base64,AB/tmpCD\"> saved to /tmp/run/x.png"]}}]}],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}, "nbformat": 4, "nbformat_minor": 5}
            """);
        var document = NotebookCleaner.Read(notebook);
        NotebookCleaner.Clean(document, [("/tmp", "<tmp>")]);
        NotebookCleaner.Write(document, temp["out.ipynb"]);
        var written = File.ReadAllText(temp["out.ipynb"]);
        Assert.Contains("iVBORw0KGgoPL/tmpYeAy", written);
        Assert.Contains("base64,AB/tmpCD", written);
        Assert.Contains("saved to <tmp>/run/x.png", written);
    }
}
