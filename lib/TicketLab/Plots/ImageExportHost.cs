using System.Reflection;
using System.Runtime.Loader;
using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// Runs Plotly.NET.ImageExport (and PuppeteerSharp under it) in one load context of its own. Notebook kernels load
/// every referenced assembly into a separate context, so PuppeteerSharp and Microsoft.Extensions.Logging end up
/// loaded twice and ImageExport's calls into them fail with MissingMethodException. Here each of them is loaded once,
/// from this library's folder; only Plotly.NET and its F# dependencies are shared, because the chart crosses over.
/// <para>
/// ImageExport's public renderer launches a browser for every chart and loads plotly.js (4.6 MB) into a new page for
/// it: about 3 s a chart here, nearly all of it start-up. This host launches one browser on first use, loads plotly.js
/// into one page of it once, and draws each chart there with plotly.js's own <c>Plotly.toImage</c> at the requested
/// size and scale, the call ImageExport's page makes. The browser is closed when the process exits (a kernel killed
/// outright leaves it to the operating system). A chart the kept page fails to draw closes the browser (the next chart
/// launches a new one) and is drawn by ImageExport's public call; after two failures in a row every chart is.
/// </para>
/// </summary>
sealed class ImageExportHost : AssemblyLoadContext
{
    static readonly string[] Shared = ["Plotly.NET", "FSharp.Core", "DynamicObj", "Giraffe.ViewEngine", "Fable.Core", "Newtonsoft.Json"];
    readonly string folder;
    readonly object renderer;
    readonly MethodInfo renderPng;
    MethodInfo? launchAsync;
    int failuresInARow;
    object? browser;
    object? page;
    bool exitHooked;
    volatile Task? launchingNow;

    ImageExportHost(string folder) : base("TicketLab.ImageExport", isCollectible: false)
    {
        this.folder = folder;
        var imageExport = LoadFromAssemblyPath(Path.Combine(folder, "Plotly.NET.ImageExport.dll"));
        var rendererType = imageExport.GetType("Plotly.NET.ImageExport.PuppeteerSharpRenderer", throwOnError: true)!;
        renderer = Activator.CreateInstance(rendererType)!;
        renderPng = imageExport.GetType("Plotly.NET.ImageExport.IGenericChartRenderer", throwOnError: true)!.GetMethod("RenderPNG")!;
        Options = imageExport.GetType("Plotly.NET.ImageExport.PuppeteerSharpRendererOptions", throwOnError: true)!;
        var puppeteer = LaunchOptions.GetType().Assembly.GetType("PuppeteerSharp.Puppeteer");
        launchAsync = puppeteer?.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == "LaunchAsync" && m.GetParameters().Length == 2 && m.GetParameters()[0].ParameterType == LaunchOptions.GetType());
    }

    /// <summary>ImageExport's static options class (localBrowserExecutablePath, launchOptions).</summary>
    public Type Options { get; }

    /// <summary>ImageExport's launch options (a PuppeteerSharp LaunchOptions of this context), which the caller fills in.</summary>
    public object LaunchOptions => Options.GetProperty("launchOptions")!.GetValue(null)!;

    /// <summary>How many browsers this host has launched to keep (one in a healthy process).</summary>
    public int Launches { get; private set; }

    /// <summary>How many charts were drawn by ImageExport's public call (a browser each) because the kept page failed.</summary>
    public int Fallbacks { get; private set; }

    /// <summary>Why the kept page last failed, or null.</summary>
    public string? LastKeptFailure { get; private set; }

    /// <summary>Loads ImageExport from the folder of this library.</summary>
    public static ImageExportHost Create() =>
        new(Path.GetDirectoryName(typeof(ImageExportHost).Assembly.Location) ?? AppContext.BaseDirectory);

    /// <summary>Device pixels per CSS pixel of the static PNGs.</summary>
    public const double PngScale = 2.0;

    /// <summary>Draws <paramref name="chart"/> as PNG; returns base64, perhaps as a data URI.</summary>
    public string RenderPng(int width, int height, GenericChart chart)
    {
        if (launchAsync is not null)
        {
            try
            {
                var drawn = RenderInKeptPage(width, height, chart);
                failuresInARow = 0;
                return drawn;
            }
            catch (Exception e)
            {
                // A browser that crashed or hung is replaced for the next chart; after two failures in a row the kept page is
                // given up for the rest of the process, so a broken browser costs each chart one try, not a launch each.
                LastKeptFailure = e.GetBaseException().Message.Split('\n')[0];
                CloseBrowser();
                if (++failuresInARow >= 2) launchAsync = null;
            }
        }
        Fallbacks++;
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

    /// <summary>
    /// Launches the kept browser and loads plotly.js into its page now, so that the first chart draws at once: about 4 s
    /// that a notebook otherwise waits for at its first chart. A failure here closes the browser and is not counted as
    /// a chart's failure; the first chart then launches as it would have.
    /// </summary>
    /// <returns>Why the browser or its page did not open, or null when they did (or there is nothing to prepare).</returns>
    public string? Prepare()
    {
        if (launchAsync is null || page is not null) return null;
        try
        {
            OpenKeptPage();
            return null;
        }
        catch (Exception e)
        {
            LastKeptFailure = (e is TargetInvocationException { InnerException: { } inner } ? inner : e).GetBaseException().Message.Split('\n')[0];
            CloseBrowser();
            return LastKeptFailure;
        }
    }

    string RenderInKeptPage(int width, int height, GenericChart chart)
    {
        try
        {
            OpenKeptPage();
            var script = $"Plotly.toImage({GenericChart.toFigureJson(chart)}, {{format: 'png', width: {width}, height: {height}, scale: {PngScale.ToString(System.Globalization.CultureInfo.InvariantCulture)}}})";
            var evaluate = page!.GetType().GetMethods().Single(m => m.Name == "EvaluateExpressionAsync" && m.IsGenericMethodDefinition && m.GetParameters().Length == 1)
                .MakeGenericMethod(typeof(string));
            return (string)Await(evaluate.Invoke(page, [script])!, TimeSpan.FromSeconds(60))!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>The kept browser and its page with plotly.js loaded, launched and opened if they are not yet.</summary>
    void OpenKeptPage()
    {
        if (page is null)
        {
            if (browser is null)
            {
                if (!exitHooked)
                {
                    // Hooked before the first launch: a process that exits while the browser is still starting (the warm-up
                    // runs beside the first cells) waits a little for the launch and closes what it started.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                    {
                        if (launchingNow is { } pending && pending.Wait(TimeSpan.FromSeconds(5)) && pending.Status == TaskStatus.RanToCompletion)
                            Close(pending.GetType().GetProperty("Result")!.GetValue(pending));
                        CloseBrowser();
                    };
                    exitHooked = true;
                }
                var launching = (Task)launchAsync!.Invoke(null, [LaunchOptions, null])!;
                launchingNow = launching;
                try
                {
                    if (!launching.Wait(TimeSpan.FromSeconds(60)))
                    {
                        // A launch that ends after all is closed then, not left running.
                        launching.ContinueWith(t => Close(t.Status == TaskStatus.RanToCompletion ? t.GetType().GetProperty("Result")!.GetValue(t) : null), TaskScheduler.Default);
                        throw new TimeoutException("the browser did not start within 60 s");
                    }
                    browser = launching.GetType().GetProperty("Result")!.GetValue(launching)!;
                }
                finally
                {
                    launchingNow = null;
                }
                Launches++;
            }
            var opened = Await(Call(browser, "NewPageAsync", "CreatePageOptions", [null]), TimeSpan.FromSeconds(60))!;
            // plotly.js from Plotly.NET's own copy, as ImageExport's page has it; nothing is fetched.
            Await(Call(opened, "SetContentAsync", "NavigationOptions", ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>" + PlotlyJs.Source
                + "</script></head><body></body></html>", null]), TimeSpan.FromSeconds(60));
            page = opened;
        }
    }

    /// <summary>Calls the method <paramref name="name"/> whose last parameter's type is named <paramref name="lastParameterType"/> (PuppeteerSharp has overloads of equal length).</summary>
    static object Call(object target, string name, string lastParameterType, object?[] arguments) =>
        target.GetType().GetMethods().First(m => m.Name == name && !m.IsGenericMethodDefinition && m.GetParameters() is { } p && p.Length == arguments.Length
            && p[^1].ParameterType.Name == lastParameterType).Invoke(target, arguments)!;

    /// <summary>Waits for a Task (of a PuppeteerSharp call) and returns its result, if it has one.</summary>
    static object? Await(object task, TimeSpan timeout)
    {
        var running = (Task)task;
        if (!running.Wait(timeout)) throw new TimeoutException($"the kept browser did not answer within {timeout.TotalSeconds:0} s");
        return running.GetType().IsGenericType ? running.GetType().GetProperty("Result")!.GetValue(running) : null;
    }

    /// <summary>Closes the kept browser (and its processes), if one is open.</summary>
    public void CloseBrowser()
    {
        page = null;
        var open = browser;
        browser = null;
        Close(open);
    }

    static void Close(object? open)
    {
        if (open is null) return;
        System.Diagnostics.Process? process = null;
        try
        {
            process = open.GetType().GetProperty("Process")?.GetValue(open) as System.Diagnostics.Process;
        }
        catch (Exception)
        {
            // No process to kill: the browser's own close below still runs.
        }
        try
        {
            if (open is IAsyncDisposable disposable) disposable.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Closing is best effort: the process is going away, or the browser already has.
        }
        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            // Already gone.
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
