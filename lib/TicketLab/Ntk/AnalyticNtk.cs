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
        var k12 = a.mm(b.t()).mul(weightVariance / d).add(biasVariance);
        var k1 = a.pow(2).sum(dim: 1).mul(weightVariance / d).add(biasVariance);
        var k2 = b.pow(2).sum(dim: 1).mul(weightVariance / d).add(biasVariance);
        var ntk = k12.clone();
        for (var l = 1; l < layers; l++)
        {
            var norms = k1.unsqueeze(1).mul(k2.unsqueeze(0)).sqrt();
            var cos = k12.div(norms.clamp_min(1e-300)).clamp(-1, 1);
            var theta = cos.acos();
            var nngpPrime = norms.div(2 * Math.PI).mul(theta.sin().add(theta.neg().add(Math.PI).mul(cos)));
            var ntkPrime = ntk.mul(theta.neg().add(Math.PI)).div(2 * Math.PI);
            k12 = nngpPrime.mul(weightVariance).add(biasVariance);
            ntk = k12.add(ntkPrime.mul(weightVariance));
            // On the diagonal θ = 0: NNGP′ = K/2.
            k1 = k1.div(2).mul(weightVariance).add(biasVariance);
            k2 = k2.div(2).mul(weightVariance).add(biasVariance);
        }
        return (k12.MoveToOuterDisposeScope(), ntk.MoveToOuterDisposeScope());
    }
}
