using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace TicketLab.Setup;

/// <summary>
/// Makes TorchSharp's native library loadable before first use. TorchSharp 0.107.0's libLibTorchSharp.so
/// requires GLIBCXX_3.4.32 (only for std::ios_base_library_init, which nothing calls); libstdc++ 12
/// (Debian 12, Ubuntu 22.04) stops at 3.4.30. Where loading fails for exactly that reason, the requirement
/// is marked weak (see <see cref="ElfVersionPatch"/>) and the load retried. Elsewhere nothing is changed.
/// A program built without LibTorch's natives of its own takes them from the helper library's output folder
/// (see <see cref="LibraryNatives"/>), on every platform.
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
        Allocator = KeepFreedMemoryForReuse();
        var shared = LibraryNatives();
        if (shared is not null) ResolveTorchSharpNativesFrom(shared);
        var from = shared is null ? "" : $" from the library's folder ({shared})";
        if (!OperatingSystem.IsLinux())
            return shared is null ? "TorchSharp natives: nothing to prepare on this platform." : $"TorchSharp natives: to be loaded{from}.";
        var candidates = Candidates(shared).Where(File.Exists).Distinct().ToList();
        if (candidates.Count == 0)
            return $"TorchSharp natives: {LibraryFile} not found beside TorchSharp.dll; TorchSharp will search for it itself.";
        var lib = candidates[0];
        string firstError;
        try
        {
            NativeLibrary.Load(lib);
            return $"TorchSharp natives: loaded {Path.GetFileName(lib)} as shipped{from}.";
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
             + $"{Path.GetFileName(lib)} ({outcome}) and loaded it{from}.";
    }

    /// <summary>
    /// The folder of LibTorch's natives for a program that carries none of its own: the CLI, the benchmarks, the tests and
    /// the notebooks' plain C# programs name the helper library's output folder in their runtimeconfig.json
    /// (<see cref="LibraryFolderKey"/>, written by the build: see Directory.Build.targets), whose runtimes/&lt;rid&gt;/native
    /// holds the one copy. Null where TorchSharp.dll has the natives beside it (the library's own folder, a notebook kernel).
    /// </summary>
    public static string? LibraryNatives()
    {
        if (AppContext.GetData(LibraryFolderKey) is not string { Length: > 0 } relative) return null;
        var folder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, relative));
        var natives = Path.Combine(folder, "runtimes", NativeRid, "native");
        if (!Directory.Exists(natives))
            throw new DllNotFoundException(
                $"LibTorch's natives are not in the helper library's output folder '{natives}' (this program's runtimeconfig.json names "
                + "it): build lib/TicketLab in the same configuration as this program (dotnet build of the program does that).");
        return natives;
    }

    /// <summary>The runtimeconfig.json property that names the helper library's output folder, relative to the program's folder.</summary>
    public const string LibraryFolderKey = "TicketLab.LibraryFolder";

    /// <summary>
    /// Answers TorchSharp's requests for its natives ("LibTorchSharp", "torch_cpu") that the runtime's own probing does not
    /// find, from <paramref name="folder"/>: by full path, as the runtime loads a program's own natives, so that each finds
    /// its dependencies beside it.
    /// </summary>
    static void ResolveTorchSharpNativesFrom(string folder)
    {
        var torchSharp = typeof(TorchSharp.torch).Assembly;
        var context = AssemblyLoadContext.GetLoadContext(torchSharp) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (assembly, name) =>
        {
            if (assembly != torchSharp) return IntPtr.Zero;
            foreach (var file in PlatformFileNames(name))
            {
                var path = Path.Combine(folder, file);
                if (File.Exists(path)) return NativeLibrary.Load(path);
            }
            return IntPtr.Zero;
        };
    }

    static IEnumerable<string> PlatformFileNames(string name) =>
        OperatingSystem.IsWindows() ? [name, name + ".dll"]
        : OperatingSystem.IsMacOS() ? [name, $"lib{name}.dylib", name + ".dylib"]
        : [name, $"lib{name}.so", name + ".so"];

    /// <summary>The runtime identifier of LibTorch's native folder on this machine (runtimes/&lt;rid&gt;/native).</summary>
    static string NativeRid
    {
        get
        {
            var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            var arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                _ => "x64",
            };
            return $"{os}-{arch}";
        }
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

    /// <summary>What <see cref="KeepFreedMemoryForReuse"/> did, for the session line and the tests.</summary>
    public static string Allocator { get; private set; } = "not yet set";

    /// <summary>Whether all three allocator options were set.</summary>
    public static bool AllocatorTuned { get; private set; }

    /// <summary>Set to <c>system</c>, leaves the C library's allocator at its defaults (to compare, or where the options misbehave).</summary>
    public const string AllocatorVariable = "TICKETLAB_ALLOCATOR";

    /// <summary>The mmap threshold set: glibc's largest (half its 64 MB arena heap).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>The trim threshold set: free memory at the top of a heap is returned to the system only beyond this.</summary>
    public const int TrimThresholdBytes = 1 << 30;

    /// <summary>The top pad set: glibc's heap size for threads other than the main one (64 MB), so such a heap, once made, is kept.</summary>
    public const int TopPadBytes = 64 << 20;

    /// <summary>
    /// LibTorch's CPU allocator takes every tensor from malloc and gives it back at once. glibc's defaults then serve a
    /// tensor of a few megabytes with a fresh mmap and return it with munmap, or trim the heap top after it, so the next
    /// batch's tensor of the same size is paged in again, 4 KB at a time: a 128 x 32 x 32 x 32 activation (16 MB) costs
    /// about 4,000 page faults each time. Notebook 04's first convolution ran at 2 GFLOP/s instead of 80 for that
    /// reason, and a convnet training step on one thread took 200 ms instead of 95. Here glibc keeps blocks up to 32 MB in
    /// its heaps and keeps up to 1 GB of freed memory for reuse (mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; setting
    /// either alone makes things worse, as it turns off glibc's own adjustment of the other). Threads other than the main
    /// one (a notebook kernel's cells, trainings side by side) allocate from heaps of at most 64 MB, and glibc unmaps such a
    /// heap whenever it is empty whatever the trim threshold, so a step whose tensors span several heaps still paged in
    /// about 10,000 pages: a top pad of one whole heap (M_TOP_PAD) keeps them (14 faults a step on such a thread in a
    /// probe). The price: the process keeps each heap's peak (each thread's 64 MB heaps once made, up to 1 GB free at the top
    /// of the main one) instead of shrinking after it, so its resident memory stays near the peak it reached. Only glibc on
    /// Linux; other C libraries and systems are left as they are, as they are with TICKETLAB_ALLOCATOR=system. The numbers
    /// computed do not change, only where their memory comes from.
    /// </summary>
    static string KeepFreedMemoryForReuse()
    {
        if (!OperatingSystem.IsLinux()) return "system allocator as is (not Linux)";
        if (string.Equals(Environment.GetEnvironmentVariable(AllocatorVariable), "system", StringComparison.OrdinalIgnoreCase))
            return $"the C library's defaults ({AllocatorVariable}=system)";
        try
        {
            var version = Marshal.PtrToStringAnsi(GlibcVersion()) ?? "?";
            // The mmap threshold first: it is the one a 32-bit glibc refuses (its largest is 16 MB there), and nothing is set then.
            if (MallocOption(MmapThreshold, MmapThresholdBytes) != 1)
                return $"glibc {version} refused an mmap threshold of {MmapThresholdBytes >> 20} MB; allocator as is";
            if (MallocOption(MTrimThreshold, TrimThresholdBytes) != 1 || MallocOption(MTopPad, TopPadBytes) != 1)
                return $"glibc {version} refused the trim threshold or the top pad; only the mmap threshold is set";
            AllocatorTuned = true;
            return $"glibc {version}: blocks up to {MmapThresholdBytes >> 20} MB from the heap, up to {TrimThresholdBytes >> 20} MB of freed memory kept for reuse, heaps of {TopPadBytes >> 20} MB kept once made";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "allocator as is (not glibc)";
        }
    }

    const int MTrimThreshold = -1, MTopPad = -2, MmapThreshold = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallocOption(int parameter, int value);

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    static extern IntPtr GlibcVersion();

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetNativeEnvironment(string name, string value, int overwrite);

    static IEnumerable<string> Candidates(string? shared)
    {
        var rid = NativeRid;
        var dirs = new List<string>();
        if (shared is not null) dirs.Add(shared);
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

    /// <summary>The LibTorchSharp library this process loads (or would load) on Linux; null where none is found.</summary>
    public static string? LinuxLibTorchSharp() => Candidates(LibraryNatives()).FirstOrDefault(File.Exists);
}
