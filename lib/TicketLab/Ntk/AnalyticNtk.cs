using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// The infinite-width NNGP and NTK of a ReLU MLP in NTK parametrization, by the arc-cosine recursion (Cho &amp; Saul
/// 2009; Jacot et al. 2018; as in neural-tangents): with θ the angle between two inputs under the current kernel,
/// NNGP′ = √(K₁₁K₂₂)/(2π)·(sin θ + (π − θ) cos θ), NTK′ = NTK·(π − θ)/(2π); a dense layer maps
/// NNGP ← σw²·NNGP′ + σb² and NTK ← NNGP + σw²·NTK′.
/// </summary>
public static class AnalyticNtk
{
    /// <summary>
    /// NNGP and NTK (per output) between the rows of <paramref name="x1"/> and <paramref name="x2"/> for a net with
    /// <paramref name="layers"/> weight layers (hidden layers + 1), weight variance σw² and bias variance σb². Float64.
    /// </summary>
    public static (Tensor Nngp, Tensor Ntk) Relu(Tensor x1, Tensor? x2, int layers, double weightVariance = 2.0, double biasVariance = 0.0)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "accepted: at least 1 (the readout)");
        if (!(weightVariance > 0)) throw new ArgumentOutOfRangeException(nameof(weightVariance), weightVariance, "accepted: > 0");
        if (!(biasVariance >= 0)) throw new ArgumentOutOfRangeException(nameof(biasVariance), biasVariance, "accepted: >= 0");
        if (x2 is not null && (x2.shape.Length != 2 || x1.shape.Length != 2 || x2.shape[1] != x1.shape[1]))
            throw new ArgumentException($"x2 has shape [{string.Join(", ", x2.shape)}] but x1 has [{string.Join(", ", x1.shape)}]; accepted: the same number of features.", nameof(x2));
        if (x1.shape.Length != 2 || x1.shape[0] == 0) throw new ArgumentException($"x1 has shape [{string.Join(", ", x1.shape)}]; accepted: N x features with N >= 1.", nameof(x1));
        if (!x1.isfinite().all().item<bool>()) throw new ArgumentException("x1 holds NaN or infinite values; accepted: finite inputs.", nameof(x1));
        if (x2 is not null && !x2.isfinite().all().item<bool>()) throw new ArgumentException("x2 holds NaN or infinite values; accepted: finite inputs.", nameof(x2));
        using var scope = NewDisposeScope();
        var a = x1.to(ScalarType.Float64);
        var b = (x2 ?? x1).to(ScalarType.Float64);
        var d = a.shape[1];
        var k12 = a.mm(b.t()).Times(weightVariance / d).Plus(biasVariance);
        var k1 = a.Power(2).sum(dim: 1).Times(weightVariance / d).Plus(biasVariance);
        var k2 = b.Power(2).sum(dim: 1).Times(weightVariance / d).Plus(biasVariance);
        var ntk = k12.clone();
        for (var l = 1; l < layers; l++)
        {
            var norms = k1.unsqueeze(1).mul(k2.unsqueeze(0)).sqrt();
            var cos = k12.div(norms.AtLeast(1e-300)).Clamped(-1, 1);
            var theta = cos.acos();
            var nngpPrime = norms.DividedBy(2 * Math.PI).mul(theta.sin().add(theta.neg().Plus(Math.PI).mul(cos)));
            var ntkPrime = ntk.mul(theta.neg().Plus(Math.PI)).DividedBy(2 * Math.PI);
            k12 = nngpPrime.Times(weightVariance).Plus(biasVariance);
            ntk = k12.add(ntkPrime.Times(weightVariance));
            // On the diagonal θ = 0: NNGP′ = K/2.
            k1 = k1.DividedBy(2).Times(weightVariance).Plus(biasVariance);
            k2 = k2.DividedBy(2).Times(weightVariance).Plus(biasVariance);
        }
        return (k12.MoveToOuterDisposeScope(), ntk.MoveToOuterDisposeScope());
    }
    /// <summary>
    /// The same recursion as <see cref="Relu"/> for one block of a large kernel, computed in place in reusable float64
    /// buffers (a block of 2048² entries otherwise allocates and frees a dozen 33 MB tensors, and the page faults cost more
    /// than the arithmetic). <paramref name="a"/> and <paramref name="b"/> are rows of inputs; returns the NNGP or the NTK
    /// block (a view of the workspace, valid until its next use).
    /// </summary>
    public static Tensor ReluBlock(Tensor a, Tensor b, int layers, double weightVariance, double biasVariance, bool ntk, Workspace workspace)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "accepted: at least 1 (the readout)");
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"a has shape [{string.Join(", ", a.shape)}] and b [{string.Join(", ", b.shape)}]; accepted: rows of the same number of features.", nameof(b));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (rows, columns) = (a.shape[0], b.shape[0]);
        var (k12, theta, norms, tangent) = workspace.Buffers(rows, columns);
        var a64 = a.to(ScalarType.Float64);
        var b64 = b.to(ScalarType.Float64);
        var d = a.shape[1];
        k12.addmm_(a64, b64.t(), beta: 0, alpha: 1).TimesInPlace(weightVariance / d).PlusInPlace(biasVariance);
        var k1 = a64.Power(2).sum(dim: 1).TimesInPlace(weightVariance / d).PlusInPlace(biasVariance);
        var k2 = b64.Power(2).sum(dim: 1).TimesInPlace(weightVariance / d).PlusInPlace(biasVariance);
        if (ntk) tangent.copy_(k12);
        for (var l = 1; l < layers; l++)
        {
            norms.copy_(k1.sqrt().unsqueeze(1).expand(rows, columns)).mul_(k2.sqrt().unsqueeze(0));
            k12.div_(norms.AtLeastInPlace(1e-300)).ClampedInPlace(-1, 1); // cos θ
            theta.copy_(k12).acos_().neg_().PlusInPlace(Math.PI);       // π − θ
            if (ntk) tangent.mul_(theta);                               // NTK·(π − θ)
            k12.mul_(theta);                                            // (π − θ) cos θ
            k12.add_(theta.sin_());                                     // + sin θ (= sin(π − θ))
            k12.mul_(norms).TimesInPlace(weightVariance / (2 * Math.PI)).PlusInPlace(biasVariance); // NNGP ← σw²·NNGP′ + σb²
            if (ntk) tangent.TimesInPlace(weightVariance / (2 * Math.PI)).add_(k12); // NTK ← NNGP + σw²·NTK′
            k1 = k1.DividedBy(2).TimesInPlace(weightVariance).PlusInPlace(biasVariance);
            k2 = k2.DividedBy(2).TimesInPlace(weightVariance).PlusInPlace(biasVariance);
        }
        return ntk ? tangent : k12;
    }

    /// <summary>The float64 buffers <see cref="ReluBlock"/> computes in, one set per block shape; dispose when done.</summary>
    public sealed class Workspace : IDisposable
    {
        readonly Dictionary<(long, long), Tensor[]> sets = [];

        /// <summary>Four rows × columns buffers (made on first use of the shape).</summary>
        public (Tensor, Tensor, Tensor, Tensor) Buffers(long rows, long columns)
        {
            if (!sets.TryGetValue((rows, columns), out var set))
                sets[(rows, columns)] = set = Enumerable.Range(0, 4).Select(_ => empty(rows, columns, dtype: ScalarType.Float64).DetachFromDisposeScope()).ToArray();
            return (set[0], set[1], set[2], set[3]);
        }

        /// <summary>Frees the buffers.</summary>
        public void Dispose()
        {
            foreach (var t in sets.Values.SelectMany(s => s)) t.Dispose();
            sets.Clear();
        }
    }
}
