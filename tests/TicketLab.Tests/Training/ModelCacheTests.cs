using TicketLab.Nets;
using TicketLab.Training;

namespace TicketLab.Tests.Training;

[Collection("torch")]
public class ModelCacheTests
{
    static readonly MlpOptions Net = new([12, 8, 3]);

    [Fact]
    public void Saved_nets_load_back_identical_and_a_corrupt_file_is_reported_not_read()
    {
        var key = ModelCache.Key(new { test = Guid.NewGuid() });
        try
        {
            using var net = new Mlp(Net, seed: 5);
            ModelCache.Save(key, new Dictionary<string, Mlp> { ["net"] = net }, new TrainResult([new CurvePoint(0, 0, double.NaN, 1, 0.5)], 0.5, 1, 0, 2));
            var loaded = ModelCache.TryLoad<TrainResult>(key, new Dictionary<string, Func<Mlp>> { ["net"] = () => new Mlp(Net, seed: 99) }, out var note);
            Assert.NotNull(loaded);
            Assert.Contains("loaded", note);
            Assert.True(loaded.Value.Nets["net"].Weight(0).allclose(net.Weight(0), rtol: 0, atol: 0));
            Assert.True(double.IsNaN(loaded.Value.Result.Curve[0].TrainLoss));

            var file = Path.Combine(ModelCache.Folder(key), "net.bin");
            var bytes = File.ReadAllBytes(file);
            bytes[^5] ^= 0xFF;
            File.WriteAllBytes(file, bytes);
            Assert.Null(ModelCache.TryLoad<TrainResult>(key, new Dictionary<string, Func<Mlp>> { ["net"] = () => throw new Exception("must not build a net from a corrupt entry") }, out note));
            Assert.Contains(file, note);
            Assert.Contains("corrupt", note);
        }
        finally
        {
            Directory.Delete(ModelCache.Folder(key), recursive: true);
        }
    }

    [Fact]
    public void Keys_depend_on_every_field()
    {
        var a = BaselineConfig.For(Profile.Quick);
        Assert.Equal(a.CacheKey, (a with { }).CacheKey);
        Assert.NotEqual(a.CacheKey, (a with { InitSeed = 1 }).CacheKey);
        Assert.NotEqual(a.CacheKey, (a with { Training = a.Training with { LearningRate = 2e-3 } }).CacheKey);
        Assert.NotEqual(a.CacheKey, (a with { Net = a.Net with { Widths = [784, 10] } }).CacheKey);
        Assert.NotEqual(a.CacheKey, BaselineConfig.For(Profile.Full).CacheKey);
    }

    static TrainResult Result(double accuracy) => new([new CurvePoint(0, 0, double.NaN, 1, 0.1), new CurvePoint(1, 10, 0.5, 0.6, accuracy)], accuracy, 0.6, 10, 2);

    static readonly Dictionary<string, Func<Mlp>> Build = new() { ["net"] = () => new Mlp(Net, seed: 1) };

    /// <summary>Saves an entry, lets <paramref name="damage"/> change it, and returns what loading it then says (null result: refused).</summary>
    static (bool Loaded, string Note, TrainResult? Result) SaveDamageLoad(Action<string> damage)
    {
        var key = ModelCache.Key(new { test = Guid.NewGuid() });
        try
        {
            using var net = new Mlp(Net, seed: 5);
            ModelCache.Save(key, new Dictionary<string, Mlp> { ["net"] = net }, Result(0.64));
            damage(ModelCache.Folder(key));
            var loaded = ModelCache.TryLoad<TrainResult>(key, Build, out var note);
            return (loaded is not null, note, loaded?.Result);
        }
        finally
        {
            Directory.Delete(ModelCache.Folder(key), recursive: true);
        }
    }

    [Fact]
    public void A_flipped_byte_anywhere_in_an_entry_is_detected()
    {
        foreach (var file in new[] { "net.bin", "manifest.json" })
        {
            var length = 0L;
            SaveDamageLoad(folder => length = new FileInfo(Path.Combine(folder, file)).Length);
            // Every position would take long for the weights file; a spread of positions, first and last included.
            foreach (var at in new[] { 0L, 1, length / 3, length / 2, 2 * length / 3, length - 2, length - 1 }.Distinct())
            {
                var (loaded, note, result) = SaveDamageLoad(folder =>
                {
                    var path = Path.Combine(folder, file);
                    var bytes = File.ReadAllBytes(path);
                    bytes[at] ^= 0x04;
                    File.WriteAllBytes(path, bytes);
                });
                // Either refused with a note, or (a flip inside JSON whitespace) loaded unchanged.
                Assert.True(!loaded || result!.FinalTestAccuracy == 0.64, $"{file} byte {at}: loaded {result?.FinalTestAccuracy} ({note})");
                if (!loaded) Assert.Matches("corrupt|malformed|empty|lacks", note);
            }
        }
    }

    [Fact]
    public void A_changed_recorded_accuracy_or_a_malformed_result_is_retrained_not_loaded()
    {
        var (loaded, note, _) = SaveDamageLoad(folder =>
        {
            var path = Path.Combine(folder, "manifest.json");
            File.WriteAllText(path, File.ReadAllText(path).Replace("0.64", "0.44", StringComparison.Ordinal));
        });
        Assert.False(loaded);
        Assert.Contains("recorded result", note);
        (loaded, note, _) = SaveDamageLoad(folder =>
        {
            var path = Path.Combine(folder, "manifest.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            json["Result"] = "not a result";
            File.WriteAllText(path, json.ToJsonString());
        });
        Assert.False(loaded);
        Assert.Matches("corrupt|malformed", note);
    }

    [Fact]
    public void A_truncated_entry_or_a_killed_write_is_refused_and_its_temporary_files_are_removed()
    {
        var (loaded, note, _) = SaveDamageLoad(folder =>
        {
            var path = Path.Combine(folder, "net.bin");
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        });
        Assert.False(loaded);
        Assert.Contains("corrupt", note);
        // A writer killed mid-write leaves its temporary file (named with its process id, here one that is not running)
        // and no new manifest: the entry is what it was, and the next run removes the leftover.
        var leftover = "";
        (loaded, _, _) = SaveDamageLoad(folder =>
        {
            leftover = Path.Combine(folder, $".net.bin.{int.MaxValue - 7}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(leftover, new byte[1000]);
        });
        Assert.True(loaded);
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void An_unwritable_cache_is_named_before_anything_trains()
    {
        // A file where the models folder should be: no user, root included, can create the entry there.
        using var temp = TestSetup.Temp();
        File.WriteAllText(temp["models"], "not a folder");
        var error = Assert.Throws<IOException>(() => ModelCache.CheckWritableFolder(Path.Combine(temp["models"], "abc")));
        Assert.Contains("TICKETLAB_CACHE", error.Message);
        Assert.Contains(temp["models"], error.Message);
    }
}
