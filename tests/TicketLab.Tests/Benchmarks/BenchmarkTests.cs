using System.Text.Json.Nodes;
using TicketLab.Benchmarks;

namespace TicketLab.Tests.Benchmarks;

public class BenchmarkTests
{
    [Fact]
    public void Step_flops_count_forward_weight_gradients_and_hidden_input_gradients()
    {
        // 784-300-100-10 at batch 1: forward 2(235200 + 30000 + 1000) = 532400; weight gradients the same; input
        // gradients of layers 2 and 3 only (nobody needs dL/dx): 2(30000 + 1000) = 62000.
        Assert.Equal(532400 * 2 + 62000, StepBenchmarks.StepFlops([784, 300, 100, 10], 1));
        Assert.Equal(128 * (532400 * 2.0 + 62000), StepBenchmarks.StepFlops([784, 300, 100, 10], 128));
    }

    [Fact]
    public void Bench_options_name_the_bad_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BenchOptions(Rounds: 0).Validate());
        Assert.Equal("Rounds", error.ParamName);
    }

    [Fact]
    public void The_committed_benchmarks_hold_every_ratio_the_issue_names()
    {
        var bench = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Notebooks, "results", "benchmarks.json")))!.AsObject();
        foreach (var key in new[] { "torchsharp_vs_pytorch_step_ratio", "step_fraction_of_matmul_peak", "detector_sampler_fraction_of_matmul_peak",
                     "ntk_fast_vs_autograd_speedup", "edge_popup_vs_dense_epoch_ratio" })
            Assert.True(bench[key] is JsonValue v && v.GetValue<double>() > 0, $"benchmarks.json has no positive '{key}'");
        var seconds = bench["notebook_seconds"]!.AsObject();
        var memory = bench["notebook_peak_mb"]!.AsObject();
        foreach (var notebook in Directory.GetFiles(ProjectPaths.Notebooks, "*.ipynb").Select(Path.GetFileNameWithoutExtension))
        {
            Assert.True(seconds[notebook!]?.GetValue<double>() > 0, $"no notebook_seconds for {notebook}");
            Assert.True(memory[notebook!]?.GetValue<double>() > 0, $"no notebook_peak_mb for {notebook}");
        }
    }
}
