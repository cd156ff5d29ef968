namespace TicketLab;

/// <summary>A one-line description of the machine, for benchmark, timing and long-run records.</summary>
public static class MachineDescription
{
    /// <summary>Processor model, logical cores, operating system.</summary>
    public static string Current => $"{Processor()}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    static string Processor()
    {
        if (File.Exists("/proc/cpuinfo"))
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
