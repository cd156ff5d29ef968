using System.Reflection;
using System.Runtime.Loader;
using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Training;
using TorchSharp;

namespace TicketLab.Setup;

/// <summary>What <see cref="Lab.Start"/> prepared: shown as a table at the top of every notebook.</summary>
/// <param name="Profile">quick or full (from TICKETLAB_PROFILE).</param>
/// <param name="Seed">The global seed.</param>
/// <param name="Device">The compute device.</param>
/// <param name="TorchSharp">TorchSharp version and LibTorch threads.</param>
/// <param name="Natives">What was done to load LibTorch's native library.</param>
/// <param name="Plotting">What was done so Plotly.NET loads.</param>
/// <param name="StaticImages">Which browser draws the static copies of charts (or how to get one).</param>
/// <param name="Tables">How the library's records are displayed (formatters registered with the kernel).</param>
public sealed record LabSession(Profile Profile, long Seed, string Device, string TorchSharp, string Natives, string Plotting, string StaticImages, string Tables)
{
    /// <summary>Test images per class on which notebooks 01-03 score units (the same images everywhere, so their curves share a plot).</summary>
    public int EvaluationPerClass => Profile.Choose(100, 200);

    /// <summary>The baseline of this profile (notebook 00 trains it; 01-03 load it).</summary>
    public BaselineConfig Baseline() => BaselineConfig.For(Profile);

    /// <summary>The quality grid of every density curve: 0.5 to 1 in steps of 0.0025.</summary>
    public double[] QualityGrid() => Density.Grid(0.5, 1.0, 0.0025);

    /// <summary>The first <see cref="EvaluationPerClass"/> test images of each class of <paramref name="data"/>, standardized like its training images.</summary>
    public EvaluationSet EvaluationSet(LabeledData data) => Data.EvaluationSet.FromTest(data, EvaluationPerClass);
}

/// <summary>The one call at the top of every notebook: makes a .NET Interactive kernel ready for the suite.</summary>
public static class Lab
{
    static bool redirectRegistered;

    /// <summary>
    /// Loads TorchSharp's natives (relaxing GLIBCXX_3.4.32 where libstdc++ lacks it), lets Plotly.NET use the kernel's
    /// FSharp.Core, registers the table formatters of the library's records, seeds TorchSharp's global generator, and
    /// starts the browser that draws the static chart images beside the first cells (when one is found). Safe to call again.
    /// </summary>
    public static LabSession Start(long seed = 0, string device = "cpu")
    {
        var plotting = RedirectFSharpCore();
        var natives = $"{TorchRuntime.EnsureLoaded()} Allocator: {TorchRuntime.Allocator}.";
        var dev = Training.Devices.Parse(device);
        torch.manual_seed(seed);
        if (IntraOpThreads.Configured is { } threads) torch.set_num_threads(threads);
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "?";
        // The browser that draws the static chart images starts now, beside the first cells, not at the first chart.
        _ = Plots.StaticImages.WarmUp();
        return new LabSession(Profile.Current, seed, dev.ToString(), $"TorchSharp {version}, {torch.get_num_threads()} threads, small training steps on {IntraOpThreads.SmallStepThreads}", natives, plotting,
            Plots.StaticImages.Status, Plots.RecordFormatters.Register());
    }

    /// <summary>
    /// Plotly.NET 6 is built against FSharp.Core 10.1; notebook kernels ship an older FSharp.Core and a second copy
    /// cannot load beside it. This answers requests for FSharp.Core with the copy already loaded.
    /// </summary>
    public static string RedirectFSharpCore()
    {
        var loaded = LoadedFSharpCore();
        if (loaded is null) return "Plotly.NET: FSharp.Core not loaded yet; it will load from the library's folder.";
        lock (typeof(Lab))
        {
            if (!redirectRegistered)
            {
                AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                    new AssemblyName(args.Name).Name == "FSharp.Core" ? LoadedFSharpCore() : null;
                redirectRegistered = true;
            }
        }
        return $"Plotly.NET: FSharp.Core requests go to the loaded {loaded.GetName().Version}.";
    }

    static Assembly? LoadedFSharpCore() =>
        AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
        ?? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
}
