using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>One iteration of <see cref="ConjugateGradient.Solve"/>: its number, the largest relative residual over the columns, and the current solution.</summary>
/// <param name="Iteration">Iterations done (1 after the first product).</param>
/// <param name="RelativeResidual">max over columns of ‖b − (A + λI)x‖ / ‖b‖.</param>
/// <param name="Solution">The current x (N × K, float64; valid only during the callback).</param>
public sealed record CgStep(int Iteration, double RelativeResidual, Tensor Solution);

/// <summary>How a conjugate-gradient solve ended.</summary>
/// <param name="Solution">x (N × K, float64).</param>
/// <param name="Iterations">Iterations done.</param>
/// <param name="RelativeResidual">The largest relative residual over the columns, recomputed from x at the end: with a matrix stored in float32 it stays above the recursion's once that falls below the storage's precision times the condition number.</param>
/// <param name="RecursionResidual">The recursion's largest relative residual at the end (what the tolerance is checked against).</param>
/// <param name="Converged">Whether every column reached the tolerance in the recursion.</param>
public sealed record CgResult(Tensor Solution, int Iterations, double RelativeResidual, double RecursionResidual, bool Converged);

/// <summary>
/// Conjugate gradients (Hestenes &amp; Stiefel 1952) for (A + λI) X = B with a symmetric positive semi-definite A given only
/// by its product, K right-hand sides at once (one independent recursion per column, sharing each product with A), in
/// float64, optionally preconditioned (<see cref="Jacobi"/>, <see cref="NystromPreconditioner"/>).
/// </summary>
public static class ConjugateGradient
{
    /// <summary>
    /// Solves (A + <paramref name="ridge"/>·I) X = <paramref name="b"/> from X = 0 until every column's relative residual is at
    /// most <paramref name="tolerance"/> or <paramref name="maxIterations"/> products were made.
    /// </summary>
    /// <param name="multiply">X ↦ A·X for an N × K float64 X; returns N × K.</param>
    /// <param name="b">Right-hand sides, N × K.</param>
    /// <param name="ridge">λ ≥ 0 added to the diagonal.</param>
    /// <param name="tolerance">Relative residual at which a column is done, in (0, 1).</param>
    /// <param name="maxIterations">At most this many products with A.</param>
    /// <param name="precondition">R ↦ M⁻¹R for a symmetric positive definite M ≈ A + λI (N × K in, N × K out), or null for none.</param>
    /// <param name="onStep">Called after every iteration.</param>
    public static CgResult Solve(Func<Tensor, Tensor> multiply, Tensor b, double ridge, double tolerance, int maxIterations,
        Func<Tensor, Tensor>? precondition = null, Action<CgStep>? onStep = null)
    {
        if (b.dim() != 2 || b.shape[0] < 1 || b.shape[1] < 1) throw new ArgumentException($"b has shape [{string.Join(", ", b.shape)}]; accepted: N x K with N, K >= 1.", nameof(b));
        if (!(ridge >= 0) || double.IsInfinity(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "accepted: a finite ridge >= 0");
        if (!(tolerance > 0 && tolerance < 1)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "accepted: a relative residual strictly between 0 and 1");
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "accepted: 1 or more");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rhs = b.to(ScalarType.Float64);
        var bNorm = rhs.norm(dim: 0, keepdim: true).AtLeast(1e-300);
        Tensor Apply(Tensor x)
        {
            var ax = multiply(x);
            if (ax.dim() != 2 || ax.shape[0] != x.shape[0] || ax.shape[1] != x.shape[1])
                throw new InvalidOperationException($"multiply returned shape [{string.Join(", ", ax.shape)}] for [{string.Join(", ", x.shape)}]; it must keep the shape.");
            return ridge == 0 ? ax.to(ScalarType.Float64) : ax.to(ScalarType.Float64).PlusScaled(x, ridge);
        }
        Tensor Precondition(Tensor r) => precondition is null ? r : precondition(r).to(ScalarType.Float64);

        var x = zeros_like(rhs);
        var r = rhs.clone();
        var z = Precondition(r);
        var p = z.clone();
        var rz = r.mul(z).sum(dim: 0);
        var iteration = 0;
        var residual = 1.0;
        while (iteration < maxIterations && residual > tolerance)
        {
            using var step = NewDisposeScope();
            var ap = Apply(p);
            var curvature = p.mul(ap).sum(dim: 0);
            if (!curvature.isfinite().all().item<bool>() || curvature.AtMost(0).any().item<bool>())
                throw new InvalidOperationException($"conjugate gradients met a direction of non-positive curvature at iteration {iteration + 1}: the matrix is not positive definite with ridge {ridge:g3}; raise the ridge.");
            var alpha = rz.div(curvature);
            x.add_(p.mul(alpha));
            r.sub_(ap.mul(alpha));
            var zNew = Precondition(r);
            var rzNew = r.mul(zNew).sum(dim: 0);
            p.mul_(rzNew.div(rz.AtLeast(1e-300))).add_(zNew);
            rz.copy_(rzNew);
            iteration++;
            residual = r.norm(dim: 0, keepdim: true).div(bNorm).max().item<double>();
            if (!double.IsFinite(residual))
                throw new InvalidOperationException($"conjugate gradients diverged at iteration {iteration} (residual {residual}); check the matrix for NaN entries or raise the ridge.");
            onStep?.Invoke(new CgStep(iteration, residual, x));
        }
        // The recursion's residual drifts from the true one in floating point: report the true one.
        var trueResidual = rhs.sub(Apply(x)).norm(dim: 0, keepdim: true).div(bNorm).max().item<double>();
        return new CgResult(x.MoveToOuterDisposeScope(), iteration, trueResidual, residual, residual <= tolerance);
    }

    /// <summary>The Jacobi preconditioner of A + λI: R ↦ R / (diag(A) + λ), row by row.</summary>
    public static Func<Tensor, Tensor> Jacobi(Tensor diagonal, double ridge)
    {
        if (diagonal.dim() != 1) throw new ArgumentException($"diagonal has shape [{string.Join(", ", diagonal.shape)}]; accepted: a vector (one entry per row).", nameof(diagonal));
        var inverse = diagonal.to(ScalarType.Float64).Plus(ridge).AtLeast(1e-300).reciprocal().unsqueeze(1).DetachFromDisposeScope();
        return r => r.mul(inverse);
    }
}
