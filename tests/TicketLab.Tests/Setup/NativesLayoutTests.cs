using System.Text.Json.Nodes;
using TicketLab.Setup;

namespace TicketLab.Tests.Setup;

/// <summary>
/// LibTorch's natives are copied once, into the helper library's output folder (Directory.Build.targets): this test
/// program, like the CLI and the notebooks' plain C# programs, carries none and loads them from there.
/// </summary>
public class NativesLayoutTests
{
    static readonly string Output = AppContext.BaseDirectory;

    [Fact]
    public void The_test_program_names_the_library_folder_and_carries_no_LibTorch_of_its_own()
    {
        var natives = TorchRuntime.LibraryNatives();
        Assert.True(natives is not null, $"{TorchRuntime.LibraryFolderKey} is not set in this program's runtimeconfig.json");
        var library = Path.GetFullPath(Path.Combine(natives!, "..", "..", ".."));
        Assert.True(File.Exists(Path.Combine(library, "TicketLab.dll")), $"{library} is not the library's output folder");
        Assert.StartsWith(Path.Combine(ProjectPaths.Root, "lib", "TicketLab", "bin") + Path.DirectorySeparatorChar, library, StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(natives!), f => Path.GetFileName(f).Contains("torch_cpu", StringComparison.Ordinal));

        var own = Directory.Exists(Path.Combine(Output, "runtimes"))
            ? Directory.GetFiles(Path.Combine(Output, "runtimes"), "*", SearchOption.AllDirectories)
            : [];
        Assert.DoesNotContain(own, f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Directory.GetFiles(Output), f => Path.GetFileName(f).Contains("torch_cpu", StringComparison.Ordinal));
    }

    [Fact]
    public void The_deps_file_lists_no_LibTorch_asset()
    {
        var deps = Directory.GetFiles(Output, "TicketLab.Tests.deps.json").Single();
        var targets = JsonNode.Parse(File.ReadAllText(deps))!["targets"]!.AsObject().Single().Value!.AsObject();
        var listed = targets
            .Where(t => t.Key.StartsWith("libtorch-", StringComparison.Ordinal) || t.Key.StartsWith("TorchSharp/", StringComparison.Ordinal))
            .SelectMany(t => new[] { "native", "runtimeTargets" }.SelectMany(kind => t.Value?[kind]?.AsObject().Select(a => a.Key) ?? []))
            .ToList();
        Assert.True(listed.Count == 0, "LibTorch assets listed in the deps file: " + string.Join(", ", listed));
    }

    [Fact]
    public void TorchSharp_loads_from_the_library_folder()
    {
        Assert.Contains("from the library's folder", TorchRuntime.EnsureLoaded());
        using var t = TorchSharp.torch.arange(4);
        Assert.Equal(6L, t.sum().item<long>());
    }
}
