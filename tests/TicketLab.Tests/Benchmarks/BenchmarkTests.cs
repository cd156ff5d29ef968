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
    public void Every_ratio_is_made_of_the_runs_own_measurements_and_judged_against_its_target()
    {
        var peer = new PeerResult("1.13", "openblas", 1, "python3", StepSeconds: 0.005, MatmulSeconds: 0.02, MatmulSize: 1024);
        var m = new BenchMeasurements(2, 5, StepSeconds: 0.004, Step2Seconds: 0.006, MatmulSeconds: 0.01, SamplerSeconds: 2, SamplerProductsSeconds: 0.5,
            NtkFastSeconds: 0.2, NtkAutogradSeconds: 100, NtkDifference: 1e-6, DenseEpochSeconds: 1, EdgePopupEpochSeconds: 2.5,
            peer, peer with { Threads = 2, StepSeconds = 0.004 }, null,
            RareEventSeconds: 10, RareEventEvaluations: 200_000, RareEventFlopsPerUnit: 2.0 * 784 * 5000, RareEventReachedLog2: -61);
        var runs = new NotebookRuns("full", "test machine", [new("00-a", 100, 900, [new(3, 95)]), new("01-b", 700, 800, [new(4, 20)])]);
        var rows = BenchmarkSuite.Rows(m, runs, null).ToDictionary(r => r.Key);
        Assert.Equal(0.8, rows["torchsharp_vs_pytorch_step_ratio"].Value!.Value, 10);
        Assert.True(rows["torchsharp_vs_pytorch_step_ratio"].Met);
        Assert.Contains("ratio 1.50", rows["torchsharp_vs_pytorch_step_ratio"].Detail);
        Assert.Equal(0.25, rows["detector_sampler_fraction_of_matmul_peak"].Value!.Value, 10);
        Assert.False(rows["detector_sampler_fraction_of_matmul_peak"].Met);
        Assert.Equal(500, rows["ntk_fast_vs_autograd_speedup"].Value!.Value, 10);
        // 20,000 units/s of 7.84 MFLOP each: 156.8 GFLOP/s against the product's 2·1024³ flops in 10 ms (214.7 GFLOP/s).
        Assert.Equal(20_000 * 2.0 * 784 * 5000 / 1e9 / (2.0 * 1024 * 1024 * 1024 / 0.01 / 1e9), rows["rare_event_fraction_of_matmul_peak"].Value!.Value, 6);
        Assert.True(rows["rare_event_fraction_of_matmul_peak"].Met);
        Assert.Contains("200,000 units", rows["rare_event_fraction_of_matmul_peak"].Detail);
        Assert.Equal(2.5, rows["edge_popup_vs_dense_epoch_ratio"].Value!.Value, 10);
        Assert.False(rows["edge_popup_vs_dense_epoch_ratio"].Met);
        // Step rate over the product rate: flops of the step at 4 ms against 2·1024³ flops at 10 ms.
        Assert.Equal(StepBenchmarks.StepFlops([784, 300, 100, 10], StepBenchmarks.BatchSize) / 0.004 / (2.0 * 1024 * 1024 * 1024 / 0.01),
            rows["step_fraction_of_matmul_peak"].Value!.Value, 6);
        Assert.Equal(800, rows["suite_seconds (full profile)"].Value);
        Assert.True(rows["suite_seconds (full profile)"].Met);
        Assert.False(rows["slowest_cell_seconds (full profile)"].Met);
        Assert.Equal("00-a, cell 3", rows["slowest_cell_seconds (full profile)"].Detail);

        var without = BenchmarkSuite.Rows(m with { Peer = null, Peer2 = null, PeerProblem = "no torch" }, null, "no runs").ToDictionary(r => r.Key);
        Assert.Null(without["torchsharp_vs_pytorch_step_ratio"].Value);
        Assert.Null(without["torchsharp_vs_pytorch_step_ratio"].Met);
        Assert.Contains("not measured: no torch", without["torchsharp_vs_pytorch_step_ratio"].Detail);
        Assert.Contains("not available: no runs", without["notebook_seconds"].Detail);
    }
}
