using System.Runtime.InteropServices;

namespace TicketLab.Setup;

/// <summary>
/// Makes TorchSharp's native library loadable before first use. TorchSharp 0.107.0's libLibTorchSharp.so
/// requires GLIBCXX_3.4.32 (only for std::ios_base_library_init, which nothing calls); libstdc++ 12
/// (Debian 12, Ubuntu 22.04) stops at 3.4.30. Where loading fails for exactly that reason, the requirement
/// is marked weak (see <see cref="ElfVersionPatch"/>) and the load retried. Elsewhere nothing is changed.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The only version requirement that is known to be safe to relax (no called symbol binds to it).</summary>
    public const string RelaxableVersion = "GLIBCXX_3.4.32";
    const string LibraryFile = "libLibTorchSharp.so";

    static readonly Lock Gate = new();
    static string? status;

    /// <summary>Loads LibTorchSharp (patching it where needed); returns a one-line account of what was done.</summary>
    public static string EnsureLoaded()
    {
        lock (Gate)
        {
            return status ??= Load();
        }
    }

    static string Load()
    {
        PreferPassiveOpenMpWaiting();
        if (!OperatingSystem.IsLinux()) return "TorchSharp natives: nothing to prepare on this platform.";
        var candidates = Candidates().Where(File.Exists).Distinct().ToList();
        if (candidates.Count == 0)
            return $"TorchSharp natives: {LibraryFile} not found beside TorchSharp.dll; TorchSharp will search for it itself.";
        var lib = candidates[0];
        string firstError;
        try
        {
            NativeLibrary.Load(lib);
            return $"TorchSharp natives: loaded {Path.GetFileName(lib)} as shipped.";
        }
        catch (DllNotFoundException e)
        {
            firstError = e.Message;
        }
        if (!firstError.Contains(RelaxableVersion, StringComparison.Ordinal))
            throw new DllNotFoundException(
                $"TorchSharp's native library '{lib}' failed to load for a reason this project cannot repair: {firstError}");
        var outcome = ElfVersionPatch.MarkWeak(lib, RelaxableVersion);
        try
        {
            NativeLibrary.Load(lib);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"TorchSharp's native library '{lib}' still fails to load after marking {RelaxableVersion} weak ({outcome}): {e.Message}");
        }
        return $"TorchSharp natives: this system's libstdc++ lacks {RelaxableVersion}; marked that requirement weak in "
             + $"{Path.GetFileName(lib)} ({outcome}) and loaded it.";
    }

    /// <summary>
    /// OpenMP threads that spin while waiting made steps 10-30x slower at random on a shared 2-core machine;
    /// passive waiting keeps timings steady. Set in the native environment (which libgomp reads when LibTorch
    /// loads) unless the user chose a policy.
    /// </summary>
    static void PreferPassiveOpenMpWaiting()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 }) return;
        Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");
        _ = SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetNativeEnvironment(string name, string value, int overwrite);

    static IEnumerable<string> Candidates()
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var dirs = new List<string>();
        var torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            dirs.Add(torchDir);
            dirs.Add(Path.Combine(torchDir, "runtimes", rid, "native"));
            // NuGet package layout: torchsharp/<v>/lib/<tfm>/TorchSharp.dll beside runtimes/<rid>/native.
            dirs.Add(Path.Combine(torchDir, "..", "..", "runtimes", rid, "native"));
        }
        dirs.Add(AppContext.BaseDirectory);
        dirs.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"));
        return dirs.Select(d => Path.GetFullPath(Path.Combine(d, LibraryFile)));
    }
}
