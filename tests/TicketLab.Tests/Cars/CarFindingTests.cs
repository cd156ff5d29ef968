using TicketLab.Cars;
using TicketLab.Nets;

namespace TicketLab.Tests.Cars;

public class CarFindingTests
{
    static string Finding(CarResults r, IReadOnlyList<HalfWidth> halfWidths) =>
        CarResults.FindingOf("a copy", new ConvNetOptions([32, 64, 128]), r.TestAccuracy, r.Layers, r.PairLayers, r.EdgePopup, r.RandomFeatures, halfWidths);

    [Fact]
    public void An_extrapolated_half_width_is_quoted_as_a_power_of_ten_an_interpolated_one_to_two_figures()
    {
        var committed = TicketLab.Results.Read<CarResults>(Path.Combine(ProjectPaths.Root, "notebooks", "results"));
        var block = committed.Layers.Single(r => r.Headline).Layer;
        HalfWidth[] At(double width, bool extrapolated) =>
            [.. committed.HalfWidths.Where(w => w.Block != block), new HalfWidth(block, width, extrapolated ? "extrapolated" : "interpolated", extrapolated, true)];
        // Two runs that differed only in float rounding put the extrapolated width at 78,000 and 230,000: the same power of ten.
        Assert.Contains("at base width of order 10^5 (extrapolated)", Finding(committed, At(78_000, true)));
        Assert.Contains("at base width of order 10^5 (extrapolated)", Finding(committed, At(230_000, true)));
        Assert.Contains("at base width about 31 (interpolated)", Finding(committed, At(31, false)));
    }
}
