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
    readonly Tensor basis;   // U, N × m, float64
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
        : this(Check(columns, landmarks).shape[0], landmarks, columns.index_select(0, tensor(landmarks)), (start, length) => columns.narrow(0, start, length), ridge)
    {
    }

    static Tensor Check(Tensor columns, long[] landmarks)
    {
        if (columns.dim() != 2 || columns.shape[1] != landmarks.Length || landmarks.Length < 1)
            throw new ArgumentException($"columns has shape [{string.Join(", ", columns.shape)}] for {landmarks.Length} landmarks; accepted: N x m with m >= 1 landmarks.", nameof(columns));
        if (landmarks.Any(l => l < 0 || l >= columns.shape[0]))
            throw new ArgumentOutOfRangeException(nameof(landmarks), landmarks.Length, $"accepted: distinct row indices in 0..{columns.shape[0] - 1}");
        return columns;
    }

    /// <summary>
    /// Builds the preconditioner without holding the N × m columns: <paramref name="rows"/>(start, length) returns K between
    /// rows start..start+length−1 and the landmarks (length × m), asked for twice per row in chunks of
    /// <paramref name="chunk"/> rows; <paramref name="landmarkBlock"/> is K between the landmarks (m × m). It holds one
    /// float64 N × m matrix (B = C L⁻ᵀ, then turned into U in place) and m × m ones. U is kept in float64: P⁻¹ shrinks the top
    /// eigenvalue's direction by (λ_m + μ)/(λ_1 + μ), which for a kernel of many images falls below float32's precision, and
    /// a float32 U rounds I − uuᵀ by about 1e-7 of either sign: P⁻¹ was then indefinite and conjugate gradients diverged on
    /// the NNGP kernel of 60,000 images.
    /// </summary>
    public NystromPreconditioner(long size, long[] landmarks, Tensor landmarkBlock, Func<long, long, Tensor> rows, double ridge, int chunk = 2048)
    {
        var m = landmarks.Length;
        if (m < 1 || landmarks.Any(l => l < 0 || l >= size) || landmarks.Distinct().Count() != m)
            throw new ArgumentOutOfRangeException(nameof(landmarks), m, $"accepted: one or more distinct row indices in 0..{size - 1}");
        if (landmarkBlock.dim() != 2 || landmarkBlock.shape[0] != m || landmarkBlock.shape[1] != m)
            throw new ArgumentException($"landmarkBlock has shape [{string.Join(", ", landmarkBlock.shape)}]; accepted: {m} x {m} (the kernel between the landmarks).", nameof(landmarkBlock));
        if (!(ridge >= 0) || double.IsInfinity(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "accepted: a finite ridge >= 0");
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "accepted: 1 or more rows");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var w = landmarkBlock.to(ScalarType.Float64);
        w = w.add(w.t()).Times(0.5);
        // A small shift makes the landmarks' block factorizable (Frangella et al.'s ν); it is taken off the eigenvalues.
        var shift = Math.Max(1e-12, 1e-10 * w.diagonal().sum().item<double>());
        var (factor, info) = linalg.cholesky_ex(w.add(eye(m, dtype: ScalarType.Float64).Times(shift)));
        if (info.item<int>() != 0)
            throw new InvalidOperationException($"the landmarks' kernel block ({m} x {m}) does not factorize even with shift {shift:g3}: check for duplicate landmark images.");
        var b = empty(size, m, dtype: ScalarType.Float64);
        var gram = zeros(m, m, dtype: ScalarType.Float64);
        for (long start = 0; start < size; start += chunk)
        {
            using var step = NewDisposeScope();
            var length = Math.Min(chunk, size - start);
            var c = rows(start, length);
            if (c.dim() != 2 || c.shape[0] != length || c.shape[1] != m)
                throw new InvalidOperationException($"rows({start}, {length}) returned shape [{string.Join(", ", c.shape)}]; expected [{length}, {m}].");
            var part = linalg.solve_triangular(factor, c.to(ScalarType.Float64).t(), upper: false).t();   // C L⁻ᵀ for these rows
            gram.add_(part.t().mm(part));
            b.narrow(0, start, length).copy_(part);
        }
        var (values, vectors) = linalg.eigh(gram);                            // BᵀB = V Σ² Vᵀ, ascending
        values = values.flip(0);
        vectors = vectors.flip(1);
        var toBasis = vectors.div(values.AtLeast(1e-300).sqrt().unsqueeze(0)); // U = B V Σ⁻¹
        for (long start = 0; start < size; start += chunk)
        {
            using var step = NewDisposeScope();
            var length = Math.Min(chunk, size - start);
            var rowsOfB = b.narrow(0, start, length);
            rowsOfB.copy_(rowsOfB.mm(toBasis));
        }
        var lambda = values.Minus(shift).AtLeast(0);
        var smallest = lambda[-1].item<double>();
        Rank = m;
        Eigenvalues = lambda.data<double>().ToArray();
        basis = b.DetachFromDisposeScope();
        scale = lambda.Plus(ridge).AtLeast(1e-300).reciprocal().Times(smallest + ridge).Minus(1).DetachFromDisposeScope();
    }

    /// <summary>P⁻¹R for R of N × K: R + U diag(scale) Uᵀ R.</summary>
    public Tensor Apply(Tensor r)
    {
        using var scope = NewDisposeScope();
        var r64 = r.to(ScalarType.Float64);
        var projected = basis.t().mm(r64).mul(scale.unsqueeze(1));
        return r64.add(basis.mm(projected)).MoveToOuterDisposeScope();
    }

    /// <summary>Frees the basis.</summary>
    public void Dispose()
    {
        basis.Dispose();
        scale.Dispose();
    }
}
