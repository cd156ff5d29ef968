using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// The Nyström preconditioner of a kernel system (K + μI)x = b (Frangella, Tropp &amp; Udell 2023, "Randomized Nyström
/// preconditioning"): from m landmark columns C = K[:, S] it builds the rank-m approximation K ≈ U Λ Uᵀ and applies
/// P⁻¹ = (λ_m + μ) U (Λ + μI)⁻¹ Uᵀ + (I − U Uᵀ), which flattens the m largest eigenvalues of K (for a kernel of images, a
/// near-constant mode and the top principal directions, which hold conjugate gradients back for hundreds of iterations).
/// </summary>
public sealed class NystromPreconditioner : IDisposable
{
    readonly Tensor basis;   // U, N × m, float32
    readonly Tensor scale;   // (λ_m + μ) / (λ_i + μ) − 1, m, float64

    /// <summary>The landmarks' count m.</summary>
    public int Rank { get; }

    /// <summary>The approximation's eigenvalues Λ, largest first (float64, m).</summary>
    public double[] Eigenvalues { get; }

    /// <summary>
    /// Builds the preconditioner from the landmark columns <paramref name="columns"/> (N × m: K between every row and the
    /// landmarks), the landmarks' rows <paramref name="landmarks"/> (their indices in 0..N−1) and the ridge μ.
    /// </summary>
    public NystromPreconditioner(Tensor columns, long[] landmarks, double ridge)
    {
        if (columns.dim() != 2 || columns.shape[1] != landmarks.Length || landmarks.Length < 1)
            throw new ArgumentException($"columns has shape [{string.Join(", ", columns.shape)}] for {landmarks.Length} landmarks; accepted: N x m with m >= 1 landmarks.", nameof(columns));
        if (landmarks.Any(l => l < 0 || l >= columns.shape[0]) || landmarks.Distinct().Count() != landmarks.Length)
            throw new ArgumentOutOfRangeException(nameof(landmarks), landmarks.Length, $"accepted: distinct row indices in 0..{columns.shape[0] - 1}");
        if (!(ridge >= 0) || double.IsInfinity(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "accepted: a finite ridge >= 0");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = columns.to(ScalarType.Float64);
        var w = c.index_select(0, tensor(landmarks));
        w = w.add(w.t()).mul(0.5);
        // A small shift makes the landmarks' block factorizable (Frangella et al.'s ν); it is taken off the eigenvalues.
        var shift = Math.Max(1e-12, 1e-10 * w.diagonal().sum().item<double>());
        var (factor, info) = linalg.cholesky_ex(w.add(eye(w.shape[0], dtype: ScalarType.Float64).mul(shift)));
        if (info.item<int>() != 0)
            throw new InvalidOperationException($"the landmarks' kernel block ({landmarks.Length} x {landmarks.Length}) does not factorize even with shift {shift:g3}: check for duplicate landmark images.");
        var b = linalg.solve_triangular(factor, c.t(), upper: false).t();   // C L⁻ᵀ, N × m
        var (values, vectors) = linalg.eigh(b.t().mm(b));                   // BᵀB = V Σ² Vᵀ, ascending
        values = values.flip(0);
        vectors = vectors.flip(1);
        var sigma = values.clamp_min(1e-300).sqrt();
        var u = b.mm(vectors).div(sigma.unsqueeze(0));                      // left singular vectors of B
        var lambda = values.sub(shift).clamp_min(0);
        var smallest = lambda[-1].item<double>();
        Rank = landmarks.Length;
        Eigenvalues = lambda.data<double>().ToArray();
        basis = u.to(ScalarType.Float32).contiguous().DetachFromDisposeScope();
        scale = lambda.add(ridge).clamp_min(1e-300).reciprocal().mul(smallest + ridge).sub(1).DetachFromDisposeScope();
    }

    /// <summary>P⁻¹R for R of N × K: R + U diag(scale) Uᵀ R.</summary>
    public Tensor Apply(Tensor r)
    {
        using var scope = NewDisposeScope();
        var r64 = r.to(ScalarType.Float64);
        var projected = basis.t().mm(r.to(ScalarType.Float32)).to(ScalarType.Float64).mul(scale.unsqueeze(1));
        return r64.add(basis.mm(projected.to(ScalarType.Float32)).to(ScalarType.Float64)).MoveToOuterDisposeScope();
    }

    /// <summary>Frees the basis.</summary>
    public void Dispose()
    {
        basis.Dispose();
        scale.Dispose();
    }
}
