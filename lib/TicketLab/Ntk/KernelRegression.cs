using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// Predictions of the infinite-width network trained to convergence by gradient flow on MSE: f(x*) = Θ(x*, X) Θ(X, X)⁻¹ Y
/// (Jacot et al. 2018; Lee et al. 2019), with a Cholesky solve; jitter is added to the diagonal until it factorizes.
/// </summary>
public static class KernelRegression
{
    /// <summary>Predictions (N_test x K) from the train kernel (N x N), the test-train kernel (N_test x N) and targets (N x K).</summary>
    public static Tensor Predict(Tensor trainKernel, Tensor testTrainKernel, Tensor targets, double relativeJitter = 1e-10)
    {
        static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
        if (trainKernel.dim() != 2 || trainKernel.shape[0] != trainKernel.shape[1] || trainKernel.shape[0] == 0)
            throw new ArgumentException($"trainKernel has shape {Shape(trainKernel)}; accepted: N x N with N >= 1 (train against train).", nameof(trainKernel));
        var trainCount = trainKernel.shape[0];
        if (testTrainKernel.dim() != 2 || testTrainKernel.shape[1] != trainCount)
            throw new ArgumentException($"testTrainKernel has shape {Shape(testTrainKernel)}; accepted: N_test x {trainCount} (test against the train kernel's {trainCount} inputs).", nameof(testTrainKernel));
        if (targets.dim() != 2 || targets.shape[0] != trainCount)
            throw new ArgumentException($"targets has shape {Shape(targets)}; accepted: {trainCount} x K (one row per training input).", nameof(targets));
        if (!(relativeJitter >= 0)) throw new ArgumentOutOfRangeException(nameof(relativeJitter), relativeJitter, "accepted: >= 0");
        if (!trainKernel.isfinite().all().item<bool>()) throw new ArgumentException("trainKernel holds NaN or infinite entries; check the inputs the kernel was computed from (they must be finite).", nameof(trainKernel));
        if (!testTrainKernel.isfinite().all().item<bool>()) throw new ArgumentException("testTrainKernel holds NaN or infinite entries; check the inputs the kernel was computed from (they must be finite).", nameof(testTrainKernel));
        using var scope = NewDisposeScope();
        var k = trainKernel.to(ScalarType.Float64);
        var n = k.shape[0];
        var scale = k.diagonal().mean().item<double>();
        var jitter = relativeJitter;
        for (var attempt = 0; attempt < 8; attempt++, jitter *= 100)
        {
            var (factor, info) = linalg.cholesky_ex(k.add(eye(n, dtype: ScalarType.Float64).Times(jitter * scale)));
            if (info.item<int>() != 0) continue;
            var alpha = cholesky_solve(targets.to(ScalarType.Float64), factor);
            return testTrainKernel.to(ScalarType.Float64).mm(alpha).MoveToOuterDisposeScope();
        }
        throw new InvalidOperationException(
            $"the train kernel ({n} x {n}) is not positive definite even with jitter {jitter / 100:g2} x its mean diagonal: check for duplicate or all-zero inputs.");
    }

    /// <summary>One-hot targets (N x K) centred to mean zero per row (−1/K, 1 − 1/K), as NTK regression of classes uses them.</summary>
    public static Tensor Targets(Tensor labels, int classes) =>
        nn.functional.one_hot(labels, classes).to(ScalarType.Float64).Minus(1.0 / classes);

    /// <summary>Accuracy of predictions (N x K) against labels.</summary>
    public static double Accuracy(Tensor predictions, Tensor labels) =>
        predictions.argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
}
