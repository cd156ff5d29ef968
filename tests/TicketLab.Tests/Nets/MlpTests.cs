using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Tests.Nets;

[Collection("torch")]
public class MlpTests
{
    [Fact]
    public void Same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        var options = new MlpOptions([20, 16, 3]);
        using var a = new Mlp(options, seed: 7);
        using var b = new Mlp(options, seed: 7);
        using var c = new Mlp(options, seed: 8);
        using var _ = rand(5); // the global generator must not matter
        foreach (var (name, p) in a.named_parameters())
        {
            Assert.True(p.allclose(b.get_parameter(name)!, rtol: 0, atol: 0), $"{name} differs between two nets of seed 7");
        }
        Assert.False(a.Weight(0).allclose(c.Weight(0), rtol: 0, atol: 0));
    }

    [Fact]
    public void Forward_matches_a_hand_computed_two_layer_net()
    {
        using var net = new Mlp(new MlpOptions([2, 2, 1]), seed: 0);
        using (no_grad())
        {
            net.Weight(0).copy_(tensor(new float[,] { { 1, -1 }, { 2, 0.5f } }));
            net.Bias(0).copy_(tensor(new float[] { 0.5f, -10 }));
            net.Weight(1).copy_(tensor(new float[,] { { 3, 4 } }));
            net.Bias(1).copy_(tensor(new float[] { 1 }));
        }
        using var x = tensor(new float[,] { { 2, 1 } });
        // hidden: relu(2-1+0.5)=1.5, relu(4+0.5-10)=0 ; output: 3*1.5 + 4*0 + 1 = 5.5
        Assert.Equal(5.5f, net.forward(x).item<float>(), 5);
        var activations = net.Activations(x);
        Assert.Equal(new[] { 1.5f, 0f }, activations[0].data<float>().ToArray());
    }

    [Theory]
    [InlineData(Parametrization.Standard)]
    [InlineData(Parametrization.Ntk)]
    public void Output_variance_at_init_stays_order_one_across_widths(Parametrization parametrization)
    {
        var variances = new[] { 64, 512, 4096 }.Select(width => OutputVariance(parametrization, width)).ToArray();
        foreach (var v in variances) Assert.InRange(v, 0.2, 5.0);
        Assert.InRange(variances[^1] / variances[0], 0.5, 2.0);
    }

    [Fact]
    public void Mean_field_output_variance_shrinks_like_one_over_width()
    {
        var narrow = OutputVariance(Parametrization.MeanField, 64);
        var wide = OutputVariance(Parametrization.MeanField, 4096);
        // Readout variance ~ BaseWidth/width^2 per weight, so the output variance falls ~64x from width 64 to 4096.
        Assert.InRange(narrow / wide, 20, 200);
    }

    [Fact]
    public void Ntk_and_standard_nets_compute_the_same_function_from_the_same_effective_weights()
    {
        using var standard = new Mlp(new MlpOptions([10, 32, 4]), seed: 3);
        using var ntk = new Mlp(new MlpOptions([10, 32, 4], Parametrization.Ntk), seed: 3);
        using (no_grad())
        {
            for (var l = 0; l < 2; l++)
            {
                ntk.Weight(l).copy_(standard.Weight(l).div(ntk.WeightMultiplier(l)));
            }
        }
        using var x = randn(6, 10, generator: new Generator(1));
        Assert.True(standard.forward(x).allclose(ntk.forward(x), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Mu_p_learning_rate_multipliers_follow_the_table()
    {
        using var net = new Mlp(new MlpOptions([784, 256, 256, 10], Parametrization.MeanField, BaseWidth: 64), seed: 0);
        var sgd = net.LearningRateGroups(adam: false).Select(g => g.LearningRateMultiplier).ToArray();
        // [w0, b0, w1, b1, w2, b2]: input weights and biases x fan_out/base, hidden x1, readout x base/fan_in.
        Assert.Equal(new[] { 4.0, 4.0, 1.0, 4.0, 0.25, 10.0 / 64 }, sgd, new ToleranceComparer(1e-12));
        var adam = net.LearningRateGroups(adam: true).Select(g => g.LearningRateMultiplier).ToArray();
        Assert.Equal(new[] { 1.0, 1.0, 0.25, 1.0, 0.25, 1.0 }, adam, new ToleranceComparer(1e-12));
        using var standard = new Mlp(new MlpOptions([784, 256, 10]), seed: 0);
        Assert.All(standard.LearningRateGroups(adam: false), g => Assert.Equal(1.0, g.LearningRateMultiplier));
    }

    [Fact]
    public void Bad_options_name_the_field_the_value_and_what_is_accepted()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(new MlpOptions([784]), 0));
        Assert.Equal("Widths", e.ParamName);
        Assert.Contains("[784]", e.Message);
        Assert.Contains("accepted", e.Message);
        var w = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpOptions(WeightStd: -1).Validate());
        Assert.Equal("WeightStd", w.ParamName);
        Assert.Contains("-1", w.Message);
        Assert.Equal("Widths", Assert.Throws<ArgumentOutOfRangeException>(() => new MlpOptions([784, 0, 10]).Validate()).ParamName);
    }

    static double OutputVariance(Parametrization parametrization, int width)
    {
        using var scope = NewDisposeScope();
        using var net = new Mlp(new MlpOptions([100, width, width, 1], parametrization), seed: width);
        var x = randn(2000, 100, generator: new Generator(5));
        return net.forward(x).var().item<float>();
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }
}
