using static TorchSharp.torch;

namespace TicketLab.Tests.Reliability;

[Collection("torch")]
public class DrawsTests
{
    [Fact]
    public void Normal_draws_are_randns_values_and_advance_the_generator_the_same()
    {
        long[][] shapes = [[4096, 784], [250, 288], [7], [17], [3, 5], [2, 3, 3, 3], [0, 4]];
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var (plain, drawn) = (new Generator(5), new Generator(5));
            foreach (var shape in shapes)
            {
                using var expected = randn(shape, dtype: dtype, generator: plain);
                using var actual = Draws.Normal(shape, drawn, dtype);
                Assert.Equal(expected.shape, actual.shape);
                Assert.Equal(dtype, actual.dtype);
                Assert.True(expected.eq(actual).all().item<bool>(), $"{string.Join("x", shape)} {dtype}: the values differ");
            }
            // The generators are in the same state after the whole sequence.
            using var next = rand([9], generator: plain);
            using var nextDrawn = rand([9], generator: drawn);
            Assert.True(next.eq(nextDrawn).all().item<bool>());
        }
    }
}
