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
}
