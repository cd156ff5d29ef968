using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// The empirical neural tangent kernel of an <see cref="Mlp"/>, Θ(x, x′) = (1/K) Σ_j ⟨∂f_j(x)/∂θ, ∂f_j(x′)/∂θ⟩ (the trace
/// over the K outputs, so an N x N matrix; Jacot et al. 2018).
/// </summary>
public static class EmpiricalNtk
{
    /// <summary>
    /// Layer by layer from the forward activations a and the backward signals δ (no per-example gradients):
    /// Θ = (1/K) Σ_l ⟨D_l(x), D_l(x′)⟩ ⊙ (m_l² ⟨a_{l−1}(x), a_{l−1}(x′)⟩ + mb_l²), where D_l stacks δ_l for every output
    /// and m_l, mb_l are the layer's weight and bias multipliers. Rows are computed in blocks of
    /// <paramref name="blockSize"/> examples so memory stays bounded. Returns N1 x N2 (float64).
    /// </summary>
    public static Tensor Fast(Mlp net, Tensor x1, Tensor? x2 = null, int blockSize = 256)
    {
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "accepted: at least 1");
        // The layer-wise formula needs whole weight matrices: with a mask each weight's gradient is masked on its own, and the
        // layer's term is no longer a product of two Gram matrices. A pruned net would get a silently wrong kernel.
        var masked = Enumerable.Range(0, net.LayerCount).FirstOrDefault(l => net.Mask(l) is not null, -1);
        if (masked >= 0)
            throw new NotSupportedException($"layer {masked} of the net is pruned (it has a mask); the layer-wise NTK (EmpiricalNtk.Fast) needs dense layers: use EmpiricalNtk.Autograd for a pruned net.");
        CheckInputs(net, x1, nameof(x1));
        if (x2 is not null) CheckInputs(net, x2, nameof(x2));
        using var _ = no_grad();
        var second = x2 ?? x1;
        var n1 = x1.shape[0];
        var n2 = second.shape[0];
        var kernel = zeros(n1, n2, ScalarType.Float64);
        // Signals of the second set, in blocks, are recomputed per block of the first; both bounded by the block size.
        for (long i = 0; i < n1; i += blockSize)
        {
            using var scopeI = NewDisposeScope();
            var (aI, dI) = Signals(net, x1.narrow(0, i, Math.Min(blockSize, n1 - i)));
            for (long j = 0; j < n2; j += blockSize)
            {
                using var scopeJ = NewDisposeScope();
                var (aJ, dJ) = x2 is null && i == j ? (aI, dI) : Signals(net, second.narrow(0, j, Math.Min(blockSize, n2 - j)));
                var block = Combine(net, aI, dI, aJ, dJ);
                kernel.narrow(0, i, block.shape[0]).narrow(1, j, block.shape[1]).copy_(block);
            }
        }
        return kernel;
    }

    /// <summary>
    /// Reference implementation through autograd: one backward pass per example and output, per-example gradient
    /// vectors, then their inner products. O(N·K) backward passes; for tests and the benchmark.
    /// </summary>
    public static Tensor Autograd(Mlp net, Tensor x1, Tensor? x2 = null)
    {
        CheckInputs(net, x1, nameof(x1));
        if (x2 is not null) CheckInputs(net, x2, nameof(x2));
        var parameters = net.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        // One output at a time, so only one N x P Jacobian is alive (P can be hundreds of thousands).
        Tensor Jacobian(Tensor outputs, long j)
        {
            var rows = new List<Tensor>();
            for (long n = 0; n < outputs.shape[0]; n++)
            {
                var grads = TorchSharp.torch.autograd.grad([outputs[n, j]], parameters, retain_graph: true, allow_unused: true);
                rows.Add(cat(grads.Select((g, p) => (g is null || g.IsInvalid ? zeros_like(parameters[p]) : g).flatten().to(ScalarType.Float64)).ToList(), 0));
            }
            return stack(rows);
        }
        using var scope = NewDisposeScope();
        var out1 = net.forward(x1);
        var out2 = x2 is null ? out1 : net.forward(x2);
        var k = out1.shape[1];
        var kernel = zeros(x1.shape[0], (x2 ?? x1).shape[0], ScalarType.Float64);
        for (long j = 0; j < k; j++)
        {
            using var inner = NewDisposeScope();
            var j1 = Jacobian(out1, j);
            var j2 = x2 is null ? j1 : Jacobian(out2, j);
            kernel.add_(j1.mm(j2.t()));
        }
        return kernel.div_(k).MoveToOuterDisposeScope();
    }

    static void CheckInputs(Mlp net, Tensor x, string name)
    {
        var features = net.Options.LayerSizes[0];
        if (x.shape.Length != 2 || x.shape[1] != features)
            throw new ArgumentException($"{name} has shape [{string.Join(", ", x.shape)}]; accepted: N x {features} (the net's input size).", name);
        if (!x.isfinite().all().item<bool>()) throw new ArgumentException($"{name} holds NaN or infinite values; accepted: finite inputs.", name);
    }

    /// <summary>The layer inputs a_{l−1} (N x n_{l−1}) and backward signals D_l (N x K x n_l) of every layer.</summary>
    static (List<Tensor> Inputs, List<Tensor> Deltas) Signals(Mlp net, Tensor x)
    {
        var inputs = new List<Tensor> { x.to(ScalarType.Float64) };
        var preActivations = new List<Tensor>();
        var h = x.to(ScalarType.Float64);
        for (var l = 0; l < net.LayerCount; l++)
        {
            var z = h.mm(net.Weight(l).to(ScalarType.Float64).t()).Times(net.WeightMultiplier(l));
            if (net.BiasMultiplier(l) != 0) z = z.PlusScaled(net.Bias(l).to(ScalarType.Float64), net.BiasMultiplier(l));
            preActivations.Add(z);
            if (l < net.LayerCount - 1)
            {
                h = net.Options.Activation == Activation.Relu ? nn.functional.relu(z) : z.tanh();
                inputs.Add(h);
            }
        }
        var outputs = preActivations[^1].shape[1];
        var n = x.shape[0];
        var deltas = new Tensor[net.LayerCount];
        deltas[^1] = eye(outputs, dtype: ScalarType.Float64).unsqueeze(0).expand(n, outputs, outputs);
        for (var l = net.LayerCount - 2; l >= 0; l--)
        {
            var back = deltas[l + 1].matmul(net.Weight(l + 1).to(ScalarType.Float64)).Times(net.WeightMultiplier(l + 1));
            var slope = net.Options.Activation == Activation.Relu
                ? preActivations[l].Above(0).to(ScalarType.Float64)
                : preActivations[l].tanh().Power(2).neg().Plus(1);
            deltas[l] = back.mul(slope.unsqueeze(1));
        }
        return (inputs, deltas.ToList());
    }

    static Tensor Combine(Mlp net, List<Tensor> aI, List<Tensor> dI, List<Tensor> aJ, List<Tensor> dJ)
    {
        var outputs = dI[^1].shape[1];
        Tensor? kernel = null;
        for (var l = 0; l < net.LayerCount; l++)
        {
            var deltaGram = dI[l].flatten(1).mm(dJ[l].flatten(1).t());
            var inputGram = aI[l].mm(aJ[l].t()).Times(net.WeightMultiplier(l) * net.WeightMultiplier(l));
            var bias = net.BiasMultiplier(l) * net.BiasMultiplier(l);
            var term = deltaGram.mul(inputGram.Plus(bias));
            kernel = kernel is null ? term : kernel.add(term);
        }
        return kernel!.DividedBy(outputs);
    }
}
