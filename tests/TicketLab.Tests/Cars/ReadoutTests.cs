using TicketLab.Cars;
using TicketLab.Nets;
using static TorchSharp.torch;

namespace TicketLab.Tests.Cars;

public class ReadoutTests
{
    [Fact]
    public void Readout_only_training_starts_from_the_nets_own_readout_whatever_ran_before()
    {
        var options = new ConvNetOptions([4, 8]);
        using var net = new ConvNet(options, seed: 3, readoutOnly: true);
        manual_seed(1);
        using var first = CarStudy.InitialReadout(net);
        manual_seed(2);
        rand(100); // draws from the global generator, as earlier cells may
        using var second = CarStudy.InitialReadout(net);
        Assert.Equal(first.weight!.data<float>().ToArray(), second.weight!.data<float>().ToArray());
        Assert.Equal(first.bias!.data<float>().ToArray(), second.bias!.data<float>().ToArray());
        // On the net's features it computes what the readout-only net computes.
        using var images = randn([5, 3, 32, 32], generator: new Generator(7));
        using var _ = no_grad();
        using var features = net.Features(images);
        using var viaFeatures = first.forward(features);
        using var viaNet = net.forward(images);
        Assert.True(viaFeatures.allclose(viaNet, rtol: 1e-5, atol: 1e-6));
    }
}
