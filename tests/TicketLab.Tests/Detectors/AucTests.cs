using TicketLab.Detectors;
using static TorchSharp.torch;

namespace TicketLab.Tests.Detectors;

[Collection("torch")]
public class AucTests
{
    [Fact]
    public void Matches_a_hand_computed_case()
    {
        using var a = tensor(new float[,] { { 0.1f }, { 0.4f }, { 0.35f }, { 0.8f } });
        using var y = tensor(new long[] { 0, 0, 1, 1 });
        using var auc = Auc.ClassVsRest(a, y, 2);
        // Pairs (positive, negative): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4: 3 of 4.
        Assert.Equal(0.75, auc[1, 0].item<double>(), 12);
        Assert.Equal(0.25, auc[0, 0].item<double>(), 12);
    }

    [Fact]
    public void Ties_count_half()
    {
        using var a = tensor(new float[,] { { 0 }, { 0 }, { 0 }, { 1 } });
        using var y = tensor(new long[] { 0, 1, 0, 1 });
        // Positives {0, 1} against negatives {0, 0}: two ties (1/2 each) and two wins.
        using var auc = Auc.ClassVsRest(a, y, 2);
        Assert.Equal(0.75, auc[1, 0].item<double>(), 12);
        var radix = RadixAuc.ClassVsRest(new float[] { 0, 0, 0, 1 }, 1, 4, new[] { 0, 1, 0, 1 }, 2);
        Assert.Equal(0.75, radix[1, 0], 12);
        var signedZero = RadixAuc.ClassVsRest(new float[] { 0, -0f, 0, 1 }, 1, 4, new[] { 0, 1, 0, 1 }, 2);
        Assert.Equal(0.75, signedZero[1, 0], 12);
    }

    [Fact]
    public void Tensor_and_radix_versions_agree_with_brute_force_on_data_with_ties()
    {
        const int n = 300, units = 7, classes = 3;
        var random = new Random(4);
        // Values rounded to one decimal (many ties) and ReLU zeros.
        var values = new float[units * n];
        for (var i = 0; i < values.Length; i++) values[i] = Math.Max(0, (float)Math.Round(random.NextDouble() * 2 - 0.5, 1));
        var labels = Enumerable.Range(0, n).Select(i => i % classes).ToArray();
        using var rows = tensor(values, [units, n]);
        using var y = tensor(labels.Select(l => (long)l).ToArray());
        using var byColumns = rows.t().contiguous();
        using var tensorAuc = Auc.ClassVsRest(byColumns, y, classes);
        var radix = RadixAuc.ClassVsRest(values, units, n, labels, classes);
        for (var u = 0; u < units; u++)
            for (var c = 0; c < classes; c++)
            {
                var expected = BruteForce(values.AsSpan(u * n, n).ToArray(), labels, c);
                Assert.Equal(expected, tensorAuc[c, u].item<double>(), 12);
                Assert.Equal(expected, radix[c, u], 12);
            }
    }

    [Fact]
    public void Radix_version_agrees_with_brute_force_on_negatives_zeros_and_wide_magnitudes()
    {
        // Negative, zero (both signs) and positive values, many ties, magnitudes from 1e-30 to 1e30 (every byte of the
        // sort key varies), in rows both shorter and longer than the sort's 256 buckets.
        var random = new Random(11);
        foreach (var n in new[] { 2, 5, 300, 2_000 })
        {
            const int units = 5, classes = 4;
            var values = new float[units * n];
            for (var i = 0; i < values.Length; i++)
            {
                var draw = random.Next(6);
                values[i] = draw switch
                {
                    0 => 0f,
                    1 => -0f,
                    2 => (float)Math.Round(random.NextDouble() * 4 - 2, 1),
                    3 => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31))),
                    _ => (float)random.NextDouble(),
                };
            }
            var labels = Enumerable.Range(0, n).Select(i => i % Math.Min(classes, n)).ToArray();
            var present = Math.Min(classes, n);
            var radix = RadixAuc.ClassVsRest(values, units, n, labels, present);
            for (var u = 0; u < units; u++)
                for (var c = 0; c < present; c++)
                    Assert.Equal(BruteForce(values.AsSpan(u * n, n).ToArray(), labels, c), radix[c, u], 12);
        }
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => RadixAuc.ClassVsRest(new[] { 0f, float.NaN, 1f }, 1, 3, new[] { 0, 1, 0 }, 2)).Message);
    }

    [Fact]
    public void Tensor_and_radix_versions_agree_on_continuous_relu_units()
    {
        using var x = randn(500, 20, generator: new Generator(3));
        using var w = randn(20, 64, generator: new Generator(4));
        using var acts = nn.functional.relu(x.mm(w));
        using var y = randint(0, 10, [500], ScalarType.Int64, generator: new Generator(5));
        using var tensorAuc = Auc.ClassVsRest(acts, y, 10);
        using var rows = acts.t().contiguous();
        var scores = UnitScores.ScoreRows(rows, y, 10);
        for (var c = 0; c < 10; c++)
            for (var u = 0; u < 64; u++)
                Assert.InRange(scores.Auc[c][u] - tensorAuc[c, u].item<double>(), -1e-6, 1e-6); // stored as float32
    }

    [Fact]
    public void Selectivity_index_matches_its_definition()
    {
        // Unit 0: class means 3, 1, 1 -> (3 - 1) / (3 + 1) = 0.5. Unit 1: silent -> 0.
        using var a = tensor(new float[,] { { 3, 0 }, { 3, 0 }, { 1, 0 }, { 1, 0 }, { 0, 0 }, { 2, 0 } });
        using var y = tensor(new long[] { 0, 0, 1, 1, 2, 2 });
        using var csi = Auc.SelectivityIndex(a, y, 3);
        Assert.Equal(0.5f, csi[0].item<float>(), 6);
        Assert.Equal(0f, csi[1].item<float>());
    }

    [Fact]
    public void A_planted_perfect_detector_has_quality_one_and_is_counted_exactly()
    {
        // 5 random units and one that is 1 on class 2 and 0 elsewhere.
        using var x = randn(200, 5, generator: new Generator(8));
        using var y = arange(200, ScalarType.Int64).remainder(4);
        using var planted = y.eq(2).to(ScalarType.Float32).unsqueeze(1);
        using var acts = cat([nn.functional.relu(x), planted], 1);
        var scores = UnitScores.Score(acts, y, 4);
        Assert.Equal(1.0f, scores.Quality(2)[5]);
        Assert.Equal(2, scores.BestClass[5]);
        Assert.Equal(1, Density.Count(scores.Quality(2), 1.0));
        Assert.Equal(1.0 / 6, Density.Fraction(scores.BestQuality, 1.0), 12);
    }

    [Fact]
    public void Mismatched_lengths_and_qualities_outside_the_range_are_rejected()
    {
        using var a = tensor(new float[,] { { 1 }, { 2 }, { 3 } });
        using var y = tensor(new long[] { 0, 1 });
        Assert.Contains("one label per example (3)", Assert.Throws<ArgumentException>(() => Auc.ClassVsRest(a, y, 2)).Message);
        Assert.Throws<ArgumentException>(() => RadixAuc.ClassVsRest(new float[] { 1, 2, 3 }, 1, 3, new[] { 0, 1 }, 2));
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => Density.Fraction(new float[] { 0.7f }, 0.3)).ParamName);
        Assert.Equal("quality", Assert.Throws<ArgumentOutOfRangeException>(() => TailModel.Estimate(new float[] { 0.7f }, 1.2)).ParamName);
    }

    [Fact]
    public void A_class_without_examples_is_rejected()
    {
        using var a = tensor(new float[,] { { 1 }, { 2 } });
        using var y = tensor(new long[] { 0, 0 });
        Assert.Throws<ArgumentException>(() => Auc.ClassVsRest(a, y, 2));
        Assert.Throws<ArgumentException>(() => RadixAuc.ClassVsRest(new float[] { 1, 2 }, 1, 2, new[] { 0, 0 }, 2));
    }

    [Fact]
    public void Unit_scores_keep_the_direction_and_pick_the_best_class()
    {
        // Unit 0 fires for class 1 (AUC 1; class 0 only 1/6, quality 5/6); unit 1 is silent on class 0 only,
        // so it detects class 0 perfectly by low activation (AUC 0, quality 1).
        using var a = tensor(new float[,] { { 0.3f, 0 }, { 1, 1 }, { 0, 0 }, { 1, 1 }, { 0.2f, 1 } });
        using var y = tensor(new long[] { 0, 1, 0, 1, 2 });
        var s = UnitScores.Score(a, y, 3);
        Assert.Equal(1, s.BestClass[0]);
        Assert.Equal(5.0 / 6, s.Quality(0)[0], 6);
        var (unit, quality, fires) = s.Best(0);
        Assert.Equal(1, unit);
        Assert.Equal(1.0, quality, 6);
        Assert.False(fires);
    }

    static double BruteForce(float[] values, int[] labels, int c)
    {
        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (labels[i] != c) continue;
            for (var j = 0; j < values.Length; j++)
            {
                if (labels[j] == c) continue;
                pairs++;
                wins += values[i] > values[j] ? 1 : values[i] == values[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }
}
