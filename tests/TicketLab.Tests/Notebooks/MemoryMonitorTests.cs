using System.Diagnostics;
using TicketLab.Cli.Notebooks;

namespace TicketLab.Tests.Notebooks;

public class MemoryMonitorTests
{
    [Fact]
    public void The_peak_counts_memory_held_by_a_child_process()
    {
        if (!OperatingSystem.IsLinux()) return;
        // The started shell holds almost nothing; its child awk holds a 128 MiB string for a second.
        var info = new ProcessStartInfo("sh", ["-c", "awk 'BEGIN { s = \"x\"; while (length(s) < 100000000) s = s s; system(\"sleep 1\"); print length(s) }' > /dev/null; true"]);
        using var process = Process.Start(info)!;
        using var monitor = new MemoryMonitor(process, intervalMilliseconds: 50);
        process.WaitForExit();
        Thread.Sleep(100);
        Assert.InRange(monitor.PeakMb, 120, 1024);
    }

    [Theory]
    [InlineData("1234 (dotnet) S 77 1234 1234 0 -1", 77)]
    [InlineData("1234 (a (b) c) R 5 1 1", 5)]
    [InlineData("", null)]
    [InlineData("1234 (cut", null)]
    [InlineData("1234 (x)", null)]
    [InlineData("1234 (x) S", null)]
    [InlineData("1234 (x) S ?", null)]
    public void The_parent_id_is_read_after_the_command_name_and_a_short_text_gives_none(string stat, int? parent) =>
        Assert.Equal(parent, MemoryMonitor.ParentOf(stat));
}
