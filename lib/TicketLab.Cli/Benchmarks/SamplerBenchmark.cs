using System.Diagnostics;
using TicketLab.Data;
using TicketLab.Detectors;
using static TorchSharp.torch;

namespace TicketLab.Cli.Benchmarks;

/// <summary>One measured ratio: the sampler's achieved matrix-product rate against the machine's plain float32 product rate.</summary>
/// <param name="MatmulGflops">GFLOP/s of the plain product of the same shapes (median of the rounds).</param>
/// <param name="SamplerGflops">GFLOP/s the sampler achieves counting only its products (median).</param>
/// <param name="Ratio">Sampler / matmul, per round; the median of the rounds.</param>
/// <param name="UnitsPerSecond">Random units scored per second (median).</param>
/// <param name="Examples">Evaluation images per unit.</param>
public sealed record SamplerBenchmarkResult(double MatmulGflops, double SamplerGflops, double Ratio, double UnitsPerSecond, int Examples);

/// <summary>
/// Measures, in one run and interleaved so that the machine's load affects both alike, the random-unit sampler against
/// a plain float32 matrix product of the same shape (the sampler's arithmetic without its ranking).
/// </summary>
public static class SamplerBenchmark
{
    /// <summary>Runs <paramref name="rounds"/> interleaved rounds of both and reports the medians.</summary>
    public static SamplerBenchmarkResult Run(int rounds = 5, int unitsPerRound = 32_768, int perClass = 200)
    {
        Setup.TorchRuntime.EnsureLoaded();
        var data = Datasets.Load(new DataOptions(TestPerClass: perClass));
        using var eval = EvaluationSet.FromTest(data, perClass);
        var n = (int)eval.Inputs.shape[0];
        using var inputsByColumn = eval.Inputs.t().contiguous();
        var options = new SamplerOptions(Units: unitsPerRound, Seed: 1);
        using var weights = randn([options.BatchSize, inputsByColumn.shape[0]]);
        RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, eval.Classes, options with { Units = options.BatchSize }); // warm-up
        var matmul = new List<double>();
        var sampler = new List<double>();
        var units = new List<double>();
        var ratios = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            var products = unitsPerRound / options.BatchSize;
            for (var i = 0; i < products; i++)
            {
                using var product = weights.mm(inputsByColumn);
            }
            var matmulGflops = 2.0 * options.BatchSize * products * inputsByColumn.shape[0] * n / clock.Elapsed.TotalSeconds / 1e9;
            var result = RandomUnitSampler.Layer1(eval.Inputs, eval.Labels, eval.Classes, options with { Seed = r + 1 });
            matmul.Add(matmulGflops);
            sampler.Add(result.Gflops);
            units.Add(result.UnitsPerSecond);
            ratios.Add(result.Gflops / matmulGflops);
        }
        return new SamplerBenchmarkResult(Median(matmul), Median(sampler), Median(ratios), Median(units), n);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
