using TicketLab.Plots;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace TicketLab.Tests.Plots;

public class StaticImagesTests
{
    [Fact]
    public void Charts_are_drawn_in_one_kept_browser_at_twice_their_size()
    {
        Assert.True(StaticImages.BrowserPath is not null, $"the static images need Chromium: {StaticImages.Status}");
        var before = StaticImages.Browsers;
        foreach (var (width, height) in new[] { (300, 200), (420, 260), (300, 200) })
        {
            var chart = CSharpChart.Line<double, double, string>([0.0, 1.0, 2.0], [1.0, 0.0, width / 100.0]);
            var png = Convert.FromBase64String(StaticImages.TryRenderPng(chart, width, height) ?? throw new Xunit.Sdk.XunitException(StaticImages.Status));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            // The IHDR chunk: width and height, big-endian, at bytes 16 and 20.
            Assert.Equal(width * 2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(height * 2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        }
        var after = StaticImages.Browsers;
        // At most one launch (none when an earlier test of this process already opened the browser), and no chart drawn
        // the slow way, in a browser of its own.
        Assert.InRange(after.Launches - before.Launches, 0, 1);
        Assert.Equal(before.Fallbacks, after.Fallbacks);
    }

    [Fact]
    public async Task The_warm_up_opens_the_kept_browser_so_that_the_next_chart_launches_none()
    {
        Assert.True(StaticImages.BrowserPath is not null, $"the static images need Chromium: {StaticImages.Status}");
        await StaticImages.WarmUp().WaitAsync(TimeSpan.FromSeconds(120));
        var warm = StaticImages.Browsers;
        Assert.True(warm.Launches >= 1, $"no browser was launched: {StaticImages.Status}");
        await StaticImages.WarmUp().WaitAsync(TimeSpan.FromSeconds(10)); // the browser is open: nothing to wait for
        var chart = CSharpChart.Line<double, double, string>([0.0, 1.0], [1.0, 0.0]);
        Assert.NotNull(StaticImages.TryRenderPng(chart, 200, 100));
        Assert.Equal(warm, StaticImages.Browsers);
    }
}
