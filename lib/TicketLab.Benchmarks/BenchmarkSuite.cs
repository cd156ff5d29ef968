using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using static TorchSharp.torch;

namespace TicketLab.Benchmarks;

/// <summary>What the bench command runs.</summary>
/// <param name="Rounds">Measured iterations of each benchmark (the long NTK reference runs once).</param>
/// <param name="InstallPeer">Install Debian's PyTorch when no Python can import torch (needs root and apt-get).</param>
public sealed record BenchOptions(int Rounds = 5, bool InstallPeer = true)
{
    /// <summary>Throws naming the first invalid field, its value and what is accepted.</summary>
    public BenchOptions Validate()
    {
        if (Rounds is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "accepted: 1 to 100");
        return this;
    }
}

/// <summary>One row of the bench table: a named ratio (or measurement), its value, its target and how it was obtained.</summary>
/// <param name="Key">The key in benchmarks.json.</param>
/// <param name="Value">The number, or null when it could not be measured.</param>
/// <param name="Target">What it should be (e.g. "&lt;= 1.0"), or empty.</param>
/// <param name="Detail">The measurements it is made of.</param>
/// <param name="Met">Whether the target holds (null without a target or value).</param>
public sealed record BenchRow(string Key, double? Value, string Target, string Detail, bool? Met);

/// <summary>Runs the BenchmarkDotNet benchmarks and the PyTorch peer in one process run and turns them into ratios.</summary>
public static class BenchmarkSuite
{
    /// <summary>Runs everything and writes <c>notebooks/results/benchmarks.json</c>; returns the table rows.</summary>
    public static IReadOnlyList<BenchRow> Run(BenchOptions options, Action<string> log)
    {
        options.Validate();
        TicketLab.Setup.TorchRuntime.EnsureLoaded();
        var threads = get_num_threads();
        var artifacts = Path.Combine(ProjectPaths.Cache, "benchmarks");
        Directory.CreateDirectory(artifacts);
        var logPath = Path.Combine(artifacts, "bench.log");
        using var logger = new StreamLogger(logPath);
        log($"BenchmarkDotNet log: {Path.GetRelativePath(ProjectPaths.Root, logPath)}; {threads} intra-op threads");

        var quick = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2)
            .WithIterationCount(Math.Max(3, options.Rounds * 2)).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250));
        var slow = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
            .WithWarmupCount(1).WithIterationCount(options.Rounds).WithInvocationCount(1).WithUnrollFactor(1);
        var once = slow.WithWarmupCount(0).WithIterationCount(1);

        log("PyTorch peer: one training step and a 1024x1024 product, on 1 and on 2 threads...");
        var peer = PyTorchPeer.Run(1, options.Rounds, options.InstallPeer, log, out var peerProblem);
        var peer2 = peer is null ? null : PyTorchPeer.Run(2, options.Rounds, false, log, out peerProblem);
        if (peer is null || peer2 is null) log($"PyTorch peer skipped: {peerProblem}");

        log("TorchSharp: one training step and a 1024x1024 product, on 1 and on 2 threads...");
        var step = Measure<StepBenchmarks>(quick, logger, nameof(StepBenchmarks.TrainingStep), nameof(StepBenchmarks.Matmul));
        log("Detector sampler against products of the same shapes...");
        var sampler = Measure<SamplerBenchmarks>(slow, logger, nameof(SamplerBenchmarks.Sampler), nameof(SamplerBenchmarks.Products));
        log("Empirical NTK, layer-wise and autograd reference (the reference takes minutes)...");
        var ntkFast = Measure<NtkBenchmarks>(slow, logger, nameof(NtkBenchmarks.Fast));
        var ntkAutograd = Measure<NtkBenchmarks>(once, logger, nameof(NtkBenchmarks.Autograd));
        var ntk = new NtkBenchmarks();
        ntk.Setup();
        var ntkDifference = ntk.MaxRelativeDifference();
        ntk.Cleanup();
        log("One dense epoch against one edge-popup epoch...");
        var epochs = Measure<PruningBenchmarks>(slow, logger, nameof(PruningBenchmarks.DenseEpoch), nameof(PruningBenchmarks.EdgePopupEpoch));

        // The trainer runs a step this small on one thread (IntraOpThreads); the machine's peak is the faster product.
        var stepSeconds = step[$"{nameof(StepBenchmarks.TrainingStep)}@1"];
        var step2Seconds = step[$"{nameof(StepBenchmarks.TrainingStep)}@2"];
        var matmulSeconds = Math.Min(step[$"{nameof(StepBenchmarks.Matmul)}@1"], step[$"{nameof(StepBenchmarks.Matmul)}@2"]);
        var matmulGflops = StepBenchmarks.MatmulFlops / matmulSeconds / 1e9;
        var stepGflops = StepBenchmarks.StepFlops([784, 300, 100, 10], StepBenchmarks.BatchSize) / stepSeconds / 1e9;
        var samplerFraction = sampler[nameof(SamplerBenchmarks.Products)] / sampler[nameof(SamplerBenchmarks.Sampler)];
        var ntkSpeedup = ntkAutograd[nameof(NtkBenchmarks.Autograd)] / ntkFast[nameof(NtkBenchmarks.Fast)];
        var epochRatio = epochs[nameof(PruningBenchmarks.EdgePopupEpoch)] / epochs[nameof(PruningBenchmarks.DenseEpoch)];
        double? peerRatio = peer is null ? null : stepSeconds / peer.StepSeconds;
        double? peerRatio2 = peer2 is null ? null : step2Seconds / peer2.StepSeconds;

        NotebookRuns? runs = null;
        string? runsProblem = null;
        try { runs = NotebookRuns.Read(); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException) { runsProblem = e.Message; }
        var fullRuns = runs is { Profile: "full" } ? runs : null;
        if (runs is not null && fullRuns is null) runsProblem = $"the recorded notebook run is the {runs.Profile} profile; run the main job in the full profile.";

        var rows = new List<BenchRow>
        {
            new("torchsharp_vs_pytorch_step_ratio", peerRatio, "<= 1.0",
                peer is null ? $"not measured: {peerProblem}"
                : $"step 784-300-100-10, batch 128, Adam, 1 thread (as the trainer runs it): TorchSharp {stepSeconds * 1e3:0.00} ms, PyTorch {peer.TorchVersion} ({peer.Blas}) {peer.StepSeconds * 1e3:0.00} ms"
                  + (peer2 is null ? "" : $"; 2 threads: {step2Seconds * 1e3:0.00} ms against {peer2.StepSeconds * 1e3:0.00} ms (ratio {peerRatio2:0.00})"),
                peerRatio is { } r ? r <= 1.0 : null),
            new("step_fraction_of_matmul_peak", stepGflops / matmulGflops, "",
                $"step {stepGflops:0.0} GFLOP/s (1 thread) against {matmulGflops:0.0} GFLOP/s for a {StepBenchmarks.MatmulSize}x{StepBenchmarks.MatmulSize} float32 product (best of 1 and 2 threads)"
                + (peer2 is null ? "" : $"; PyTorch's product: {StepBenchmarks.MatmulFlops / Math.Min(peer!.MatmulSeconds, peer2.MatmulSeconds) / 1e9:0.0} GFLOP/s"), null),
            new("detector_sampler_fraction_of_matmul_peak", samplerFraction, ">= 0.30",
                $"{SamplerBenchmarks.Units:N0} units on {SamplerBenchmarks.Examples:N0} images in {sampler[nameof(SamplerBenchmarks.Sampler)]:0.00} s "
                + $"({SamplerBenchmarks.Units / sampler[nameof(SamplerBenchmarks.Sampler)]:N0} units/s); the same products alone {sampler[nameof(SamplerBenchmarks.Products)]:0.00} s "
                + $"({SamplerBenchmarks.ProductFlops / sampler[nameof(SamplerBenchmarks.Products)] / 1e9:0.0} GFLOP/s)", samplerFraction >= 0.30),
            new("ntk_fast_vs_autograd_speedup", ntkSpeedup, ">= 20",
                $"width {NtkBenchmarks.Width}, {NtkBenchmarks.Examples} images: layer-wise {ntkFast[nameof(NtkBenchmarks.Fast)]:0.000} s, autograd {ntkAutograd[nameof(NtkBenchmarks.Autograd)]:0.0} s; "
                + $"kernels agree to {ntkDifference:g2} of the largest entry (100 images)", ntkSpeedup >= 20),
            new("edge_popup_vs_dense_epoch_ratio", epochRatio, "<= 2.0",
                $"{PruningBenchmarks.TrainPerClass * 10:N0} images, batch 128: dense {epochs[nameof(PruningBenchmarks.DenseEpoch)]:0.00} s, edge-popup (keep 0.5) {epochs[nameof(PruningBenchmarks.EdgePopupEpoch)]:0.00} s",
                epochRatio <= 2.0),
        };
        if (fullRuns is not null)
        {
            var slowest = fullRuns.Notebooks.Select(n => (n.Notebook, Cell: n.SlowestCell)).MaxBy(n => n.Cell.Seconds);
            rows.Add(new("suite_seconds (full profile)", fullRuns.TotalSeconds, "< 900",
                string.Join(", ", fullRuns.Notebooks.Select(n => $"{n.Notebook[..2]}: {n.Seconds:0} s")), fullRuns.TotalSeconds < 900));
            rows.Add(new("slowest_cell_seconds (full profile)", slowest.Cell.Seconds, "<= 90", $"{slowest.Notebook}, cell {slowest.Cell.Cell}", slowest.Cell.Seconds <= 90));
            rows.Add(new("notebook_peak_mb (largest)", fullRuns.Notebooks.Max(n => n.PeakMb), "",
                string.Join(", ", fullRuns.Notebooks.Select(n => $"{n.Notebook[..2]}: {n.PeakMb:0} MB")), null));
        }
        else rows.Add(new("notebook_seconds", null, "", $"not available: {runsProblem}", null));

        Results.Write("benchmarks", new
        {
            machine = MachineDescription.Current,
            threads,
            rounds = options.Rounds,
            torchsharp_vs_pytorch_step_ratio = Round(peerRatio),
            step_fraction_of_matmul_peak = Round(stepGflops / matmulGflops),
            detector_sampler_fraction_of_matmul_peak = Round(samplerFraction),
            ntk_fast_vs_autograd_speedup = Round(ntkSpeedup, 1),
            edge_popup_vs_dense_epoch_ratio = Round(epochRatio),
            notebook_seconds = fullRuns?.Notebooks.ToDictionary(n => n.Notebook, n => Math.Round(n.Seconds, 1)),
            notebook_peak_mb = fullRuns?.Notebooks.ToDictionary(n => n.Notebook, n => Math.Round(n.PeakMb)),
            suite_seconds = fullRuns is null ? (double?)null : Math.Round(fullRuns.TotalSeconds, 1),
            slowest_cell_seconds = fullRuns is null ? (double?)null : Math.Round(fullRuns.Notebooks.Max(n => n.SlowestCell.Seconds), 1),
            measurements = new
            {
                torchsharp_step_ms = Math.Round(stepSeconds * 1e3, 3),
                pytorch_step_ms = peer is null ? (double?)null : Math.Round(peer.StepSeconds * 1e3, 3),
                torchsharp_step_ms_2_threads = Math.Round(step2Seconds * 1e3, 3),
                pytorch_step_ms_2_threads = peer2 is null ? (double?)null : Math.Round(peer2.StepSeconds * 1e3, 3),
                torchsharp_vs_pytorch_step_ratio_2_threads = Round(peerRatio2),
                step_gflops = Math.Round(stepGflops, 2),
                torchsharp_matmul_gflops = Math.Round(matmulGflops, 1),
                pytorch_matmul_gflops = peer is null || peer2 is null ? (double?)null : Math.Round(StepBenchmarks.MatmulFlops / Math.Min(peer.MatmulSeconds, peer2.MatmulSeconds) / 1e9, 1),
                sampler_seconds = Math.Round(sampler[nameof(SamplerBenchmarks.Sampler)], 3),
                sampler_products_seconds = Math.Round(sampler[nameof(SamplerBenchmarks.Products)], 3),
                ntk_fast_seconds = Math.Round(ntkFast[nameof(NtkBenchmarks.Fast)], 4),
                ntk_autograd_seconds = Math.Round(ntkAutograd[nameof(NtkBenchmarks.Autograd)], 2),
                ntk_max_relative_difference = ntkDifference,
                dense_epoch_seconds = Math.Round(epochs[nameof(PruningBenchmarks.DenseEpoch)], 3),
                edge_popup_epoch_seconds = Math.Round(epochs[nameof(PruningBenchmarks.EdgePopupEpoch)], 3),
            },
            pytorch = peer is null ? null : new { version = peer.TorchVersion, blas = peer.Blas, threads = new[] { peer.Threads, peer2?.Threads ?? 0 }, python = peer.Python },
            pytorch_problem = peerProblem,
            notebook_runs_problem = runsProblem,
        });
        return rows;
    }

    static double? Round(double? value, int digits = 3) => value is { } v ? Math.Round(v, digits) : null;

    /// <summary>Runs the named benchmarks of <typeparamref name="T"/> with <paramref name="job"/>; median seconds per call by method name.</summary>
    static Dictionary<string, double> Measure<T>(Job job, ILogger logger, params string[] methods)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(logger)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(ProjectPaths.Cache, "benchmarks"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var infos = methods.Select(m => typeof(T).GetMethod(m, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"{typeof(T).Name} has no benchmark '{m}'.", nameof(methods))).ToArray();
        var summary = BenchmarkRunner.Run(typeof(T), infos, config);
        if (summary.HasCriticalValidationErrors)
            throw new InvalidOperationException($"BenchmarkDotNet refused {typeof(T).Name}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))} (build with -c Release).");
        var result = new Dictionary<string, double>();
        foreach (var report in summary.Reports)
        {
            var parameters = report.BenchmarkCase.Parameters;
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name
                + (parameters.Count == 0 ? "" : "@" + string.Join(",", parameters.Items.Select(p => p.Value)));
            var median = report.ResultStatistics?.Median
                ?? throw new InvalidOperationException($"{typeof(T).Name}.{name} produced no measurements; see data/cache/benchmarks/bench.log.");
            result[name] = median / 1e9;
        }
        return result;
    }
}
