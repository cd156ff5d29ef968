using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Training;

[Collection("torch")]
public class SafeStepTests
{
    /// <summary>The same steps through TorchSharp's optimizer.step() and through <see cref="SafeStep"/> give bit-identical weights.</summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd-momentum")]
    [InlineData("adam")]
    public void The_safe_step_is_the_optimizers_own_update_bit_for_bit(string kind)
    {
        float[][] Train(bool safe)
        {
            using var net = new Mlp(new MlpOptions([20, 16, 5]), 3);
            var parameters = net.parameters().ToList();
            // Two groups with different rates, as μP's multipliers make them.
            optim.Optimizer optimizer = kind == "adam"
                ? optim.Adam([new TorchSharp.Modules.Adam.ParamGroup(parameters.Take(2), new TorchSharp.Modules.Adam.Options { LearningRate = 0.01 }),
                              new TorchSharp.Modules.Adam.ParamGroup(parameters.Skip(2), new TorchSharp.Modules.Adam.Options { LearningRate = 0.003 })], 0.01, weight_decay: 1e-3)
                : optim.SGD([new TorchSharp.Modules.SGD.ParamGroup(parameters.Take(2), new TorchSharp.Modules.SGD.Options { LearningRate = 0.1 }),
                             new TorchSharp.Modules.SGD.ParamGroup(parameters.Skip(2), new TorchSharp.Modules.SGD.Options { LearningRate = 0.03 })], 0.1,
                    momentum: kind == "sgd-momentum" ? 0.9 : 0, weight_decay: 1e-4);
            var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, 10);
            using var stepper = new SafeStep(optimizer);
            var generator = new Generator(7);
            for (var step = 0; step < 8; step++)
            {
                using var scope = NewDisposeScope();
                var x = randn([32, 20], generator: generator);
                var y = randint(0, 5, [32], generator: generator);
                optimizer.zero_grad();
                nn.functional.cross_entropy(net.forward(x), y).backward();
                if (safe) stepper.Step();
                else optimizer.step();
                schedule.step();
            }
            var weights = net.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray();
            optimizer.Dispose();
            return weights;
        }
        var own = Train(safe: false);
        var safe = Train(safe: true);
        Assert.Equal(own.Length, safe.Length);
        for (var i = 0; i < own.Length; i++) Assert.Equal(own[i], safe[i]);
    }
}
