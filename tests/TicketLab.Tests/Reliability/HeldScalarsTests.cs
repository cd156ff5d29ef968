using static TorchSharp.torch;

namespace TicketLab.Tests.Reliability;

[Collection("torch")]
public class HeldScalarsTests
{
    [Fact]
    public void Held_scalar_operations_give_the_plain_calls_values()
    {
        using var x = randn([5, 7], generator: new Generator(3));
        using var other = randn([5, 7], generator: new Generator(4));
        using var index = tensor(new long[] { 0, 3 });
        void Same(Tensor expected, Tensor actual) => Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
        Same(x.mul(0.37), x.Times(0.37));
        Same(x.clone().mul_(1.9), x.clone().TimesInPlace(1.9));
        Same(x.add(1), x.Plus(1));
        Same(x.clone().sub_(0.25), x.clone().MinusInPlace(0.25));
        Same(x.add(other, alpha: 0.5), x.PlusScaled(other, 0.5));
        Same(x.pow(2), x.Power(2));
        Assert.Equal(x.gt(0.1).data<bool>().ToArray(), x.Above(0.1).data<bool>().ToArray());
        Same(x.clone().index_fill_(0, index, 2.0), x.clone().FillAt(0, index, 2.0));
        Same(full_like(x, -1), HeldScalars.FullLike(x, -1));
        Same(x.div(2 * Math.PI), x.DividedBy(2 * Math.PI));
        Same(x.clamp_min(0.2), x.AtLeast(0.2));
        Same(x.clamp(-0.5, 0.5), x.Clamped(-0.5, 0.5));
        Same(x.clone().add_(Math.PI), x.clone().PlusInPlace(Math.PI));
        Same(x.sub(1.0 / 3), x.Minus(1.0 / 3));
        Same(x.clone().div_(255.0), x.clone().DividedByInPlace(255.0));
        Assert.Equal(x.le(0).data<bool>().ToArray(), x.AtMost(0).data<bool>().ToArray());
        Same(x.clone().clamp_min_(1e-3), x.clone().AtLeastInPlace(1e-3));
        Same(x.clone().clamp_(-1, 1), x.clone().ClampedInPlace(-1, 1));
        using var labels = tensor(new long[] { 0, 3, 1, 3, 2 });
        Assert.Equal(labels.eq(3).data<bool>().ToArray(), labels.EqualTo(3).data<bool>().ToArray());
    }
}
