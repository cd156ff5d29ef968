using System.Diagnostics;
using System.Text.Json;

namespace TicketLab.Benchmarks;

/// <summary>What the PyTorch peer measured (pytorch_peer.py).</summary>
/// <param name="TorchVersion">torch.__version__.</param>
/// <param name="Blas">The BLAS PyTorch was built against and, on Debian, the library that alternative points to.</param>
/// <param name="Threads">Intra-op threads.</param>
/// <param name="Python">Interpreter version.</param>
/// <param name="StepSeconds">Median seconds of one training step.</param>
/// <param name="MatmulSeconds">Median seconds of one square float32 product.</param>
/// <param name="MatmulSize">Side of the square matrices.</param>
/// <param name="ConvStepSeconds">Median seconds of one training step of notebook 04's convnet (3-32-64-128, batch 128).</param>
public sealed record PeerResult(string TorchVersion, string Blas, int Threads, string Python, double StepSeconds, double MatmulSeconds, int MatmulSize, double ConvStepSeconds = double.NaN);

/// <summary>Finds (or installs) a Python with PyTorch and runs the peer script with the same thread count as TorchSharp.</summary>
public static class PyTorchPeer
{
    /// <summary>The Debian packages of the peer: PyTorch built against the generic BLAS, and OpenBLAS to back it.</summary>
    public const string DebianPackages = "python3-torch libopenblas0-pthread";

    /// <summary>How to get the peer by hand.</summary>
    public static string HowToInstall =>
        $"install PyTorch for the peer: on Debian/Ubuntu 'sudo apt-get install {DebianPackages}' (Debian's build, OpenBLAS), elsewhere 'pip install torch'; "
        + "or point TICKETLAB_PYTHON at a python that can 'import torch'.";

    /// <summary>
    /// Runs the peer, installing Debian's PyTorch first when no Python can import torch, apt-get is there and we are root
    /// and <paramref name="install"/> is set. Returns null with <paramref name="problem"/> saying why when it cannot.
    /// </summary>
    public static PeerResult? Run(int threads, int rounds, bool install, Action<string> log, out string? problem)
    {
        var python = FindPython();
        if (python is null && install && CanInstallWithApt())
        {
            log($"No Python with PyTorch found; installing Debian's {DebianPackages} (apt-get)...");
            if (Exec("apt-get", ["install", "-y", "--no-install-recommends", .. DebianPackages.Split(' ')], TimeSpan.FromMinutes(20)).ExitCode != 0)
            {
                Exec("apt-get", ["update"], TimeSpan.FromMinutes(10));
                Exec("apt-get", ["install", "-y", "--no-install-recommends", .. DebianPackages.Split(' ')], TimeSpan.FromMinutes(20));
            }
            python = FindPython();
        }
        if (python is null)
        {
            problem = "no Python with PyTorch: " + HowToInstall;
            return null;
        }
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_peer.py");
        if (!File.Exists(script))
        {
            problem = $"the peer script is missing from the build output ({script}); rebuild lib/TicketLab.Cli.";
            return null;
        }
        var (exitCode, output, error) = Exec(python, [script, threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), StepBenchmarks.MatmulSize.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(10), new Dictionary<string, string> { ["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (exitCode != 0)
        {
            problem = $"the PyTorch peer ({python}) failed with exit code {exitCode}: {error.Trim()}";
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var root = json.RootElement;
            problem = null;
            return new PeerResult(root.GetProperty("torch_version").GetString()!, root.GetProperty("blas").GetString()!, root.GetProperty("threads").GetInt32(),
                $"{python} {root.GetProperty("python").GetString()}", root.GetProperty("step_seconds").GetDouble(), root.GetProperty("matmul_seconds").GetDouble(),
                root.GetProperty("matmul_size").GetInt32(), root.GetProperty("conv_step_seconds").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            problem = $"the PyTorch peer printed something that is not its JSON result ({e.Message}): {output.Trim()}";
            return null;
        }
    }

    /// <summary>TICKETLAB_PYTHON, then Debian's /usr/bin/python3 (where apt puts torch), then python3 on the PATH: the first that imports torch.</summary>
    static string? FindPython()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("TICKETLAB_PYTHON"), "/usr/bin/python3", "python3", "python" };
        foreach (var candidate in candidates.OfType<string>().Where(c => c.Length > 0))
        {
            try
            {
                if (Exec(candidate, ["-c", "import torch"], TimeSpan.FromMinutes(2)).ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }
        return null;
    }

    static bool CanInstallWithApt() =>
        OperatingSystem.IsLinux() && File.Exists("/usr/bin/apt-get") && Environment.UserName == "root";

    static (int ExitCode, string Output, string Error) Exec(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) info.Environment[k] = v;
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start '{file}'.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"'{file}' ran longer than {timeout.TotalMinutes:0} minutes and was stopped.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
