using TorchSharp;
using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>
/// The SGD and Adam updates of TorchSharp's optimizers, op for op (bit-identical results), with every Scalar held alive
/// until the native call that reads it returns. TorchSharp 0.107's own <c>step()</c> passes temporary Scalars (the step
/// size, momentum, betas) to native calls; a Scalar has a finalizer and nothing keeps it reachable during the call, so
/// a garbage collection started by another thread can free it mid-call. LibTorch then fails a type check
/// ("Expected false to be true ... toFloat at c10/core/Scalar.h:140"), which trainings running side by side hit a few
/// times in a hundred runs. The optimizer object still holds the parameter groups, their options and the learning
/// rates a scheduler sets; only its <c>step()</c> is replaced.
/// </summary>
public sealed class SafeStep : IDisposable
{
    readonly optim.Optimizer optimizer;
    readonly Dictionary<IntPtr, (Tensor First, Tensor? Second, long Steps)> state = [];

    /// <summary>Steps <paramref name="optimizer"/>'s parameters (a TorchSharp SGD or Adam without AMSGrad, maximize or Nesterov).</summary>
    public SafeStep(optim.Optimizer optimizer)
    {
        foreach (var group in optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>())
            switch (group.Options)
            {
                case TorchSharp.Modules.SGD.Options o when o.nesterov == true || o.maximize == true || o.dampening is not (null or 0):
                case TorchSharp.Modules.Adam.Options a when a.amsgrad == true || a.maximize == true:
                    throw new ArgumentException("accepted: SGD (plain or with momentum, no dampening, Nesterov or maximize) or Adam (no AMSGrad or maximize).", nameof(optimizer));
                case TorchSharp.Modules.SGD.Options or TorchSharp.Modules.Adam.Options:
                    break;
                default:
                    throw new ArgumentException($"{optimizer.GetType().Name} is not stepped here; accepted: SGD or Adam.", nameof(optimizer));
            }
        this.optimizer = optimizer;
    }

    /// <summary>One update of every parameter with a gradient, at each group's current learning rate.</summary>
    public void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var group in optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>())
        {
            var lr = group.LearningRate;
            foreach (var param in group.Parameters)
            {
                var grad = param.grad;
                if (grad is null) continue;
                if (group.Options is TorchSharp.Modules.SGD.Options sgd) Sgd(param, grad, lr, sgd.momentum ?? 0, sgd.weight_decay ?? 0);
                else if (group.Options is TorchSharp.Modules.Adam.Options adam) Adam(param, grad, lr, adam.beta1!.Value, adam.beta2!.Value, adam.eps!.Value, adam.weight_decay ?? 0);
            }
        }
    }

    void Sgd(Tensor param, Tensor grad, double lr, double momentum, double weightDecay)
    {
        if (weightDecay != 0)
        {
            using var decay = weightDecay.ToScalar();
            grad = grad.add(param, decay);
        }
        if (momentum != 0)
        {
            if (!state.TryGetValue(param.Handle, out var s))
            {
                var buffer = grad.clone().detach().DetachFromDisposeScope();
                state[param.Handle] = (buffer, null, 0);
                grad = buffer;
            }
            else
            {
                using var m = momentum.ToScalar();
                using var one = 1.0.ToScalar(); // 1 − dampening, dampening 0
                s.First.mul_(m).add_(grad, one);
                grad = s.First;
            }
        }
        using var step = (-lr).ToScalar();
        param.add_(grad, step);
    }

    void Adam(Tensor param, Tensor grad, double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        if (!state.TryGetValue(param.Handle, out var s))
            s = (zeros_like(param).DetachFromDisposeScope(), zeros_like(param).DetachFromDisposeScope(), 0);
        var steps = s.Steps + 1;
        state[param.Handle] = (s.First, s.Second, steps);
        var biasCorrection1 = 1 - Math.Pow(beta1, steps);
        var biasCorrection2 = 1 - Math.Pow(beta2, steps);
        if (weightDecay != 0)
        {
            using var decay = weightDecay.ToScalar();
            grad = grad.add(param, decay);
        }
        using (var b1 = beta1.ToScalar())
        using (var c1 = (1 - beta1).ToScalar())
            s.First.mul_(b1).add_(grad, c1);
        using (var b2 = beta2.ToScalar())
        using (var c2 = (1 - beta2).ToScalar())
            s.Second!.mul_(b2).addcmul_(grad, grad.conj(), c2);
        Tensor denominator;
        using (var root = Math.Sqrt(biasCorrection2).ToScalar())
        using (var epsilon = eps.ToScalar())
            denominator = s.Second!.sqrt().div(root).add_(epsilon);
        using var size = (-(lr / biasCorrection1)).ToScalar();
        param.addcdiv_(s.First, denominator, size);
    }

    /// <summary>Frees the momentum and moment buffers.</summary>
    public void Dispose()
    {
        foreach (var (first, second, _) in state.Values)
        {
            first.Dispose();
            second?.Dispose();
        }
        state.Clear();
    }
}
