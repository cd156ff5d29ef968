using System.Diagnostics;
using TicketLab.Data;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>Which infinite-width kernel of the ReLU MLP.</summary>
public enum InfiniteKernel
{
    /// <summary>The neural tangent kernel: the net trained to convergence by gradient flow on the squared error.</summary>
    Ntk,
    /// <summary>The NNGP kernel: the posterior mean of the Gaussian process of the net at initialization (only the readout trained).</summary>
    Nngp,
}

/// <summary>The knobs of the full-data kernel regression (the <c>kernel</c> command).</summary>
/// <param name="Dataset">Fashion-MNIST (the suite's), or MNIST, on which the papers' infinite-width numbers were measured.</param>
/// <param name="TrainPerClass">Training images per class, or null for all 60,000.</param>
/// <param name="TestPerClass">Test images per class, or null for all 10,000.</param>
/// <param name="Layers">Weight layers of the ReLU MLP (3: 784-n-n-10, notebook 02's sweep).</param>
/// <param name="WeightVariance">σw² (notebook 02: 2).</param>
/// <param name="BiasVariance">σb² (notebook 02: 0.01).</param>
/// <param name="RelativeRidge">λ added to the train kernel's diagonal, relative to its mean diagonal: a jitter, as notebook 02's Cholesky adds, so that the float32 kernel stays positive definite; the regression is otherwise the ridgeless limit of a net trained to convergence. It must exceed the float32 rounding of the stored kernel, whose spectral norm is about 2·2⁻²⁴·|K|·√N, 1e-5 of the diagonal at N = 60,000, hence 1e-4 (a first run with 1e-6 failed on the NNGP kernel, though with a float32 preconditioner later found indefinite itself) (at 10,000 images ridges of 0 and 1e-3 give the same test accuracy to 0.001).</param>
/// <param name="Tolerance">Relative residual at which conjugate gradients stop (every class column).</param>
/// <param name="MaxIterations">At most this many conjugate-gradient iterations.</param>
/// <param name="BlockSize">Rows per stored block of the kernel.</param>
/// <param name="EvaluateEvery">Test accuracy is recorded every this many iterations (and at the first and last).</param>
/// <param name="NystromRank">Landmark images of the Nyström preconditioner (0: a Jacobi preconditioner only, which needs hundreds of iterations more).</param>
/// <param name="Seed">Seed of the landmarks' random choice.</param>
/// <param name="Kernels">Which kernels, one after the other (each is freed before the next is computed).</param>
public sealed record FullKernelOptions(DatasetName Dataset = DatasetName.FashionMnist, int? TrainPerClass = null, int? TestPerClass = null, int Layers = 3, double WeightVariance = 2.0, double BiasVariance = 0.01,
    double RelativeRidge = 1e-4, double Tolerance = 1e-4, int MaxIterations = 1000, int BlockSize = 2048, int EvaluateEvery = 5, int NystromRank = 3000, long Seed = 0,
    InfiniteKernel[]? Kernels = null)
{
    /// <summary>The kernels run (both by default).</summary>
    public InfiniteKernel[] KernelsRun => Kernels ?? [InfiniteKernel.Ntk, InfiniteKernel.Nngp];

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid knob, its value and what is accepted.</summary>
    public FullKernelOptions Validate()
    {
        if (!Enum.IsDefined(Dataset)) throw new ArgumentOutOfRangeException(nameof(Dataset), Dataset, "accepted: FashionMnist, Mnist");
        if (TrainPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), TrainPerClass, "accepted: null (all) or 1 or more");
        if (TestPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TestPerClass), TestPerClass, "accepted: null (all) or 1 or more");
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "accepted: 1 or more weight layers");
        if (!(WeightVariance > 0) || double.IsInfinity(WeightVariance)) throw new ArgumentOutOfRangeException(nameof(WeightVariance), WeightVariance, "accepted: a finite value > 0");
        if (!(BiasVariance >= 0) || double.IsInfinity(BiasVariance)) throw new ArgumentOutOfRangeException(nameof(BiasVariance), BiasVariance, "accepted: a finite value >= 0");
        if (!(RelativeRidge >= 0) || double.IsInfinity(RelativeRidge)) throw new ArgumentOutOfRangeException(nameof(RelativeRidge), RelativeRidge, "accepted: a finite value >= 0");
        if (!(Tolerance > 0 && Tolerance < 1)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "accepted: strictly between 0 and 1");
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "accepted: 1 or more");
        if (BlockSize < 16) throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "accepted: 16 or more rows per block");
        if (NystromRank < 0) throw new ArgumentOutOfRangeException(nameof(NystromRank), NystromRank, "accepted: 0 (Jacobi only) or more landmarks");
        if (EvaluateEvery < 1) throw new ArgumentOutOfRangeException(nameof(EvaluateEvery), EvaluateEvery, "accepted: 1 or more iterations");
        if (Kernels is { Length: 0 } || (Kernels is not null && (Kernels.Distinct().Count() != Kernels.Length || Kernels.Any(k => !Enum.IsDefined(k)))))
            throw new ArgumentOutOfRangeException(nameof(Kernels), Kernels is null ? "null" : string.Join(", ", Kernels), "accepted: null (both) or distinct names among ntk, nngp");
        return this;
    }
}

/// <summary>One point of a solve's trajectory.</summary>
/// <param name="Iteration">Conjugate-gradient iterations done.</param>
/// <param name="RelativeResidual">Largest relative residual over the class columns.</param>
/// <param name="TestAccuracy">Test accuracy of the predictions at that iterate.</param>
/// <param name="Seconds">Seconds since the solve started.</param>
public sealed record KernelSolvePoint(int Iteration, double RelativeResidual, double TestAccuracy, double Seconds);

/// <summary>One kernel's regression on the full data.</summary>
/// <param name="Kernel">ntk or nngp.</param>
/// <param name="TestAccuracy">Test accuracy of the solution.</param>
/// <param name="TestAccuracyBand">95% Wilson interval of the test accuracy over the test images (evaluation-data uncertainty).</param>
/// <param name="Ridge">λ added to the diagonal (absolute).</param>
/// <param name="Iterations">Conjugate-gradient iterations.</param>
/// <param name="Preconditioner">Which preconditioner, and its build time.</param>
/// <param name="RelativeResidual">The true relative residual ‖Y − (K + λI)α‖/‖Y‖ at the end, recomputed (largest over classes).</param>
/// <param name="RecursionResidual">The conjugate-gradient recursion's residual at the end, which the tolerance is checked against; the true one stays above it by the float32 storage's rounding.</param>
/// <param name="Converged">Whether the recursion reached the tolerance.</param>
/// <param name="TrainKernelSeconds">Seconds to compute the train kernel's lower triangle.</param>
/// <param name="TestKernelSeconds">Seconds to compute the test-train kernel.</param>
/// <param name="SolveSeconds">Seconds of conjugate gradients (with the accuracy checkpoints).</param>
/// <param name="KernelGigabytes">Memory of the stored train and test-train kernels, GB (10⁹ bytes).</param>
/// <param name="Trajectory">Residual and test accuracy along the iterations.</param>
public sealed record KernelSolve(string Kernel, double TestAccuracy, double[] TestAccuracyBand, double Ridge, int Iterations, string Preconditioner, double RelativeResidual, double RecursionResidual, bool Converged,
    double TrainKernelSeconds, double TestKernelSeconds, double SolveSeconds, double KernelGigabytes, KernelSolvePoint[] Trajectory);

/// <summary>
/// The results of the <c>kernel</c> command: infinite-width NTK and NNGP regression on the whole Fashion-MNIST training set,
/// evaluated on the whole test set, with the time and peak memory it took.
/// </summary>
/// <param name="Dataset">Where the images came from.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="Options">The knobs.</param>
/// <param name="Solves">One per kernel.</param>
/// <param name="Machine">Processor, cores and operating system.</param>
/// <param name="Threads">LibTorch intra-op threads.</param>
/// <param name="TotalSeconds">Wall time of the whole command, data loading included.</param>
/// <param name="PeakMemoryGigabytes">Peak resident memory of the process, GB, or null where the system does not say.</param>
public sealed record FullKernelResults(string Dataset, int TrainImages, int TestImages, FullKernelOptions Options, KernelSolve[] Solves, string Machine, int Threads,
    double TotalSeconds, double? PeakMemoryGigabytes) : IResultsFile
{
    /// <inheritdoc/>
    public static string FileName => "full-data-kernel";

    /// <inheritdoc/>
    public static int Schema => 1;

    /// <inheritdoc/>
    public static string Producer => "run the kernel command (dotnet run --project lib/TicketLab.Cli -c Release -- kernel)";

    /// <summary>The solve of <paramref name="kernel"/>, or null when it was not run.</summary>
    public KernelSolve? Of(InfiniteKernel kernel) => Solves.FirstOrDefault(s => s.Kernel == Name(kernel));

    /// <summary>The name a kernel has in the file.</summary>
    public static string Name(InfiniteKernel kernel) => kernel.ToString().ToLowerInvariant();
}

/// <summary>
/// Kernel regression with the infinite-width NTK and NNGP of a ReLU MLP on a whole dataset, in bounded memory: the train
/// kernel is never one tensor but the float32 blocks of its lower triangle (N²/2 × 4 bytes: 7.2 GB for 60,000 images),
/// the system (K + λI) α = Y is solved by conjugate gradients with one product per iteration, and one kernel is held at a
/// time. The test-train kernel is kept (N_test × N × 4 bytes) so that test accuracy can be followed along the iterations.
/// </summary>
public static class FullDataKernel
{
    /// <summary>Runs every kernel of <paramref name="options"/> on <paramref name="data"/>.</summary>
    public static FullKernelResults Run(LabeledData data, FullKernelOptions options, Action<string>? log = null)
    {
        options.Validate();
        var total = Stopwatch.StartNew();
        using var tensors = new TensorData(data);
        var solves = options.KernelsRun.Select(k =>
        {
            var solve = Solve(tensors, k, options, log);
            log?.Invoke($"{solve.Kernel}: test accuracy {solve.TestAccuracy:0.0000} after {solve.Iterations} iterations (train kernel {solve.TrainKernelSeconds:0} s, test kernel {solve.TestKernelSeconds:0} s, solve {solve.SolveSeconds:0} s)");
            return solve;
        }).ToArray();
        return new FullKernelResults(data.Origin, data.Train.Count, data.Test.Count, options, solves, MachineDescription.Current, get_num_threads(),
            Math.Round(total.Elapsed.TotalSeconds, 1), PeakMemoryGigabytes() is { } peak ? Math.Round(peak, 2) : null);
    }

    /// <summary>One kernel: train kernel, test-train kernel, conjugate gradients with accuracy checkpoints.</summary>
    public static KernelSolve Solve(TensorData data, InfiniteKernel kernel, FullKernelOptions options, Action<string>? log = null)
    {
        options.Validate();
        var name = FullKernelResults.Name(kernel);
        var n = data.TrainX.shape[0];
        var nTest = data.TestX.shape[0];
        var blockSize = options.BlockSize;
        Tensor Rows(Tensor x, int i) { var (s, l) = SymmetricBlockMatrix.Span(x.shape[0], blockSize, i); return x.narrow(0, s, l); }
        using var workspace = new AnalyticNtk.Workspace();
        Tensor Block(Tensor a, Tensor b) =>
            AnalyticNtk.ReluBlock(a, b, options.Layers, options.WeightVariance, options.BiasVariance, ntk: kernel == InfiniteKernel.Ntk, workspace);

        var clock = Stopwatch.StartNew();
        var lastLog = 0.0;
        using var train = SymmetricBlockMatrix.Compute(n, blockSize, (i, j) => Block(Rows(data.TrainX, i), Rows(data.TrainX, j)), (done, all) =>
        {
            if (clock.Elapsed.TotalSeconds - lastLog < 10 && done != all) return;
            lastLog = clock.Elapsed.TotalSeconds;
            log?.Invoke($"{name}: train kernel {done}/{all} blocks, {clock.Elapsed.TotalSeconds:0} s");
        });
        var trainSeconds = clock.Elapsed.TotalSeconds;

        // The preconditioner before the test kernel: its float64 temporaries are freed before the test kernel is held.
        using var diagonal = train.Diagonal();
        var ridge = options.RelativeRidge * diagonal.mean().item<double>();
        clock.Restart();
        var rank = (int)Math.Min(options.NystromRank, n);
        using var nystrom = rank == 0 ? null : Nystrom(data.TrainX, rank, options.Seed, ridge, Block);
        var preconditioner = nystrom is null ? "Jacobi"
            : $"Nyström, {rank} landmarks ({clock.Elapsed.TotalSeconds:0} s to build; eigenvalues {nystrom.Eigenvalues[0]:g3} to {nystrom.Eigenvalues[^1]:g3} against ridge {ridge:g3})";
        log?.Invoke($"{name}: preconditioner {preconditioner}");

        clock.Restart();
        using var testKernel = empty(nTest, n, dtype: ScalarType.Float32);
        var testBlocks = SymmetricBlockMatrix.BlockCount(nTest, blockSize);
        var trainBlocks = train.Blocks;
        for (var i = 0; i < testBlocks; i++)
        {
            var (si, li) = SymmetricBlockMatrix.Span(nTest, blockSize, i);
            for (var j = 0; j < trainBlocks; j++)
            {
                using var scope = NewDisposeScope();
                var (sj, lj) = SymmetricBlockMatrix.Span(n, blockSize, j);
                testKernel.narrow(0, si, li).narrow(1, sj, lj).copy_(Block(Rows(data.TestX, i), Rows(data.TrainX, j)));
            }
            log?.Invoke($"{name}: test kernel {i + 1}/{testBlocks} row blocks, {clock.Elapsed.TotalSeconds:0} s");
        }
        var testSeconds = clock.Elapsed.TotalSeconds;

        using var targets = KernelRegression.Targets(data.TrainY, data.Classes);
        double Accuracy(Tensor solution)
        {
            using var scope = NewDisposeScope();
            // By row blocks: one product of the whole 10,000 x 60,000 block with 10 columns let the BLAS allocate a copy of it.
            var weights = solution.to(ScalarType.Float32);
            var predictions = cat(Enumerable.Range(0, testBlocks).Select(i =>
            {
                var (s, l) = SymmetricBlockMatrix.Span(nTest, blockSize, i);
                return testKernel.narrow(0, s, l).mm(weights);
            }).ToArray());
            return KernelRegression.Accuracy(predictions, data.TestY);
        }
        var trajectory = new List<KernelSolvePoint>();
        clock.Restart();
        var result = ConjugateGradient.Solve(train.Multiply, targets, ridge, options.Tolerance, options.MaxIterations,
            nystrom is null ? ConjugateGradient.Jacobi(diagonal, ridge) : nystrom.Apply, step =>
        {
            var checkpoint = step.Iteration % options.EvaluateEvery == 0 || step.Iteration == 1 || step.RelativeResidual <= options.Tolerance || step.Iteration == options.MaxIterations;
            if (!checkpoint) return;
            var accuracy = Accuracy(step.Solution);
            trajectory.Add(new KernelSolvePoint(step.Iteration, step.RelativeResidual, accuracy, Math.Round(clock.Elapsed.TotalSeconds, 2)));
            log?.Invoke($"{name}: iteration {step.Iteration}, relative residual {step.RelativeResidual:g3}, test accuracy {accuracy:0.0000}, {clock.Elapsed.TotalSeconds:0} s");
        });
        using var solution = result.Solution;
        var final = Accuracy(solution);
        if (trajectory.Count == 0 || trajectory[^1].Iteration != result.Iterations)
            trajectory.Add(new KernelSolvePoint(result.Iterations, result.RecursionResidual, final, Math.Round(clock.Elapsed.TotalSeconds, 2)));
        var solveSeconds = clock.Elapsed.TotalSeconds;
        if (!result.Converged)
            log?.Invoke($"{name}: stopped at {options.MaxIterations} iterations with relative residual {result.RecursionResidual:g3} above the tolerance {options.Tolerance:g3}; raise MaxIterations or RelativeRidge.");
        var gigabytes = (train.Bytes + testKernel.NumberOfElements * 4L) / 1e9;
        return new KernelSolve(name, final, WilsonInterval(final, (int)nTest), ridge, result.Iterations, preconditioner, result.RelativeResidual, result.RecursionResidual, result.Converged,
            Math.Round(trainSeconds, 1), Math.Round(testSeconds, 1), Math.Round(solveSeconds, 1), Math.Round(gigabytes, 2), trajectory.ToArray());
    }

    /// <summary>The Nyström preconditioner from <paramref name="rank"/> landmark images drawn with <paramref name="seed"/>, its columns computed chunk by chunk.</summary>
    static NystromPreconditioner Nystrom(Tensor trainX, int rank, long seed, double ridge, Func<Tensor, Tensor, Tensor> block)
    {
        using var scope = NewDisposeScope();
        var n = trainX.shape[0];
        using var landmarkGenerator = new Generator((ulong)seed);
        var landmarks = randperm(n, generator: landmarkGenerator).narrow(0, 0, rank).sort().Values.data<long>().ToArray();
        var landmarkRows = trainX.index_select(0, tensor(landmarks));
        var landmarkBlock = block(landmarkRows, landmarkRows).clone();
        return new NystromPreconditioner(n, landmarks, landmarkBlock, (start, length) => block(trainX.narrow(0, start, length), landmarkRows), ridge);
    }

    /// <summary>The 95% Wilson score interval of a proportion <paramref name="p"/> over <paramref name="n"/> trials.</summary>
    public static double[] WilsonInterval(double p, int n, double z = 1.959963984540054)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "accepted: 1 or more trials");
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "accepted: a proportion from 0 to 1");
        var z2 = z * z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return [Math.Round(Math.Max(0, centre - half), 4), Math.Round(Math.Min(1, centre + half), 4)];
    }

    /// <summary>The process's peak resident memory in GB (Linux: VmHWM), or null where the system does not report it.</summary>
    public static double? PeakMemoryGigabytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries); // "VmHWM:\t  123456 kB"
                return parts.Length >= 2 && long.TryParse(parts[1], out var kb) ? kb * 1024 / 1e9 : null;
            }
        return null;
    }
}
