using TicketLab.Nets;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// The first-order Taylor expansion of an MLP around its initial parameters θ₀ (Lee et al. 2019):
/// f_lin(x; θ) = f(x; θ₀) + J(x)·(θ − θ₀). The Jacobian-vector product is computed by pushing the tangent
/// (θ − θ₀) forward through the layers at θ₀, so the model is linear in θ and trains with the same optimizer.
/// </summary>
public sealed class LinearizedMlp : nn.Module<Tensor, Tensor>, ILearningRateGroups
{
    readonly Mlp reference;
    readonly Tensor[] weights0;
    readonly Tensor[] biases0;
    readonly Parameter[] weights;
    readonly Parameter[] biases;

    /// <summary>
    /// Linearizes <paramref name="net"/> at its current parameters (copied; the net itself is not changed). A
    /// <paramref name="centered"/> model leaves out f(x; θ₀) and is just J(x)(θ − θ₀), matching a net trained as f − f₀.
    /// </summary>
    public LinearizedMlp(Mlp net, bool centered = false) : base("LinearizedMlp")
    {
        Centered = centered;
        reference = net;
        var layers = net.LayerCount;
        weights0 = new Tensor[layers];
        biases0 = new Tensor[layers];
        weights = new Parameter[layers];
        biases = new Parameter[layers];
        for (var l = 0; l < layers; l++)
        {
            weights0[l] = net.Weight(l).detach().clone();
            biases0[l] = net.Bias(l).detach().clone();
            weights[l] = new Parameter(weights0[l].clone(), requires_grad: true);
            biases[l] = new Parameter(biases0[l].clone(), requires_grad: true);
            register_parameter($"weight{l}", weights[l]);
            register_parameter($"bias{l}", biases[l]);
        }
    }

    /// <summary>Whether f(x; θ₀) is left out.</summary>
    public bool Centered { get; }

    /// <summary>f(x; θ₀) + J(x)(θ − θ₀), or only J(x)(θ − θ₀) when centered.</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor h0 = input;
        Tensor? tangent = null;
        for (var l = 0; l < weights.Length; l++)
        {
            var m = reference.WeightMultiplier(l);
            var mb = reference.BiasMultiplier(l);
            Tensor z0;
            using (no_grad())
            {
                z0 = nn.functional.linear(h0, weights0[l]).Times(m);
                if (mb != 0) z0 = z0.PlusScaled(biases0[l], mb);
            }
            // Tangent: m·(ΔW a₀ + W₀ ȧ) + mb·Δb.
            var dz = nn.functional.linear(h0, weights[l].sub(weights0[l])).Times(m);
            if (tangent is not null) dz = dz.add(nn.functional.linear(tangent, weights0[l]).Times(m));
            if (mb != 0) dz = dz.PlusScaled(biases[l].sub(biases0[l]), mb);
            if (l == weights.Length - 1) return Centered ? dz : z0.add(dz);
            Tensor slope;
            using (no_grad())
            {
                slope = reference.Options.Activation == Activation.Relu ? z0.Above(0).to(z0.dtype) : z0.tanh().Power(2).neg().Plus(1);
                h0 = reference.Options.Activation == Activation.Relu ? nn.functional.relu(z0) : z0.tanh();
            }
            tangent = dz.mul(slope);
        }
        throw new InvalidOperationException("a net has at least one layer.");
    }

    /// <summary>The same per-tensor multipliers as the network it linearizes.</summary>
    public IReadOnlyList<(Parameter Parameter, double LearningRateMultiplier)> LearningRateGroups(bool adam)
    {
        var original = reference.LearningRateGroups(adam);
        return original.Select((g, i) => (i % 2 == 0 ? weights[i / 2] : biases[i / 2], g.LearningRateMultiplier)).ToList();
    }
}
