using System.Reflection;
using System.Runtime.Loader;
using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// Runs Plotly.NET.ImageExport (and PuppeteerSharp under it) in one load context of its own. Notebook kernels load
/// every referenced assembly into a separate context, so PuppeteerSharp and Microsoft.Extensions.Logging end up
/// loaded twice and ImageExport's calls into them fail with MissingMethodException. Here each of them is loaded once,
/// from this library's folder; only Plotly.NET and its F# dependencies are shared, because the chart crosses over.
/// </summary>
sealed class ImageExportHost : AssemblyLoadContext
{
    static readonly string[] Shared = ["Plotly.NET", "FSharp.Core", "DynamicObj", "Giraffe.ViewEngine", "Fable.Core", "Newtonsoft.Json"];
    readonly string folder;
    readonly object renderer;
    readonly MethodInfo renderPng;

    ImageExportHost(string folder) : base("TicketLab.ImageExport", isCollectible: false)
    {
        this.folder = folder;
        var imageExport = LoadFromAssemblyPath(Path.Combine(folder, "Plotly.NET.ImageExport.dll"));
        var rendererType = imageExport.GetType("Plotly.NET.ImageExport.PuppeteerSharpRenderer", throwOnError: true)!;
        renderer = Activator.CreateInstance(rendererType)!;
        renderPng = imageExport.GetType("Plotly.NET.ImageExport.IGenericChartRenderer", throwOnError: true)!.GetMethod("RenderPNG")!;
        Options = imageExport.GetType("Plotly.NET.ImageExport.PuppeteerSharpRendererOptions", throwOnError: true)!;
    }

    /// <summary>ImageExport's static options class (localBrowserExecutablePath, launchOptions).</summary>
    public Type Options { get; }

    /// <summary>Loads ImageExport from the folder of this library.</summary>
    public static ImageExportHost Create() =>
        new(Path.GetDirectoryName(typeof(ImageExportHost).Assembly.Location) ?? AppContext.BaseDirectory);

    /// <summary>Device pixels per CSS pixel of the static PNGs.</summary>
    public const double PngScale = 2.0;

    /// <summary>Draws <paramref name="chart"/> as PNG; returns what ImageExport returns (base64, perhaps as a data URI).</summary>
    public string RenderPng(int width, int height, GenericChart chart)
    {
        try
        {
            // At 2x, so the static copy stays sharp on high-density screens (its size in CSS pixels is unchanged).
            return (string)renderPng.Invoke(renderer, [width, height, PngScale, chart])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (Shared.Contains(name.Name))
        {
            // The copy the chart's own Plotly.NET uses, wherever the host loaded it.
            var plotly = typeof(GenericChart).Assembly;
            if (name.Name == "Plotly.NET") return plotly;
            var context = GetLoadContext(plotly) ?? Default;
            return context.Assemblies.FirstOrDefault(a => a.GetName().Name == name.Name)
                ?? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name.Name);
        }
        var path = Path.Combine(folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
