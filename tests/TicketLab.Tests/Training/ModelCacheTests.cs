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
}
