using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Pruning;
using static TorchSharp.torch;

namespace TicketLab.Tests.Nets;

public class ConvNetTests
{
    [Fact]
    public void Unit_activations_match_a_hand_built_case()
    {
        // One block of two channels on a 1 x 4 x 4 image: channel 0 copies the pixel (a centre tap of +1) and adds 0.5,
        // channel 1 negates its right neighbour (−1 one column to the right), both with ReLU; then 2 x 2 max-pool.
        var options = new ConvNetOptions([2, 1], Classes: 2, InputChannels: 1, InputSide: 4);
        using var net = new ConvNet(options, seed: 0);
        using (no_grad())
        {
            var w = zeros(2, 1, 3, 3);
            w[0, 0, 1, 1] = tensor(1f);
            w[1, 0, 1, 2] = tensor(-1f);
            net.Weight(0).copy_(w);
            net.Bias(0).copy_(tensor(new[] { 0.5f, 0f }));
        }
        float[] pixels = [1, -2, 3, 0, -1, 4, -5, 2, 0, 0, 1, -3, 2, 6, -1, 1];
        using var image = tensor(pixels).reshape(1, 1, 4, 4);
        var expected0 = pixels.Select(v => Math.Max(0, v + 0.5f)).ToArray();
        var expected1 = Enumerable.Range(0, 16).Select(i => i % 4 == 3 ? 0f : Math.Max(0, -pixels[i + 1])).ToArray();
        var maps = net.BlockMaps(image);
        Assert.Equal(expected0, maps[0][0, 0].flatten().data<float>().ToArray());
        Assert.Equal(expected1, maps[0][0, 1].flatten().data<float>().ToArray());
        var max = ConvUnits.Pooled(net, image, UnitPooling.Max);
        var mean = ConvUnits.Pooled(net, image, UnitPooling.Mean);
        Assert.Equal(expected0.Max(), max[0][0, 0].item<float>());
        Assert.Equal(expected1.Max(), max[0][0, 1].item<float>());
        Assert.Equal(expected0.Average(), mean[0][0, 0].item<float>(), 5);
        Assert.Equal(expected1.Average(), mean[0][0, 1].item<float>(), 5);
        // Block 2 sees the 2 x 2 max-pool of block 1's maps.
        Assert.Equal([1, 1, 2, 2], maps[1].shape);
    }

    [Fact]
    public void Random_unit_scores_by_patch_products_equal_scores_by_convolution()
    {
        var options = new ConvNetOptions([6, 8], Classes: 3, InputChannels: 3, InputSide: 8);
        var generator = new Generator(5);
        using var images = randn([60, 3, 8, 8], generator: generator);
        using var labels = tensor(Enumerable.Range(0, 60).Select(i => (long)(i % 3)).ToArray());
        using var maps = ConvDensity.RandomInputMaps(options, 2, images, seed: 3);
        Assert.Equal([60, 6, 4, 4], maps.shape);
        foreach (var pooling in new[] { UnitPooling.Max, UnitPooling.Mean })
        {
            using var quality = new ConvUnitQuality(maps, labels, 1, options.WeightStd, pooling);
            using var latent = randn([7, quality.Dimension], generator: generator);
            var scores = quality.Score(latent);
            using var filters = latent.mul(options.WeightStd / Math.Sqrt(quality.Dimension)).reshape(7, 6, 3, 3);
            using var pooled = ConvUnits.Pool(nn.functional.relu(nn.functional.conv2d(maps, filters, padding: [1, 1])), pooling);
            var y = labels.data<long>().Select(l => l == 1).ToArray();
            for (var u = 0; u < 7; u++)
            {
                var a = pooled[.., u].data<float>().ToArray();
                double wins = 0, pairs = 0;
                for (var i = 0; i < a.Length; i++)
                    for (var j = 0; j < a.Length; j++)
                        if (y[i] && !y[j]) { pairs++; wins += a[i] > a[j] ? 1 : a[i] == a[j] ? 0.5 : 0; }
                Assert.InRange(Math.Abs(Math.Max(wins / pairs, 1 - wins / pairs) - scores[u]), 0, 1e-5);
            }
            // Chunks of 4,096 units share one product buffer, across calls too: the same units score the same in the
            // first chunk, in the shorter last one, and in a later call.
            using var many = randn([5000, quality.Dimension], generator: generator);
            many.narrow(0, 0, 7).copy_(latent);
            many.narrow(0, 4100, 7).copy_(latent);
            var manyScores = quality.Score(many);
            var again = quality.Score(latent);
            for (var u = 0; u < 7; u++)
            {
                // Products of 4,096 and of 7 columns may sum in another order: a near tie may flip (1/800 of AUC here).
                Assert.InRange(Math.Abs(manyScores[u] - scores[u]), 0, 1e-3);
                Assert.InRange(Math.Abs(manyScores[4100 + u] - scores[u]), 0, 1e-3);
                Assert.Equal(scores[u], again[u]);
            }
        }
    }

    [Fact]
    public void Scoring_under_both_poolings_at_once_gives_each_pooling_s_scores_alone()
    {
        var options = new ConvNetOptions([6, 8], Classes: 3, InputChannels: 3, InputSide: 8);
        var generator = new Generator(9);
        using var images = randn([60, 3, 8, 8], generator: generator);
        using var labels = tensor(Enumerable.Range(0, 60).Select(i => (long)(i % 3)).ToArray());
        using var maps = ConvDensity.RandomInputMaps(options, 2, images, seed: 4);
        using var max = new ConvUnitQuality(maps, labels, 1, options.WeightStd, UnitPooling.Max);
        using var mean = new ConvUnitQuality(maps, labels, 1, options.WeightStd, UnitPooling.Mean);
        using var latent = randn([300, max.Dimension], generator: generator);
        var alone = new[] { max.Score(latent), mean.Score(latent) };
        // Either order of the poolings, from an instance built for either: mean rectifies the map in place, max must read it first.
        foreach (var (quality, poolings) in new[] { (max, new[] { UnitPooling.Max, UnitPooling.Mean }), (mean, new[] { UnitPooling.Mean, UnitPooling.Max }) })
        {
            var both = quality.Score(latent, poolings);
            for (var k = 0; k < 2; k++) Assert.Equal(alone[poolings[k] == UnitPooling.Max ? 0 : 1], both[k]);
        }
        Assert.NotEqual(alone[0], alone[1]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => max.Score(latent, [UnitPooling.Max, UnitPooling.Max]));
        Assert.Equal("poolings", error.ParamName);
    }

    [Fact]
    public void Estimator_requests_in_one_queue_give_each_request_s_curve_alone()
    {
        var generator = new Generator(11);
        using var set = new TicketLab.Data.EvaluationSet(randn([90, 3, 8, 8], generator: generator), tensor(Enumerable.Range(0, 90).Select(i => (long)(i % 3)).ToArray()), 3, ["a", "b", "c"]);
        var concept = new Concept("b", set, set, 1);
        var options = new RobustDensityOptions(new RareEventOptions(SamplesPerLevel: 40, LevelProbability: 0.25, StopLog2: -6), Layer1Runs: 2, Layer2FirstLayers: 3, Replicates: 20, Seed: 5);
        var narrow = new ConvNetOptions([4, 6], Classes: 3, InputChannels: 3, InputSide: 8);
        var wide = new ConvNetOptions([8, 12], Classes: 3, InputChannels: 3, InputSide: 8);
        EstimateRequest[] requests = [new(concept, wide, 2, options), new(concept, narrow, 1, options), new(concept, narrow, 2, options, StopScore: 0.6)];
        // One run at a time: the test host stays free of concurrent LibTorch convolutions (the CI run's host crashed twice
        // near the end with four at once, cause not found); each run is on its own thread either way.
        var together = ConvDensity.EstimateAll(requests, UnitPooling.Max, atOnce: 1);
        Assert.Equal(requests.Length, together.Count);
        foreach (var (request, curve) in requests.Zip(together))
        {
            var alone = ConvDensity.EstimateAll([request], UnitPooling.Max, atOnce: 1)[0];
            Assert.Equal(request.Block, curve.Layer);
            Assert.Equal(alone.Runs.Count, curve.Runs.Count);
            foreach (var (a, b) in alone.Runs.Zip(curve.Runs))
            {
                Assert.Equal(a.Seed, b.Seed);
                Assert.Equal(a.Evaluations, b.Evaluations);
                Assert.Equal(a.Levels.Select(l => l.Scores), b.Levels.Select(l => l.Scores));
            }
        }
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ConvDensity.EstimateAll([new(concept, narrow, 3, options)], UnitPooling.Max));
        Assert.Equal("requests", error.ParamName);
        Assert.Contains("accepted: 1 to 2", error.Message);
        Assert.Equal("block", Assert.Throws<ArgumentOutOfRangeException>(() => ConvDensity.Estimate(concept, narrow, 0, UnitPooling.Max, options)).ParamName);
        Assert.Equal("requests", Assert.Throws<ArgumentException>(() => ConvDensity.EstimateAll([new(concept, narrow, 1, null!)], UnitPooling.Max)).ParamName);
        Assert.Equal("atOnce", Assert.Throws<ArgumentOutOfRangeException>(() => ConvDensity.EstimateAll(requests, UnitPooling.Max, atOnce: 0)).ParamName);
    }

    [Fact]
    public void The_dense_the_readout_only_and_the_edge_popup_nets_of_a_seed_share_their_initial_weights()
    {
        var options = new ConvNetOptions([4, 8], Classes: 10, InputChannels: 3, InputSide: 8);
        using var dense = new ConvNet(options, seed: 7);
        using var readout = new ConvNet(options, seed: 7, readoutOnly: true);
        using var pruned = new EdgePopupConvNet(options, 1.0, seed: 7);
        using var image = randn(2, 3, 8, 8);
        var a = dense.BlockMaps(image);
        var b = readout.BlockMaps(image);
        // Edge-popup's biases are zero, as are the dense net's at init; keep 1.0 keeps every weight.
        var c = pruned.BlockMaps(image);
        for (var l = 0; l < 2; l++)
        {
            Assert.True(a[l].allclose(b[l]));
            Assert.True(a[l].allclose(c[l], rtol: 1e-5, atol: 1e-6));
        }
        Assert.Equal(2, readout.LearningRateGroups(adam: true).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNetOptions([4, 8, 16, 32], InputSide: 8).Validate());
    }

    [Fact]
    public void Channels_last_images_give_the_logits_of_the_plain_layout()
    {
        var net = new ConvNet(new ConvNetOptions([8, 16]), seed: 3);
        var images = randn([6, 3, 32, 32], generator: new Generator(5));
        using var _ = no_grad();
        var h = images;
        for (var l = 0; l < 2; l++) h = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(h, net.Weight(l), net.Bias(l), padding: [1, 1])), 2);
        var plain = nn.functional.linear(h.flatten(1), net.Weight(2), net.Bias(2));
        var cl = ConvNet.ChannelsLast(images);
        Assert.Equal([6L, 3, 32, 32], cl.shape);
        Assert.Equal([3072L, 1, 96, 3], cl.stride());
        Assert.True(net.forward(images).allclose(plain, rtol: 1e-5, atol: 1e-5));
        Assert.Equal(cl.stride(), ConvNet.ChannelsLast(cl).stride());
        Assert.Throws<ArgumentException>(() => ConvNet.ChannelsLast(randn([2, 3, 4])));
    }
}
