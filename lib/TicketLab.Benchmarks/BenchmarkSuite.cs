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
/// <param name="Rounds">Measured iterations of each benchmark (the long NTK reference runs once, the scaling benchmarks at most <see cref="Scaling.MaxRounds"/> times per size).</param>
/// <param name="InstallPeer">Install Debian's PyTorch when no Python can import torch (needs root and apt-get).</param>
/// <param name="Only">Null for everything, or "scaling" for the scaling benchmarks alone (they replace only the scaling part of benchmarks.json).</param>
public sealed record BenchOptions(int Rounds = 5, bool InstallPeer = true, string? Only = null)
{
    /// <summary>The value of <see cref="Only"/> that runs the scaling benchmarks alone.</summary>
    public const string ScalingOnly = "scaling";

    /// <summary>Throws naming the first invalid field, its value and what is accepted.</summary>
    public BenchOptions Validate()
    {
        if (Rounds is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "accepted: 1 to 100");
        if (Only is not null and not ScalingOnly) throw new ArgumentOutOfRangeException(nameof(Only), Only, $"accepted: {ScalingOnly} (or leave it out to run everything)");
        return this;
    }
}

/// <summary>What a bench run printed and wrote.</summary>
/// <param name="Rows">The table rows.</param>
/// <param name="Written">Whether benchmarks.json was written (a scaling-only run leaves a file it cannot read alone).</param>
public sealed record BenchReport(IReadOnlyList<BenchRow> Rows, bool Written);

/// <summary>One row of the bench table: a named ratio (or measurement), its value, its target and how it was obtained.</summary>
/// <param name="Key">The key in benchmarks.json.</param>
/// <param name="Value">The number, or null when it could not be measured.</param>
/// <param name="Target">What it should be (e.g. "&lt;= 1.0"), or empty.</param>
/// <param name="Detail">The measurements it is made of.</param>
/// <param name="Met">Whether the target holds (null without a target or value).</param>
public sealed record BenchRow(string Key, double? Value, string Target, string Detail, bool? Met);

/// <summary>The medians of one bench run (seconds per call) and the ratios made of them.</summary>
/// <param name="Threads">LibTorch's default intra-op threads.</param>
/// <param name="Rounds">Measured iterations per benchmark.</param>
/// <param name="StepSeconds">One training step on 1 thread.</param>
/// <param name="Step2Seconds">The same on 2 threads.</param>
/// <param name="MatmulSeconds">The faster 1024² float32 product (1 or 2 threads).</param>
/// <param name="SamplerSeconds">The detector sampler.</param>
/// <param name="SamplerProductsSeconds">The sampler's matrix products alone.</param>
/// <param name="NtkFastSeconds">The layer-wise empirical NTK.</param>
/// <param name="NtkAutogradSeconds">The per-example autograd NTK.</param>
/// <param name="NtkDifference">Largest difference of the two kernels, relative to the largest entry.</param>
/// <param name="DenseEpochSeconds">One dense epoch.</param>
/// <param name="EdgePopupEpochSeconds">One edge-popup epoch.</param>
/// <param name="Peer">PyTorch on 1 thread, or null.</param>
/// <param name="Peer2">PyTorch on 2 threads, or null.</param>
/// <param name="PeerProblem">Why the peer did not run.</param>
/// <param name="RareEventSeconds">One rare-event run to 2^-60 for one class (median).</param>
/// <param name="RareEventEvaluations">Units it scored.</param>
/// <param name="RareEventFlopsPerUnit">Floating-point operations of one unit's product with the images.</param>
/// <param name="RareEventReachedLog2">The depth it reached, in bits.</param>
/// <param name="ConvStepSeconds">One training step of notebook 04's convnet on 1 thread (as its trainings run, one per core), or NaN when not measured.</param>
/// <param name="ConvStep2Seconds">The same on 2 threads.</param>
/// <param name="Scaling">The main costs at several sizes with their fitted exponents, or null when not measured.</param>
public sealed record BenchMeasurements(int Threads, int Rounds, double StepSeconds, double Step2Seconds, double MatmulSeconds, double SamplerSeconds,
    double SamplerProductsSeconds, double NtkFastSeconds, double NtkAutogradSeconds, double NtkDifference, double DenseEpochSeconds, double EdgePopupEpochSeconds,
    PeerResult? Peer, PeerResult? Peer2, string? PeerProblem,
    double RareEventSeconds, long RareEventEvaluations, double RareEventFlopsPerUnit, double RareEventReachedLog2,
    double ConvStepSeconds = double.NaN, double ConvStep2Seconds = double.NaN, IReadOnlyList<ScalingResult>? Scaling = null)
{
    /// <summary>TorchSharp over PyTorch seconds of the convnet step on 1 thread.</summary>
    public double? ConvPeerRatio => Peer is null || !double.IsFinite(ConvStepSeconds) || !double.IsFinite(Peer.ConvStepSeconds) ? null : ConvStepSeconds / Peer.ConvStepSeconds;

    /// <summary>The same on 2 threads.</summary>
    public double? ConvPeerRatio2 => Peer2 is null || !double.IsFinite(ConvStep2Seconds) || !double.IsFinite(Peer2.ConvStepSeconds) ? null : ConvStep2Seconds / Peer2.ConvStepSeconds;

    /// <summary>Units the rare-event estimator scores per second.</summary>
    public double RareEventUnitsPerSecond => RareEventEvaluations / RareEventSeconds;

    /// <summary>The estimator's product rate over the machine's: the fraction of the product rate it reaches.</summary>
    public double RareEventFraction => RareEventUnitsPerSecond * RareEventFlopsPerUnit / 1e9 / MatmulGflops;

    /// <summary>The machine's float32 product rate, GFLOP/s.</summary>
    public double MatmulGflops => StepBenchmarks.MatmulFlops / MatmulSeconds / 1e9;

    /// <summary>The training step's rate, GFLOP/s (1 thread, as the trainer runs it).</summary>
    public double StepGflops => StepBenchmarks.StepFlops([784, 300, 100, 10], StepBenchmarks.BatchSize) / StepSeconds / 1e9;

    /// <summary>The sampler's products alone over the whole sampler: the fraction of the product rate it reaches.</summary>
    public double SamplerFraction => SamplerProductsSeconds / SamplerSeconds;

    /// <summary>Autograd NTK over layer-wise NTK seconds.</summary>
    public double NtkSpeedup => NtkAutogradSeconds / NtkFastSeconds;

    /// <summary>Edge-popup epoch over dense epoch seconds.</summary>
    public double EpochRatio => EdgePopupEpochSeconds / DenseEpochSeconds;

    /// <summary>TorchSharp over PyTorch step seconds on 1 thread.</summary>
    public double? PeerRatio => Peer is null ? null : StepSeconds / Peer.StepSeconds;

    /// <summary>The same on 2 threads.</summary>
    public double? PeerRatio2 => Peer2 is null ? null : Step2Seconds / Peer2.StepSeconds;

    /// <summary>PyTorch's faster product rate, GFLOP/s.</summary>
    public double? PeerMatmulGflops => Peer is null || Peer2 is null ? null : StepBenchmarks.MatmulFlops / Math.Min(Peer.MatmulSeconds, Peer2.MatmulSeconds) / 1e9;
}

/// <summary>Runs the BenchmarkDotNet benchmarks and the PyTorch peer in one process run and turns them into ratios.</summary>
public static class BenchmarkSuite
{
    /// <summary>
    /// Runs everything and writes <c>notebooks/results/benchmarks.json</c>; returns the table rows. With
    /// <see cref="BenchOptions.Only"/> "scaling" it runs the scaling benchmarks alone and replaces only their part of the
    /// file (not written when the file there cannot be read, e.g. one of an older schema: run everything then).
    /// </summary>
    public static BenchReport Run(BenchOptions options, Action<string> log)
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
        var scalingJob = slow.WithIterationCount(Math.Min(options.Rounds, Scaling.MaxRounds));

        if (options.Only == BenchOptions.ScalingOnly)
        {
            var alone = MeasureScaling(scalingJob, logger, log);
            BenchmarksResults? previous = null;
            try { previous = Results.Read<BenchmarksResults>(); }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException) { log($"benchmarks.json not written: {e.Message}"); }
            if (previous is not null) Results.Write(previous with { Scaling = Rounded(alone) });
            return new(ScalingRows(alone), previous is not null);
        }

        log("PyTorch peer: one training step and a 1024x1024 product, on 1 and on 2 threads...");
        var peer = PyTorchPeer.Run(1, options.Rounds, options.InstallPeer, log, out var peerProblem);
        var peer2 = peer is null ? null : PyTorchPeer.Run(2, options.Rounds, false, log, out peerProblem);
        if (peer is null || peer2 is null) log($"PyTorch peer skipped: {peerProblem}");

        log("TorchSharp: one training step and a 1024x1024 product, on 1 and on 2 threads...");
        var step = Measure<StepBenchmarks>(quick, logger, nameof(StepBenchmarks.TrainingStep), nameof(StepBenchmarks.Matmul), nameof(StepBenchmarks.ConvTrainingStep));
        log("Detector sampler against products of the same shapes...");
        var sampler = Measure<SamplerBenchmarks>(slow, logger, nameof(SamplerBenchmarks.Sampler), nameof(SamplerBenchmarks.Products));
        log("Empirical NTK, layer-wise and autograd reference (the reference takes minutes)...");
        var ntkFast = Measure<NtkBenchmarks>(slow, logger, nameof(NtkBenchmarks.Fast));
        var ntkAutograd = Measure<NtkBenchmarks>(once, logger, nameof(NtkBenchmarks.Autograd));
        var ntk = new NtkBenchmarks();
        ntk.Setup();
        var ntkDifference = ntk.MaxRelativeDifference();
        ntk.Cleanup();
        log("Rare-event estimator: one class to 2^-60...");
        var rare = Measure<RareEventBenchmarks>(slow, logger, nameof(RareEventBenchmarks.ToSixtyBits));
        var rareRun = RareEventBenchmarks.LastRun ?? throw new InvalidOperationException("the rare-event benchmark left no run to read; see data/cache/benchmarks/bench.log.");
        log("One dense epoch against one edge-popup epoch...");
        var epochs = Measure<PruningBenchmarks>(slow, logger, nameof(PruningBenchmarks.DenseEpoch), nameof(PruningBenchmarks.EdgePopupEpoch));
        var scaling = MeasureScaling(scalingJob, logger, log);

        var measured = new BenchMeasurements(threads, options.Rounds,
            StepSeconds: step[$"{nameof(StepBenchmarks.TrainingStep)}@1"], Step2Seconds: step[$"{nameof(StepBenchmarks.TrainingStep)}@2"],
            MatmulSeconds: Math.Min(step[$"{nameof(StepBenchmarks.Matmul)}@1"], step[$"{nameof(StepBenchmarks.Matmul)}@2"]),
            SamplerSeconds: sampler[nameof(SamplerBenchmarks.Sampler)], SamplerProductsSeconds: sampler[nameof(SamplerBenchmarks.Products)],
            NtkFastSeconds: ntkFast[nameof(NtkBenchmarks.Fast)], NtkAutogradSeconds: ntkAutograd[nameof(NtkBenchmarks.Autograd)], NtkDifference: ntkDifference,
            DenseEpochSeconds: epochs[nameof(PruningBenchmarks.DenseEpoch)], EdgePopupEpochSeconds: epochs[nameof(PruningBenchmarks.EdgePopupEpoch)],
            peer, peer2, peerProblem,
            RareEventSeconds: rare[nameof(RareEventBenchmarks.ToSixtyBits)], RareEventEvaluations: rareRun.Evaluations,
            RareEventFlopsPerUnit: RareEventBenchmarks.FlopsPerUnit, RareEventReachedLog2: rareRun.ReachedLog2,
            ConvStepSeconds: step[$"{nameof(StepBenchmarks.ConvTrainingStep)}@1"], ConvStep2Seconds: step[$"{nameof(StepBenchmarks.ConvTrainingStep)}@2"],
            Scaling: scaling);

        NotebookRuns? runs = null;
        string? runsProblem = null;
        try { runs = NotebookRuns.Read(); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException) { runsProblem = e.Message; }
        var fullRuns = runs is { Profile: "full" } ? runs : null;
        if (runs is not null && fullRuns is null) runsProblem = $"the recorded notebook run is the {runs.Profile} profile; run the main job in the full profile.";
        Results.Write(FileOf(measured, fullRuns, runsProblem));
        return new(Rows(measured, fullRuns, runsProblem), true);
    }

    /// <summary>Times every cost of <see cref="Scaling.All"/> at its sizes and fits its exponent.</summary>
    static IReadOnlyList<ScalingResult> MeasureScaling(Job job, ILogger logger, Action<string> log)
    {
        log("Scaling: the sampler, the empirical NTK, kernel regression and trainings side by side, each at 4 sizes...");
        var seconds = new[]
        {
            Measure<SamplerScaling>(job, logger, nameof(SamplerScaling.Sample)),
            Measure<NtkScaling>(job, logger, nameof(NtkScaling.Kernel)),
            Measure<KernelRegressionScaling>(job, logger, nameof(KernelRegressionScaling.Regression)),
            Measure<SideBySideScaling>(job, logger, nameof(SideBySideScaling.Trainings)),
        }.SelectMany(d => d).ToDictionary();
        return Scaling.All.Select(c => ScalingResult.Of(c, c.Sizes.Select(size => seconds[$"{c.Method}@{size}"]).ToArray())).ToList();
    }

    /// <summary>One row per cost of <paramref name="scaling"/>: its fitted exponent, with the seconds at each size and the prediction.</summary>
    public static IReadOnlyList<BenchRow> ScalingRows(IReadOnlyList<ScalingResult> scaling) => scaling.Select(s => new BenchRow(
        $"scaling_exponent: {s.Key}", s.Exponent, "",
        $"{s.Cost}; {s.Size} {string.Join(" / ", s.Sizes.Select(n => n.ToString("N0", Invariant)))}: "
        + $"{string.Join(" / ", s.Seconds.Select(t => t.ToString("0.000", Invariant)))} s; 90% band {s.ExponentBand[0]:0.00} to {s.ExponentBand[1]:0.00}; "
        + $"predicted at {s.PredictAt:N0} {s.Size}: {s.PredictedSeconds:0.##} s ({s.PredictedBand[0]:0.##} to {s.PredictedBand[1]:0.##})", null)).ToList();

    static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    static ScalingResult[] Rounded(IReadOnlyList<ScalingResult> scaling) => scaling.Select(s => s.Rounded()).ToArray();

    /// <summary>The table of ratios of one run, each made of measurements of that run, with its target and whether it is met.</summary>
    public static IReadOnlyList<BenchRow> Rows(BenchMeasurements m, NotebookRuns? fullRuns, string? runsProblem)
    {
        var (peer, peer2) = (m.Peer, m.Peer2);
        var rows = new List<BenchRow>
        {
            new("torchsharp_vs_pytorch_step_ratio", m.PeerRatio, "<= 1.0",
                peer is null ? $"not measured: {m.PeerProblem}"
                : $"step 784-300-100-10, batch 128, Adam, 1 thread (as the trainer runs it): TorchSharp {m.StepSeconds * 1e3:0.00} ms, PyTorch {peer.TorchVersion} ({peer.Blas}) {peer.StepSeconds * 1e3:0.00} ms"
                  + (peer2 is null ? "" : $"; 2 threads: {m.Step2Seconds * 1e3:0.00} ms against {peer2.StepSeconds * 1e3:0.00} ms (ratio {m.PeerRatio2:0.00})"),
                m.PeerRatio is { } r ? r <= 1.0 : null),
            new("torchsharp_vs_pytorch_conv_step_ratio", m.ConvPeerRatio, "<= 1.0",
                peer is null ? $"not measured: {m.PeerProblem}"
                : !double.IsFinite(peer.ConvStepSeconds) ? "not measured: the peer printed no conv step"
                : $"step of conv 3-{string.Join("-", StepBenchmarks.ConvChannels)}, batch 128 of 3x32x32, Adam, 1 thread (as notebook 04 trains, one per core): TorchSharp {m.ConvStepSeconds * 1e3:0.0} ms, PyTorch {peer.ConvStepSeconds * 1e3:0.0} ms"
                  + (m.ConvPeerRatio2 is { } r2 ? $"; 2 threads: {m.ConvStep2Seconds * 1e3:0.0} ms against {peer2!.ConvStepSeconds * 1e3:0.0} ms (ratio {r2:0.00})" : ""),
                m.ConvPeerRatio is { } cr ? cr <= 1.0 : null),
            new("step_fraction_of_matmul_peak", m.StepGflops / m.MatmulGflops, "",
                $"step {m.StepGflops:0.0} GFLOP/s (1 thread) against {m.MatmulGflops:0.0} GFLOP/s for a {StepBenchmarks.MatmulSize}x{StepBenchmarks.MatmulSize} float32 product (best of 1 and 2 threads)"
                + (m.PeerMatmulGflops is { } pm ? $"; PyTorch's product: {pm:0.0} GFLOP/s" : ""), null),
            new("detector_sampler_fraction_of_matmul_peak", m.SamplerFraction, ">= 0.30",
                $"{SamplerBenchmarks.Units:N0} units on {SamplerBenchmarks.Examples:N0} images in {m.SamplerSeconds:0.00} s "
                + $"({SamplerBenchmarks.Units / m.SamplerSeconds:N0} units/s); the same products alone {m.SamplerProductsSeconds:0.00} s "
                + $"({SamplerBenchmarks.ProductFlops / m.SamplerProductsSeconds / 1e9:0.0} GFLOP/s)", m.SamplerFraction >= 0.30),
            new("rare_event_fraction_of_matmul_peak", m.RareEventFraction, ">= 0.30",
                $"one subset-simulation run to 2^{m.RareEventReachedLog2:0} ({RareEventBenchmarks.PerClass * 10:N0} images, class {RareEventBenchmarks.Class}): {m.RareEventEvaluations:N0} units in {m.RareEventSeconds:0.00} s "
                + $"({m.RareEventUnitsPerSecond:N0} units/s, {m.RareEventUnitsPerSecond * m.RareEventFlopsPerUnit / 1e9:0.0} GFLOP/s)", m.RareEventFraction >= 0.30),
            new("rare_event_seconds_per_class", m.RareEventSeconds, "",
                $"seconds for one class's layer-1 density to 2^-60 (notebook 01 runs several per class and layer)", null),
            new("ntk_fast_vs_autograd_speedup", m.NtkSpeedup, ">= 20",
                $"width {NtkBenchmarks.Width}, {NtkBenchmarks.Examples} images: layer-wise {m.NtkFastSeconds:0.000} s, autograd {m.NtkAutogradSeconds:0.0} s; "
                + $"kernels agree to {m.NtkDifference:g2} of the largest entry (100 images)", m.NtkSpeedup >= 20),
            new("edge_popup_vs_dense_epoch_ratio", m.EpochRatio, "<= 2.0",
                $"{PruningBenchmarks.TrainPerClass * 10:N0} images, batch 128: dense {m.DenseEpochSeconds:0.00} s, edge-popup (keep 0.5) {m.EdgePopupEpochSeconds:0.00} s",
                m.EpochRatio <= 2.0),
        };
        if (fullRuns is not null)
        {
            var slowest = fullRuns.Notebooks.Select(n => (n.Notebook, Cell: n.SlowestCell)).MaxBy(n => n.Cell.Seconds);
            // 20 minutes from an empty cache with notebook 04 in the suite (the budget was 15 minutes before it).
            rows.Add(new("suite_seconds (full profile)", fullRuns.TotalSeconds, "<= 1200",
                string.Join(", ", fullRuns.Notebooks.Select(n => $"{n.Notebook[..2]}: {n.Seconds:0} s")), fullRuns.TotalSeconds <= 1200));
            rows.Add(new("slowest_cell_seconds (full profile)", slowest.Cell.Seconds, "<= 90", $"{slowest.Notebook}, cell {slowest.Cell.Cell}" + (fullRuns.Notebooks.Any(n => n.Cells.Any(c => c.Training)) ? " (training cells aside)" : ""), slowest.Cell.Seconds <= 90));
            rows.Add(new("notebook_peak_mb (largest)", fullRuns.Notebooks.Max(n => n.PeakMb), "",
                string.Join(", ", fullRuns.Notebooks.Select(n => $"{n.Notebook[..2]}: {n.PeakMb:0} MB")), null));
        }
        else rows.Add(new("notebook_seconds", null, "", $"not available: {runsProblem}", null));
        if (m.Scaling is { } scaling) rows.AddRange(ScalingRows(scaling));
        return rows;
    }

    /// <summary>The contents of benchmarks.json: the ratios, the notebook timings and every measurement they are made of.</summary>
    public static BenchmarksResults FileOf(BenchMeasurements m, NotebookRuns? fullRuns, string? runsProblem) => new(
        MachineDescription.Current, m.Threads, m.Rounds,
        TorchsharpVsPytorchStepRatio: Round(m.PeerRatio),
        StepFractionOfMatmulPeak: Math.Round(m.StepGflops / m.MatmulGflops, 3),
        DetectorSamplerFractionOfMatmulPeak: Math.Round(m.SamplerFraction, 3),
        NtkFastVsAutogradSpeedup: Math.Round(m.NtkSpeedup, 1),
        EdgePopupVsDenseEpochRatio: Math.Round(m.EpochRatio, 3),
        RareEventFractionOfMatmulPeak: Math.Round(m.RareEventFraction, 3),
        RareEventSecondsPerClass: Math.Round(m.RareEventSeconds, 2),
        NotebookSeconds: fullRuns?.Notebooks.ToDictionary(n => n.Notebook, n => Math.Round(n.Seconds, 1)),
        NotebookPeakMb: fullRuns?.Notebooks.ToDictionary(n => n.Notebook, n => Math.Round(n.PeakMb)),
        SuiteSeconds: fullRuns is null ? null : Math.Round(fullRuns.TotalSeconds, 1),
        SlowestCellSeconds: fullRuns is null ? null : Math.Round(fullRuns.Notebooks.Max(n => n.SlowestCell.Seconds), 1),
        Measurements: new BenchmarkMeasurements(
            TorchsharpStepMs: Math.Round(m.StepSeconds * 1e3, 3),
            PytorchStepMs: m.Peer is null ? null : Math.Round(m.Peer.StepSeconds * 1e3, 3),
            TorchsharpStepMs2Threads: Math.Round(m.Step2Seconds * 1e3, 3),
            PytorchStepMs2Threads: m.Peer2 is null ? null : Math.Round(m.Peer2.StepSeconds * 1e3, 3),
            TorchsharpVsPytorchStepRatio2Threads: Round(m.PeerRatio2),
            StepGflops: Math.Round(m.StepGflops, 2),
            TorchsharpMatmulGflops: Math.Round(m.MatmulGflops, 1),
            PytorchMatmulGflops: Round(m.PeerMatmulGflops, 1),
            SamplerSeconds: Math.Round(m.SamplerSeconds, 3),
            SamplerProductsSeconds: Math.Round(m.SamplerProductsSeconds, 3),
            NtkFastSeconds: Math.Round(m.NtkFastSeconds, 4),
            NtkAutogradSeconds: Math.Round(m.NtkAutogradSeconds, 2),
            NtkMaxRelativeDifference: m.NtkDifference,
            DenseEpochSeconds: Math.Round(m.DenseEpochSeconds, 3),
            EdgePopupEpochSeconds: Math.Round(m.EdgePopupEpochSeconds, 3),
            RareEventEvaluations: m.RareEventEvaluations,
            RareEventReachedLog2: Math.Round(m.RareEventReachedLog2, 2),
            TorchsharpConvStepMs: double.IsFinite(m.ConvStepSeconds) ? Math.Round(m.ConvStepSeconds * 1e3, 2) : null,
            PytorchConvStepMs: m.Peer is { } p1 && double.IsFinite(p1.ConvStepSeconds) ? Math.Round(p1.ConvStepSeconds * 1e3, 2) : null,
            TorchsharpConvStepMs2Threads: double.IsFinite(m.ConvStep2Seconds) ? Math.Round(m.ConvStep2Seconds * 1e3, 2) : null,
            PytorchConvStepMs2Threads: m.Peer2 is { } p2 && double.IsFinite(p2.ConvStepSeconds) ? Math.Round(p2.ConvStepSeconds * 1e3, 2) : null,
            TorchsharpVsPytorchConvStepRatio2Threads: Round(m.ConvPeerRatio2)),
        Pytorch: m.Peer is null ? null : new PeerSummary(m.Peer.TorchVersion, m.Peer.Blas, [m.Peer.Threads, m.Peer2?.Threads ?? 0], m.Peer.Python),
        PytorchProblem: m.PeerProblem,
        NotebookRunsProblem: runsProblem,
        Scaling: Rounded(m.Scaling ?? []),
        TorchsharpVsPytorchConvStepRatio: Round(m.ConvPeerRatio));

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
