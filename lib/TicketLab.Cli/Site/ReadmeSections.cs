using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TicketLab.Benchmarks;
using TicketLab.Verdict;

namespace TicketLab.Cli.Site;

/// <summary>
/// The parts of README.md that quote numbers: written from the results files between
/// <c>&lt;!-- results:NAME --&gt;</c> and <c>&lt;!-- /results:NAME --&gt;</c> markers, so the front page cannot drift from
/// what the notebooks measured (a test renders them again and compares).
/// </summary>
public static partial class ReadmeSections
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The generated sections, by marker name.</summary>
    public static readonly IReadOnlyList<string> Names = ["findings", "verdict", "timings", "benchmarks", "kernel"];

    /// <summary>One section's Markdown, from the results files in <paramref name="resultsFolder"/>.</summary>
    public static string Render(string name, string resultsFolder) => name switch
    {
        "findings" => Findings(resultsFolder),
        "verdict" => Verdict(resultsFolder),
        "timings" => Timings(resultsFolder),
        "benchmarks" => Benchmarks(resultsFolder),
        "kernel" => Kernel(resultsFolder),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"accepted: {string.Join(", ", Names)}"),
    };

    /// <summary>The current text of each section found in <paramref name="readme"/> (Markdown), by name.</summary>
    public static IReadOnlyDictionary<string, string> Read(string readme) =>
        SectionPattern().Matches(readme).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value.Trim('\n'));

    /// <summary>
    /// Rewrites every section of the README file from the results files; returns the names that changed. A section whose
    /// results file is missing is left as it is and named in <paramref name="skipped"/> with what to run.
    /// </summary>
    public static IReadOnlyList<string> Update(string readmePath, string resultsFolder, List<string>? skipped = null)
    {
        var text = File.ReadAllText(readmePath);
        var changed = new List<string>();
        var updated = SectionPattern().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            string body;
            try { body = Render(name, resultsFolder); }
            catch (FileNotFoundException e) when (skipped is not null)
            {
                skipped.Add($"{name}: {e.Message}");
                return m.Value;
            }
            if (body != m.Groups["body"].Value.Trim('\n')) changed.Add(name);
            return $"<!-- results:{name} -->\n{body}\n<!-- /results:{name} -->";
        });
        if (changed.Count > 0) AtomicFile.WriteAllText(readmePath, updated);
        return changed;
    }

    [GeneratedRegex(@"<!-- results:(?<name>[a-z]+) -->\n(?<body>.*?)<!-- /results:\k<name> -->", RegexOptions.Singleline)]
    private static partial Regex SectionPattern();

    static IEnumerable<string> NotebookNames(string folder) =>
        Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(n => n.Length > 2 && char.IsDigit(n[0]) && char.IsDigit(n[1]) && n[2] == '-').Order(StringComparer.Ordinal);

    static string Findings(string folder)
    {
        var text = new StringBuilder("| Notebook | Question | Finding (full profile, quoted from `notebooks/results/`) |\n|---|---|---|\n");
        foreach (var name in NotebookNames(folder))
        {
            var finding = SuiteResults.Read(name, folder).Finding;
            text.Append(CultureInfo.InvariantCulture, $"| [{name}](notebooks/{name}.ipynb) | {Escape(Title(name))} | {Escape(finding)} |\n");
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>A notebook's title (its first Markdown heading without the number), or "" when the notebook is not there.</summary>
    static string Title(string name)
    {
        var path = Path.Combine(ProjectPaths.Notebooks, name + ".ipynb");
        if (!File.Exists(path)) return "";
        var first = (JsonNode.Parse(File.ReadAllText(path))?["cells"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["cell_type"]?.GetValue<string>() == "markdown")?["source"];
        var line = first switch
        {
            JsonArray lines => lines.FirstOrDefault()?.GetValue<string>() ?? "",
            JsonValue v => v.GetValue<string>().Split('\n')[0],
            _ => "",
        };
        line = line.Trim().TrimStart('#').Trim();
        var dot = line.IndexOf('·', StringComparison.Ordinal);
        return dot >= 0 ? line[(dot + 1)..].Trim() : line;
    }

    static string Verdict(string folder)
    {
        var claims = Results.Read<VerdictResults>(folder).Claims;
        var text = new StringBuilder("| Claim of the debate | Verdict | Measured |\n|---|---|---|\n");
        foreach (var claim in claims)
            text.Append(CultureInfo.InvariantCulture, $"| {Escape(claim.Claim)} | **{Escape(claim.Verdict)}** | {Escape(claim.Measured)} |\n");
        return text.ToString().TrimEnd('\n');
    }

    static string Timings(string folder)
    {
        var runs = NotebookRuns.Read(folder);
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Measured by the main job ({runs.Profile} profile) on {runs.Machine}:\n\n");
        text.Append("| Notebook | Full profile | Training cells | Slowest other cell | Cores busy | Peak memory |\n|---|---|---|---|---|---|\n");
        foreach (var run in runs.Notebooks)
        {
            var slowestText = run.Cells.All(c => c.Training) ? "" : $"cell {run.SlowestCell.Cell}: {run.SlowestCell.Seconds.ToString("0", Invariant)} s";
            var trainingText = run.Cells.Any(c => c.Training) ? Duration(run.TrainingSeconds) : "";
            var busyText = run.CoresBusy is { } busy ? busy.ToString("0.0", Invariant) : "";
            text.Append(CultureInfo.InvariantCulture, $"| {run.Notebook} | {Duration(run.Seconds)} | {trainingText} | {slowestText} | {busyText} | {run.PeakMb.ToString("0", Invariant)} MB |\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"| **all** | **{Duration(runs.TotalSeconds)}** | | | | |");
        text.Append("\n\n*Cores busy*: the processor seconds of the notebook's cells, over all threads, divided by their wall-clock seconds; at most the core count, and below it where a cell leaves a core idle.");
        return text.ToString();
    }

    static string Benchmarks(string folder)
    {
        var bench = Results.Read<BenchmarksResults>(folder);
        var m = bench.Measurements;
        static string N(double? value, string format) => value is { } d ? d.ToString(format, Invariant) : "not measured";
        var pytorch = bench.Pytorch is { } p ? $"PyTorch {p.Version} ({p.Blas})" : $"PyTorch not measured: {bench.PytorchProblem}";
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"One run of `bench` (rounds: {bench.Rounds}) on {bench.Machine} (LibTorch's default: {bench.Threads} threads); peer: {pytorch}.\n\n");
        text.Append("| Ratio | Value | Target | Made of |\n|---|---|---|---|\n");
        text.Append(CultureInfo.InvariantCulture, $"| `torchsharp_vs_pytorch_step_ratio` | **{N(bench.TorchsharpVsPytorchStepRatio, "0.00")}** | ≤ 1.0 | one step of 784-300-100-10, batch 128, Adam, on 1 thread as the trainer runs it: TorchSharp {N(m.TorchsharpStepMs, "0.00")} ms, PyTorch {N(m.PytorchStepMs, "0.00")} ms |\n");
        text.Append(CultureInfo.InvariantCulture, $"| the same on 2 threads | {N(m.TorchsharpVsPytorchStepRatio2Threads, "0.00")} | | TorchSharp {N(m.TorchsharpStepMs2Threads, "0.00")} ms, PyTorch {N(m.PytorchStepMs2Threads, "0.00")} ms |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `torchsharp_vs_pytorch_conv_step_ratio` | **{N(bench.TorchsharpVsPytorchConvStepRatio, "0.00")}** | ≤ 1.0 | one step of notebook 04's convnet 3-32-64-128, batch 128, Adam, on 1 thread (its trainings run one per core): TorchSharp {N(m.TorchsharpConvStepMs, "0.0")} ms, PyTorch {N(m.PytorchConvStepMs, "0.0")} ms |\n");
        text.Append(CultureInfo.InvariantCulture, $"| the same on 2 threads | {N(m.TorchsharpVsPytorchConvStepRatio2Threads, "0.00")} | | TorchSharp {N(m.TorchsharpConvStepMs2Threads, "0.0")} ms, PyTorch {N(m.PytorchConvStepMs2Threads, "0.0")} ms |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `step_fraction_of_matmul_peak` | **{N(bench.StepFractionOfMatmulPeak, "0.00")}** | | step {N(m.StepGflops, "0.0")} GFLOP/s against {N(m.TorchsharpMatmulGflops, "0")} GFLOP/s for a 1024² float32 product (PyTorch's: {N(m.PytorchMatmulGflops, "0")}) |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `detector_sampler_fraction_of_matmul_peak` | **{N(bench.DetectorSamplerFractionOfMatmulPeak, "0.00")}** | ≥ 0.30 | 32,768 random units scored on 2,000 images in {N(m.SamplerSeconds, "0.00")} s; the same products alone {N(m.SamplerProductsSeconds, "0.00")} s |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `rare_event_fraction_of_matmul_peak` | **{N(bench.RareEventFractionOfMatmulPeak, "0.00")}** | ≥ 0.30 | one subset-simulation run to 2^{N(m.RareEventReachedLog2, "0")} for one class on 5,000 images: {m.RareEventEvaluations:N0} units scored in {N(bench.RareEventSecondsPerClass, "0.0")} s |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `ntk_fast_vs_autograd_speedup` | **{N(bench.NtkFastVsAutogradSpeedup, "0")}×** | ≥ 20 | 784-512-10, 500 images: layer-wise {N(m.NtkFastSeconds, "0.000")} s, per-example autograd {N(m.NtkAutogradSeconds, "0.0")} s |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `edge_popup_vs_dense_epoch_ratio` | **{N(bench.EdgePopupVsDenseEpochRatio, "0.00")}** | ≤ 2.0 | one epoch on 20,000 images: dense {N(m.DenseEpochSeconds, "0.00")} s, edge-popup {N(m.EdgePopupEpochSeconds, "0.00")} s |\n");
        // The suite's own numbers come from the main job's last run (the timings above), not from the run bench last read.
        NotebookRuns? runs = null;
        var missing = "not measured (no main-job timings)";
        try
        {
            runs = NotebookRuns.Read(folder);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            // No main-job timings, or a file that does not read: the two rows say so (the timings section reports which).
        }
        if (runs is { Profile: not "full" })
        {
            missing = $"not measured (the recorded main job ran the {runs.Profile} profile)";
            runs = null;
        }
        var suite = runs is null ? missing : $"**{runs.TotalSeconds.ToString("0", Invariant)} s**";
        var slowest = runs is null ? "not measured" : $"**{runs.Notebooks.Max(n => n.SlowestCell.Seconds).ToString("0", Invariant)} s**";
        text.Append(CultureInfo.InvariantCulture, $"| `suite_seconds` (full profile) | {suite} | ≤ 1200 | sum of `notebook_seconds` of the main job's last run (the timings above); the budget is 20 minutes from an empty cache with notebook 04 in the suite (15 before it) |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `slowest_cell_seconds` (full profile) | {slowest} | ≤ 90 | the slowest code cell of any notebook in that run, training cells (tagged `training`, cached) aside |");
        text.Append("\n\n").Append(Scaling(bench.Scaling));
        return text.ToString();
    }

    /// <summary>The scaling table of a bench run: each cost's seconds at its sizes, the fitted exponent and a bigger run predicted.</summary>
    static string Scaling(IReadOnlyList<ScalingResult> scaling)
    {
        if (scaling.Count == 0) return "Scaling of the main costs: not measured in this run.";
        static string Seconds(double s) => s.ToString(s < 10 ? "0.###" : "0", Invariant);
        var text = new StringBuilder("How the main costs grow with their size (the same run; median seconds of one call at each size, a power law seconds ≈ c·size^b ")
            .Append("fitted by least squares on the logs, b's 90% band from the fit's residuals):\n\n")
            .Append("| Cost | Size | Seconds | Exponent b (90% band) | Predicted |\n|---|---|---|---|---|\n");
        foreach (var s in scaling)
            text.Append(Invariant, $"| `{s.Key}` — {Escape(s.Cost)} | {string.Join(" / ", s.Sizes.Select(n => n.ToString("N0", Invariant)))} {Escape(s.Size)} ")
                .Append(Invariant, $"| {string.Join(" / ", s.Seconds.Select(Seconds))} | **{s.Exponent.ToString("0.00", Invariant)}** ({s.ExponentBand[0].ToString("0.00", Invariant)} to {s.ExponentBand[1].ToString("0.00", Invariant)}) ")
                .Append(Invariant, $"| {Seconds(s.PredictedSeconds)} s at {s.PredictAt.ToString("N0", Invariant)} ({Seconds(s.PredictedBand[0])} to {Seconds(s.PredictedBand[1])}) |\n");
        text.Append("\nTo predict a bigger run, scale the time at the largest size measured: seconds(n) ≈ seconds(n_max)·(n / n_max)^b (the Predicted column ")
            .Append("does this; its range uses the ends of b's band). The exponents hold on this machine and in this size range: memory limits ")
            .Append("(an N x N float64 kernel is 8·N² bytes) and caches can change them further out. Trainings side by side share the cores, ")
            .Append("so their b is near 0 up to the number of cores and near 1 beyond, and the fitted b averages the two over the sizes measured.");
        return text.ToString();
    }

    /// <summary>The full-data kernel regression (the kernel command), next to notebook 02's 500-image kernels and trained nets and notebook 00's baseline.</summary>
    static string Kernel(string folder)
    {
        var k = Results.Read<TicketLab.Ntk.FullKernelResults>(folder);
        var o = k.Options;
        var text = new StringBuilder().Append(Invariant, $"One run of `kernel` on {k.Machine} ({k.Threads} threads): regression with the infinite-width NTK and NNGP of notebook 02's ReLU MLP ")
            .Append(Invariant, $"({o.Layers} weight layers, σw² = {o.WeightVariance.ToString("0.##", Invariant)}, σb² = {o.BiasVariance.ToString("0.##", Invariant)}) on all {k.TrainImages:N0} training images of {TicketLab.Data.DatasetCatalog.Get(o.Dataset).DisplayName} ({k.Dataset}), evaluated on all {k.TestImages:N0} test images. ")
            .Append(Invariant, $"Conjugate gradients with a {o.NystromRank:N0}-landmark Nyström preconditioner, to a relative residual of {o.Tolerance.ToString("g2", Invariant)}; ridge {o.RelativeRidge.ToString("g2", Invariant)} of the mean diagonal (a jitter: the ridgeless limit of a net trained to convergence).\n\n")
            .Append("| Kernel | Test accuracy | 95% band (test images) | Iterations | Residual (recursion; true) | Train kernel | Test kernel | Solve |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var s in k.Solves)
            text.Append(Invariant, $"| {s.Kernel.ToUpperInvariant()} | **{s.TestAccuracy.ToString("0.000", Invariant)}** | {s.TestAccuracyBand[0].ToString("0.000", Invariant)} to {s.TestAccuracyBand[1].ToString("0.000", Invariant)} | {s.Iterations} | ")
                .Append(Invariant, $"{s.RecursionResidual.ToString("0.0e0", Invariant)}; {s.RelativeResidual.ToString("0.0e0", Invariant)} | {Duration(s.TrainKernelSeconds)} | {Duration(s.TestKernelSeconds)} | {Duration(s.SolveSeconds)} |\n");
        var held = k.Solves.Max(s => s.KernelGigabytes);
        text.Append(Invariant, $"\nThe whole command took {Duration(k.TotalSeconds)}; peak resident memory {(k.PeakMemoryGigabytes is { } peak ? peak.ToString("0.0", Invariant) + " GB" : "not reported")}, of which {held.ToString("0.0", Invariant)} GB are the kernels held at once (one kernel at a time: its train triangle in float32 and the test-train block).");
        var comparisons = new List<string>();
        try
        {
            var ntk = Results.Read<TicketLab.Ntk.NtkResults>(folder);
            var widest = ntk.RegimeSweep.Where(p => p.Regime == TicketLab.Ntk.Regimes.Name(TicketLab.Ntk.Regime.Lazy)).MaxBy(p => p.Width);
            comparisons.Add($"notebook 02's NTK regression on its {ntk.LazyRich.TrainingImages:N0} training images reaches {ntk.KernelRegressionAccuracy.Ntk.ToString("0.000", Invariant)} (NNGP {ntk.KernelRegressionAccuracy.Nngp.ToString("0.000", Invariant)})"
                + (widest is null ? "" : $", and its widest lazily trained net (width {widest.Width:N0}, same images, mean of {widest.Seeds.Length} seeds) {widest.TestAccuracy.Average().ToString("0.000", Invariant)}"));
        }
        catch (FileNotFoundException) { }
        try
        {
            var debate = Results.Read<TicketLab.Training.DebateResults>(folder);
            comparisons.Add($"notebook 00's finite baseline MLP 784-300-100-10, trained with Adam on all training images, reaches {debate.BaselineTestAccuracy.ToString("0.000", Invariant)}");
        }
        catch (FileNotFoundException) { }
        if (comparisons.Count > 0) text.Append(" For comparison, ").Append(string.Join("; ", comparisons)).Append('.');
        return text.ToString();
    }

    static string Duration(double seconds) => seconds < 90 ? $"{seconds.ToString("0", Invariant)} s" : $"{(seconds / 60).ToString("0.0", Invariant)} min";

    static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
