using System.Text.Json.Nodes;
using TicketLab.Cli.Notebooks;

namespace TicketLab.Tests.Notebooks;

/// <summary>The notebook host (lib/TicketLab.NotebookHost) records what each cell produced, as an editor shows it.</summary>
[Collection("notebooks")]
public class NotebookHostTests
{
    static string Notebook(params string[] cells) =>
        new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(code => (JsonNode)new JsonObject
            {
                ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
                ["outputs"] = new JsonArray(), ["source"] = code,
            }).Prepend(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = "# A test notebook" }).ToArray()),
            ["metadata"] = JsonNode.Parse("""{"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}}"""),
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        }.ToJsonString();

    [Fact]
    public void Displays_updates_output_and_errors_land_in_their_cells_and_later_cells_still_run()
    {
        _ = NotebookTests.Prepared.Value;
        using var temp = TestSetup.Temp();
        var notebook = temp["96-host.ipynb"];
        File.WriteAllText(notebook, Notebook(
            "var shown = display(\"first state\");\nshown.Update(\"second state\");\nSystem.Threading.Tasks.Task.Run(() => shown.Update(\"final state\")).Wait();\nConsole.Write(\"printed\");\n40 + 2",
            "throw new InvalidOperationException(\"deliberate failure\");",
            "var later = \"ran after the failure\";\nlater"));
        var run = NotebookRunner.Run(notebook, new RunnerOptions(Profile.Quick, null, WriteBack: false, temp["out"]));
        Assert.False(run.Succeeded);
        Assert.Equal(3, Assert.Single(run.Errors).Cell);
        var cells = JsonNode.Parse(File.ReadAllText(run.ExecutedPath!))!["cells"]!.AsArray();
        // Every output's text, whatever its MIME type (a number returned by a cell shows as HTML only).
        string Texts(int cell) => string.Join("\n", cells[cell]!["outputs"]!.AsArray().SelectMany(o => (o!["data"] as JsonObject)?.Select(kv => kv.Value) ?? [o!["text"]])
            .Select(v => v is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : v?.ToString() ?? ""));
        var first = Texts(1);
        Assert.Contains("first state", first);
        Assert.Contains("final state", first);
        Assert.DoesNotContain("second state", first); // an updated display keeps its last state
        Assert.Contains("printed", first);
        Assert.Contains("42", first);
        Assert.Contains("deliberate failure", File.ReadAllText(run.ExecutedPath!));
        Assert.Contains("ran after the failure", Texts(3));
        // Each code cell was timed; the timings left the saved notebook.
        Assert.Equal([2, 3, 4], run.Cells.Select(c => c.Cell));
        Assert.DoesNotContain("ticketlab_cell_seconds", File.ReadAllText(run.ExecutedPath!));
    }
}
