using Microsoft.FSharp.Core;
using Plotly.NET;

namespace TicketLab.Plots;

/// <summary>
/// Static PNG copies of charts (what GitHub's notebook viewer and other static renderers show), drawn by
/// Plotly.NET.ImageExport in a local Chromium. Without a Chromium the suite goes on with interactive charts only.
/// </summary>
public static class StaticImages
{
    /// <summary>Environment variable naming the Chromium (or Chrome / Edge) executable to use.</summary>
    public const string Variable = "TICKETLAB_CHROMIUM";

    static readonly string[] UsualPaths =
    [
        "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/snap/bin/chromium",
        "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        @"C:\Program Files\Google\Chrome\Application\chrome.exe", @"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    ];

    static readonly Lazy<string?> Browser = new(Find);
    static readonly Lock Gate = new();
    static ImageExportHost? host;
    static string? lastError;

    /// <summary>The browser used, or null when none was found.</summary>
    public static string? BrowserPath => Browser.Value;

    /// <summary>One line for the setup table: which browser draws the static images, or how to get one.</summary>
    public static string Status => BrowserPath is { } path
        ? $"static chart images drawn by {path}" + (lastError is null ? "" : $" (last failure: {lastError})")
            + (host is { Fallbacks: > 0 } h ? $" ({h.Fallbacks} drawn in a browser each after the kept page failed: {h.LastKeptFailure})" : "")
        : $"no Chromium found (set {Variable} or install one, e.g. 'sudo apt-get install chromium'); charts are interactive only";

    /// <summary>How many browsers were launched to keep, and how many charts were drawn in a browser of their own.</summary>
    public static (int Launches, int Fallbacks) Browsers
    {
        get { lock (Gate) return host is null ? (0, 0) : (host.Launches, host.Fallbacks); }
    }

    /// <summary>The chart as a base64 PNG at the given size, or null when no browser is available or drawing failed.</summary>
    public static string? TryRenderPng(GenericChart chart, int width, int height)
    {
        if (BrowserPath is not { } browser) return null;
        lock (Gate)
        {
            try
            {
                // Offline drawing needs plotly.js inside the page rather than from a CDN.
                var display = new DisplayOptions();
                display.SetProperty("PlotlyJSReference", PlotlyJSReference.Full);
                var offline = Plotly.NET.Chart.withDisplayOptions(display).Invoke(chart);
                var png = Host(browser).RenderPng(width, height, offline);
                var comma = png.IndexOf(',');
                return png.StartsWith("data:", StringComparison.Ordinal) && comma > 0 ? png[(comma + 1)..] : png;
            }
            catch (Exception e)
            {
                lastError = e.GetBaseException().Message.Split('\n')[0];
                return null;
            }
        }
    }

    /// <summary>
    /// Starts the browser that draws the static images, and loads plotly.js into its page, on a thread of its own, so
    /// that a notebook's first chart does not wait about 4 s for it (the setup cell calls this). The first chart waits
    /// for the start if it is still going. Without a browser this does nothing; a failure is reported by <see cref="Status"/>.
    /// <para>
    /// Everything that loads an assembly happens first, on the caller's thread: Plotly.NET and its dependencies (by
    /// writing a small chart's JSON), plotly.js, and the export host. A kernel resolves a notebook's references on its own
    /// thread as cells compile; when a second thread loaded Plotly.NET at the same time, a second copy of it could load,
    /// and every chart of that notebook then failed with MissingMethodException (seen once, in notebook 04). The thread
    /// of its own only launches the browser, inside the export host's own load context.
    /// </para>
    /// </summary>
    public static Task WarmUp()
    {
        if (BrowserPath is not { } browser) return Task.CompletedTask;
        ImageExportHost created;
        lock (Gate)
        {
            try
            {
                _ = GenericChart.toFigureJson(Plotly.NET.CSharp.Chart.Point<double, double, string>([0.0, 1.0], [0.0, 1.0]));
                _ = PlotlyJs.Source;
                created = Host(browser);
            }
            catch (Exception e)
            {
                lastError = e.GetBaseException().Message.Split('\n')[0];
                return Task.CompletedTask;
            }
        }
        return Task.Run(() =>
        {
            lock (Gate)
            {
                // Prepare reports its failure rather than throwing; the first chart then launches as it would have.
                if (created.Prepare() is { } failure) lastError = $"the browser did not start at setup: {failure}";
            }
        });
    }

    /// <summary>The host that draws the charts, created on first use (call under <see cref="Gate"/>).</summary>
    static ImageExportHost Host(string browser)
    {
        if (host is not null) return host;
        var created = ImageExportHost.Create();
        created.Options.GetProperty("localBrowserExecutablePath")!.SetValue(null, FSharpOption<string>.Some(browser));
        var launch = created.LaunchOptions;
        launch.GetType().GetProperty("ExecutablePath")!.SetValue(launch, browser);
        launch.GetType().GetProperty("Headless")!.SetValue(launch, true);
        launch.GetType().GetProperty("Args")!.SetValue(launch, new[]
        {
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        });
        return host = created;
    }

    static string? Find() => Locate(Environment.GetEnvironmentVariable(Variable));

    /// <summary>
    /// The browser <paramref name="named"/> names (the value of TICKETLAB_CHROMIUM), or the first of the usual places when
    /// it is empty. A name that points nowhere, or at a file that is not executable, is an error, not a fall-back.
    /// </summary>
    public static string? Locate(string? named)
    {
        if (string.IsNullOrEmpty(named)) return UsualPaths.FirstOrDefault(File.Exists);
        if (!File.Exists(named)) throw new FileNotFoundException($"{Variable} names '{named}', which does not exist; accepted: the path of a Chromium, Chrome or Edge executable (or unset it to search the usual places).", named);
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(named) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            throw new FileNotFoundException($"{Variable} names '{named}', which is not executable; accepted: the path of a Chromium, Chrome or Edge executable (or unset it to search the usual places).", named);
        return named;
    }
}
