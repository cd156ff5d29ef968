using TicketLab.Data;
using TicketLab.Ntk;
using static TorchSharp.torch;

namespace TicketLab.Tests.Ntk;

[Collection("torch")]
public class FullDataKernelTests
{
    /// <summary>A random symmetric positive definite matrix with a spread spectrum (eigenvalues 1e-2 to 1e3) and a large constant mode, as kernels of images have.</summary>
    static Tensor KernelLike(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var q = linalg.qr(randn(n, n, dtype: ScalarType.Float64, generator: g)).Q;
        var values = logspace(-2, 3, n, dtype: ScalarType.Float64);
        var k = q.mul(values.unsqueeze(0)).mm(q.t());
        return k.add(ones(n, n, dtype: ScalarType.Float64).mul(5.0)).add(k.t()).mul(0.5);
    }

    static SymmetricBlockMatrix Blocked(Tensor dense, int blockSize)
    {
        var n = dense.shape[0];
        return SymmetricBlockMatrix.Compute(n, blockSize, (i, j) =>
        {
            var (si, li) = SymmetricBlockMatrix.Span(n, blockSize, i);
            var (sj, lj) = SymmetricBlockMatrix.Span(n, blockSize, j);
            return dense.narrow(0, si, li).narrow(1, sj, lj).clone();
        });
    }

    [Fact]
    public void The_blocked_matrix_holds_the_dense_one_and_multiplies_as_it_does()
    {
        using var dense = KernelLike(103, 1);
        using var m = Blocked(dense, 16); // 7 blocks per side, the last of 7 rows
        Assert.Equal(7, m.Blocks);
        Assert.Equal((21 * 16 * 16 + 6 * 7 * 16 + 7 * 7) * 4L, m.Bytes); // 21 full blocks, 6 of the last block row, the last diagonal one
        Assert.True(m.ToDense().allclose(dense, rtol: 1e-6, atol: 1e-4), "the blocks do not hold the matrix (float32 storage)");
        Assert.True(m.Diagonal().allclose(dense.diagonal(), rtol: 1e-6, atol: 1e-5));
        using var v = randn(103, 3, dtype: ScalarType.Float64, generator: new Generator(2));
        var expected = dense.mm(v);
        Assert.True(m.Multiply(v).allclose(expected, rtol: 1e-5, atol: 1e-3 * expected.abs().max().item<double>()), "the product differs from the dense one");
        var error = Assert.Throws<ArgumentException>(() => m.Multiply(randn(100, 3)));
        Assert.Contains("accepted: 103 x K", error.Message);
    }

    [Fact]
    public void A_block_with_nan_or_a_wrong_shape_is_refused_by_name()
    {
        var nan = Assert.Throws<InvalidOperationException>(() => SymmetricBlockMatrix.Compute(10, 4, (i, j) => i == 2 && j == 1 ? full(2, 4, double.NaN) : zeros(i == 2 ? 2 : 4, j == 2 ? 2 : 4)));
        Assert.Contains("block (2, 1) holds NaN", nan.Message);
        var shape = Assert.Throws<InvalidOperationException>(() => SymmetricBlockMatrix.Compute(10, 4, (i, j) => zeros(4, 4)));
        Assert.Contains("block (2, 0) has shape [4, 4]; expected [2, 4]", shape.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricBlockMatrix.Compute(0, 4, (i, j) => zeros(1, 1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void The_in_place_block_recursion_gives_the_analytic_kernels(int layers)
    {
        using var x = randn(40, 12, dtype: ScalarType.Float64, generator: new Generator(3));
        using var workspace = new AnalyticNtk.Workspace();
        var a = x.narrow(0, 0, 25);
        var b = x.narrow(0, 10, 30); // overlapping rows: identical inputs give θ = 0
        var (nngp, ntk) = AnalyticNtk.Relu(a, b, layers, 2.0, 0.05);
        Assert.True(AnalyticNtk.ReluBlock(a, b, layers, 2.0, 0.05, ntk: true, workspace).allclose(ntk, rtol: 1e-7, atol: 1e-7), "NTK block differs");
        Assert.True(AnalyticNtk.ReluBlock(a, b, layers, 2.0, 0.05, ntk: false, workspace).allclose(nngp, rtol: 1e-12, atol: 1e-12), "NNGP block differs");
    }

    [Fact]
    public void Conjugate_gradients_solve_the_ridge_system_with_and_without_preconditioners()
    {
        using var k = KernelLike(120, 4);
        using var b = randn(120, 4, dtype: ScalarType.Float64, generator: new Generator(5));
        const double ridge = 0.05;
        var exact = linalg.solve(k.add(eye(120, dtype: ScalarType.Float64).mul(ridge)), b);
        Tensor Multiply(Tensor x) => k.mm(x);
        var plain = ConjugateGradient.Solve(Multiply, b, ridge, 1e-10, 2000);
        var jacobi = ConjugateGradient.Solve(Multiply, b, ridge, 1e-10, 2000, ConjugateGradient.Jacobi(k.diagonal(), ridge));
        var landmarks = Enumerable.Range(0, 40).Select(i => (long)(3 * i)).ToArray();
        using var nystrom = new NystromPreconditioner(k.index_select(1, tensor(landmarks)), landmarks, ridge);
        var preconditioned = ConjugateGradient.Solve(Multiply, b, ridge, 1e-10, 2000, nystrom.Apply);
        foreach (var (name, result) in new[] { ("plain", plain), ("Jacobi", jacobi), ("Nyström", preconditioned) })
        {
            Assert.True(result.Converged, $"{name} did not converge");
            Assert.True(result.Solution.allclose(exact, rtol: 1e-5, atol: 1e-6), $"{name} solution differs from the direct solve");
            Assert.True(result.RelativeResidual < 1e-6, $"{name}: true residual {result.RelativeResidual}");
        }
        // The Nyström preconditioner takes the large eigenvalues away: far fewer iterations than without.
        Assert.True(preconditioned.Iterations * 2 < plain.Iterations, $"Nyström {preconditioned.Iterations} iterations, plain {plain.Iterations}");
        Assert.Equal(40, nystrom.Eigenvalues.Length);
        Assert.True(nystrom.Eigenvalues[0] >= nystrom.Eigenvalues[^1]);
        // Built from row chunks (as for 60,000 images, where the N x m columns are never held), it is the same preconditioner.
        var columns = k.index_select(1, tensor(landmarks));
        using var chunked = new NystromPreconditioner(120, landmarks, columns.index_select(0, tensor(landmarks)), (start, length) => columns.narrow(0, start, length), ridge, chunk: 7);
        Assert.Equal(nystrom.Eigenvalues, chunked.Eigenvalues, (a, c) => Math.Abs(a - c) <= 1e-8 * Math.Max(1, Math.Abs(a)));
        Assert.True(chunked.Apply(b).allclose(nystrom.Apply(b), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Conjugate_gradients_refuse_bad_input_and_an_indefinite_matrix_by_name()
    {
        using var b = ones(5, 2, dtype: ScalarType.Float64);
        Assert.Contains("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => ConjugateGradient.Solve(x => x, b, 0, 1.5, 10)).Message);
        Assert.Contains("ridge", Assert.Throws<ArgumentOutOfRangeException>(() => ConjugateGradient.Solve(x => x, b, -1, 1e-3, 10)).Message);
        Assert.Contains("maxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => ConjugateGradient.Solve(x => x, b, 0, 1e-3, 0)).Message);
        var indefinite = Assert.Throws<InvalidOperationException>(() => ConjugateGradient.Solve(x => x.neg(), b, 0, 1e-3, 10));
        Assert.Contains("not positive definite", indefinite.Message);
        Assert.Contains("raise the ridge", indefinite.Message);
        var stopped = ConjugateGradient.Solve(x => x.mul(arange(1, 6, dtype: ScalarType.Float64).pow(3).unsqueeze(1)), b, 0, 1e-12, 2);
        Assert.False(stopped.Converged);
        Assert.Equal(2, stopped.Iterations);
    }

    [Fact]
    public void The_full_data_solve_agrees_with_the_dense_cholesky_regression_of_notebook_02()
    {
        var data = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 30, TestPerClass: 20));
        using var tensors = new TensorData(data);
        var options = new FullKernelOptions(BlockSize: 64, NystromRank: 50, Tolerance: 1e-6, EvaluateEvery: 2);
        var targets = KernelRegression.Targets(tensors.TrainY, tensors.Classes);
        var (nngpTrain, ntkTrain) = AnalyticNtk.Relu(tensors.TrainX, null, options.Layers, options.WeightVariance, options.BiasVariance);
        var (nngpTest, ntkTest) = AnalyticNtk.Relu(tensors.TestX, tensors.TrainX, options.Layers, options.WeightVariance, options.BiasVariance);
        foreach (var (kernel, train, test) in new[] { (InfiniteKernel.Ntk, ntkTrain, ntkTest), (InfiniteKernel.Nngp, nngpTrain, nngpTest) })
        {
            var ridge = options.RelativeRidge * train.diagonal().mean().item<double>();
            var dense = KernelRegression.Accuracy(test.mm(linalg.solve(train.add(eye(train.shape[0], dtype: ScalarType.Float64).mul(ridge)), targets)), tensors.TestY);
            var solve = FullDataKernel.Solve(tensors, kernel, options);
            Assert.Equal(FullKernelResults.Name(kernel), solve.Kernel);
            Assert.True(solve.Converged, $"{kernel}: recursion residual {solve.RecursionResidual}");
            Assert.Equal(dense, solve.TestAccuracy, 6);
            Assert.Equal(solve.Iterations, solve.Trajectory[^1].Iteration);
            Assert.Equal(1, solve.Trajectory[0].Iteration);
            Assert.Contains("Nyström, 50 landmarks", solve.Preconditioner);
            Assert.InRange(dense, solve.TestAccuracyBand[0], solve.TestAccuracyBand[1]);
        }
    }

    [Fact]
    public void Peak_memory_is_read_where_the_system_reports_it()
    {
        var peak = FullDataKernel.PeakMemoryGigabytes();
        if (OperatingSystem.IsLinux()) Assert.True(peak is > 0.01 and < 1000, $"VmHWM read as {peak}");
        else Assert.Null(peak);
    }

    [Fact]
    public void Options_and_the_wilson_interval_are_checked()
    {
        Assert.Contains("NystromRank", Assert.Throws<ArgumentOutOfRangeException>(() => new FullKernelOptions(NystromRank: -1).Validate()).Message);
        Assert.Contains("Kernels", Assert.Throws<ArgumentOutOfRangeException>(() => new FullKernelOptions(Kernels: [InfiniteKernel.Ntk, InfiniteKernel.Ntk]).Validate()).Message);
        Assert.Contains("BlockSize", Assert.Throws<ArgumentOutOfRangeException>(() => new FullKernelOptions(BlockSize: 2).Validate()).Message);
        // Wilson (1927) interval of 0.9 over 100 trials, z = 1.96: 0.8256 to 0.9448.
        var band = FullDataKernel.WilsonInterval(0.9, 100);
        Assert.Equal(0.8256, band[0], 3);
        Assert.Equal(0.9448, band[1], 3);
    }
}
