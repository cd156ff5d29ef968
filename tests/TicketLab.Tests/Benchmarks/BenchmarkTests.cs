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
        var only = Assert.Throws<ArgumentOutOfRangeException>(() => new BenchOptions(Only: "ntk").Validate());
        Assert.Equal("Only", only.ParamName);
        Assert.Contains("scaling", only.Message);
        new BenchOptions(Only: BenchOptions.ScalingOnly).Validate();
    }

    [Fact]
    public void Every_scaling_cost_is_timed_at_three_or_more_increasing_sizes_and_predicts_a_bigger_one()
    {
        Assert.Equal(["sampler_units", "ntk_inputs", "kernel_regression_training_size", "trainings_side_by_side"], Scaling.All.Select(c => c.Key));
        Assert.Equal(Scaling.All.Count, Scaling.All.Select(c => c.Method).Distinct().Count());
        foreach (var cost in Scaling.All)
        {
            Assert.True(cost.Sizes.Length >= 3, cost.Key);
            Assert.True(cost.Sizes.Zip(cost.Sizes.Skip(1)).All(p => p.First < p.Second), cost.Key);
            Assert.True(cost.PredictAt > cost.Sizes[^1], cost.Key);
        }
        // One benchmark class per cost, each timing the sizes its cost names.
        ScalingBenchmark[] benchmarks = [new SamplerScaling(), new NtkScaling(), new KernelRegressionScaling(), new SideBySideScaling()];
        Assert.Equal(Scaling.All, benchmarks.Select(b => b.Cost));
        Assert.All(benchmarks, b => Assert.Equal(b.Cost.Sizes, b.Sizes));
        Assert.All(benchmarks, b => Assert.NotNull(b.GetType().GetMethod(b.Cost.Method)));
    }

    [Fact]
    public void A_scaling_result_fits_its_exponent_and_predicts_from_the_largest_size()
    {
        var cost = Scaling.KernelRegression;
        var seconds = cost.Sizes.Select(n => 1e-7 * n * n).ToArray();
        var result = ScalingResult.Of(cost, seconds);
        Assert.Equal(2, result.Exponent, 9);
        Assert.Equal(1e-7 * cost.PredictAt * cost.PredictAt, result.PredictedSeconds, 6);
        Assert.Equal(result.PredictedSeconds, result.PredictedBand[0], 6);
        var rounded = result.Rounded();
        // 3 significant digits: 1e-7 x 500² = 0.025 s ... 2,000² = 0.4 s; predicted 0.4 x 5² = 10 s at 10,000.
        Assert.Equal([0.025, 0.1, 0.225, 0.4], rounded.Seconds);
        Assert.Equal(10, rounded.PredictedSeconds);
        var row = Assert.Single(BenchmarkSuite.ScalingRows([result]));
        Assert.Equal("scaling_exponent: kernel_regression_training_size", row.Key);
        Assert.Equal(2, row.Value!.Value, 9);
        Assert.Contains("500 / 1,000 / 1,500 / 2,000", row.Detail);
        Assert.Contains("predicted at 10,000 training images: 10 s", row.Detail);
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
        Assert.DoesNotContain(without.Keys, k => k.StartsWith("scaling_exponent", StringComparison.Ordinal));

        // With the scaling measured, one row per cost follows the ratios.
        var scaling = Scaling.All.Select(c => ScalingResult.Of(c, c.Sizes.Select(n => 0.001 * n).ToArray())).ToList();
        var withScaling = BenchmarkSuite.Rows(m with { Scaling = scaling }, runs, null);
        Assert.Equal(Scaling.All.Select(c => $"scaling_exponent: {c.Key}"), withScaling.TakeLast(Scaling.All.Count).Select(r => r.Key));
        Assert.All(withScaling.TakeLast(Scaling.All.Count), r => Assert.Equal(1, r.Value!.Value, 9));
    }
}
