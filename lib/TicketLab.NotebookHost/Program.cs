using TicketLab.NotebookHost;

// TicketLab.NotebookHost <notebook.ipynb> <executed.ipynb>: runs every code cell in one fresh C# kernel, in this process,
// from the working directory the caller chose (the notebooks' folder: setup.dib and #r paths are relative to it).
// Exit codes: 0 every cell ran, 2 a cell failed (later cells still run, as in an editor's Run All), 64 bad arguments,
// 1 the notebook could not be read or the result written.
if (args.Length != 2 || args.Any(a => a is "-h" or "--help"))
{
    Console.Error.WriteLine("usage: TicketLab.NotebookHost <notebook.ipynb> <executed.ipynb>");
    return args.Any(a => a is "-h" or "--help") ? 0 : 64;
}
var (input, output) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]));
if (!File.Exists(input))
{
    Console.Error.WriteLine($"error: notebook '{args[0]}' does not exist (resolved from {Environment.CurrentDirectory}).");
    return 1;
}
try
{
    var executed = await NotebookExecution.RunAsync(File.ReadAllText(input), Console.Error);
    var temporary = output + $".{Environment.ProcessId}.tmp";
    File.WriteAllText(temporary, executed.Json);
    File.Move(temporary, output, overwrite: true);
    Console.Error.WriteLine($"{Path.GetFileName(input)}: {executed.CodeCells} code cells, {executed.FailedCells.Count} failed" +
        (executed.FailedCells.Count == 0 ? "" : $" (cells {string.Join(", ", executed.FailedCells)})"));
    return executed.FailedCells.Count == 0 ? 0 : 2;
}
catch (Exception e)
{
    // A notebook that cannot be read or saved (cell failures are outputs, not exceptions): say what, never a half-written file.
    Console.Error.WriteLine($"error: {args[0]}: {e.GetType().Name}: {e.Message}");
    return 1;
}
