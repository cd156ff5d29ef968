using Spectre.Console;
using TicketLab.Cli;

// Logs and CI are not terminals; give the summary table room instead of wrapping it at 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

try
{
    return args.FirstOrDefault() switch
    {
        "notebooks" => Commands.Notebooks(args[1..]),
        "embed-data" => Commands.EmbedData(args[1..]),
        "site" => Commands.Site(args[1..]),
        "readme" => Commands.Readme(args[1..]),
        "bench" => Commands.Bench(args[1..]),
        "kernel" => Commands.Kernel(args[1..]),
        "clean" => Commands.Clean(args[1..]),
        "programs" => Commands.Programs(args[1..]),
        "recipes" => Commands.Recipes(args[1..]),
        null or "help" or "--help" or "-h" => Commands.Help(),
        var other => throw new ArgumentException($"unknown command '{other}'; accepted: notebooks, bench, kernel, recipes, readme, site, clean, programs, embed-data, help"),
    };
}
catch (ArgumentException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
    return 64;
}
catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or TicketLab.Data.DatasetNotFoundException)
{
    // Bad or missing inputs and outputs the program cannot fix itself: a message that says what and where, not a stack trace.
    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
    return 1;
}
