using System.Diagnostics;
using TicketLab.Setup;

namespace TicketLab.Tests.Setup;

public class ElfVersionPatchTests
{
    static string ShippedLibrary()
    {
        var path = TorchRuntime.LinuxLibTorchSharp();
        Assert.True(path is not null, "no Linux build of LibTorchSharp beside TorchSharp.dll or in the library's folder");
        return path!;
    }

    [Fact]
    public void Marks_exactly_the_named_requirement_weak_and_is_idempotent()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var temp = TestSetup.Temp();
        var copy = temp["lib.so"];
        File.Copy(ShippedLibrary(), copy);
        ElfVersionPatch.ClearWeak(copy, TorchRuntime.RelaxableVersion);
        var before = File.ReadAllBytes(copy);
        var requirements = ElfVersionPatch.Requirements(copy);
        Assert.Contains(requirements, r => r.Name == TorchRuntime.RelaxableVersion && !r.Weak);
        Assert.Contains(requirements, r => r.Name == "GLIBC_2.2.5");

        Assert.Equal(ElfVersionPatch.Outcome.Patched, ElfVersionPatch.MarkWeak(copy, TorchRuntime.RelaxableVersion));
        var after = File.ReadAllBytes(copy);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(before[changed[0]] | 0x2, after[changed[0]]);
        Assert.All(ElfVersionPatch.Requirements(copy), r => Assert.Equal(r.Name == TorchRuntime.RelaxableVersion, r.Weak));

        Assert.Equal(ElfVersionPatch.Outcome.AlreadyWeak, ElfVersionPatch.MarkWeak(copy, TorchRuntime.RelaxableVersion));
        Assert.Equal(after, File.ReadAllBytes(copy));
        Assert.Equal(ElfVersionPatch.Outcome.NotRequired, ElfVersionPatch.MarkWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Readelf_agrees_that_the_requirement_is_weak()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/readelf")) return;
        using var temp = TestSetup.Temp();
        var copy = temp["lib.so"];
        File.Copy(ShippedLibrary(), copy);
        ElfVersionPatch.MarkWeak(copy, TorchRuntime.RelaxableVersion);
        var process = Process.Start(new ProcessStartInfo("/usr/bin/readelf", ["-V", "-W", copy]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').Single(l => l.Contains("Name: " + TorchRuntime.RelaxableVersion));
        Assert.Contains("Flags: WEAK", line);
        Assert.DoesNotContain(output.Split('\n'), l => l.Contains("Name: GLIBCXX_3.4.30") && l.Contains("WEAK"));
    }

    [Fact]
    public void Rejects_files_that_are_not_elf()
    {
        using var temp = TestSetup.Temp();
        File.WriteAllText(temp["x.so"], "not an elf file at all, but long enough to have a header................");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.MarkWeak(temp["x.so"], "GLIBCXX_3.4.32"));
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void TorchSharp_loads_in_this_process()
    {
        Assert.StartsWith("TorchSharp natives:", TorchRuntime.EnsureLoaded());
        using var t = TorchSharp.torch.ones(3);
        Assert.Equal(3f, t.sum().item<float>());
    }
}
