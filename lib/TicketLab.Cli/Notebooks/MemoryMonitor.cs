using System.Diagnostics;

namespace TicketLab.Cli.Notebooks;

/// <summary>
/// Samples the resident memory of a process and all its descendants (the notebook host, which holds the kernel) while it
/// runs, and keeps the largest total. Linux reads /proc; elsewhere the started process's own peak working set is used.
/// </summary>
public sealed class MemoryMonitor : IDisposable
{
    readonly Process root;
    readonly Timer timer;
    readonly Lock gate = new();
    long peakBytes;

    /// <summary>Starts sampling <paramref name="process"/> every <paramref name="intervalMilliseconds"/>.</summary>
    public MemoryMonitor(Process process, int intervalMilliseconds = 250)
    {
        root = process;
        timer = new Timer(_ => Sample(), null, 0, intervalMilliseconds);
    }

    /// <summary>The largest total resident memory seen, in MiB.</summary>
    public double PeakMb
    {
        get
        {
            lock (gate) return peakBytes / (1024.0 * 1024.0);
        }
    }

    void Sample()
    {
        try
        {
            var bytes = OperatingSystem.IsLinux() ? TreeResidentBytes(root.Id) : root.HasExited ? 0 : root.PeakWorkingSet64;
            lock (gate) peakBytes = Math.Max(peakBytes, bytes);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or FormatException
                                   or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // The process tree changed while it was read (a process that ends mid-read can leave a short or empty file);
            // the next sample will see it. This runs on a timer thread, where an exception would end the whole process.
        }
    }

    /// <summary>Sum of VmRSS over <paramref name="pid"/> and its descendants.</summary>
    static long TreeResidentBytes(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var id)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (ParentOf(stat) is not { } parent) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(id);
        }
        long total = 0;
        var pending = new Stack<int>([pid]);
        while (pending.Count > 0)
        {
            var id = pending.Pop();
            total += ResidentBytes(id);
            if (children.TryGetValue(id, out var list)) foreach (var child in list) pending.Push(child);
        }
        return total;
    }

    /// <summary>
    /// The parent process id in the text of /proc/PID/stat: field 4, after the command name, which is in parentheses and may
    /// contain spaces and parentheses. Null for a text that does not hold one (a process that ended while it was read).
    /// </summary>
    public static int? ParentOf(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length) return null;
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length >= 2 && int.TryParse(fields[1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parent)
            ? parent : null;
    }

    static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.TryParse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var kb)
                        ? kb * 1024 : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Exited between listing and reading.
        }
        return 0;
    }

    /// <summary>Takes a last sample and stops.</summary>
    public void Dispose()
    {
        timer.Dispose();
    }
}
