using System.Runtime.CompilerServices;
using TicketLab.Setup;

namespace TicketLab.Tests;

/// <summary>Prepares the test process as Lab.Start prepares a kernel: TorchSharp's natives must load before any tensor.</summary>
static class TestSetup
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before every test class
    [ModuleInitializer]
    internal static void LoadTorch() => TorchRuntime.EnsureLoaded();
#pragma warning restore CA2255

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public static TempFolder Temp() => new();
}

sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ticketlab-test-").FullName;
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
