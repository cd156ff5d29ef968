using TicketLab.Data;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Training;

[Collection("torch")]
public class TrainerTests
{
    static readonly LabeledData Small = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 100, TestPerClass: 50));
    static readonly MlpOptions Net = new([784, 64, 10]);

    [Fact]
    public void Training_lowers_the_loss_and_beats_chance()
    {
        using var data = new TensorData(Small);
        using var net = new Mlp(Net, seed: 0);
        var progress = new List<TrainProgress>();
        var result = Trainer.Train(net, data, new TrainOptions(Epochs: 5, BatchSize: 50), progress.Add);
        Assert.True(result.Curve[^1].TestLoss < result.Curve[0].TestLoss * 0.6,
            $"test loss went from {result.Curve[0].TestLoss} to {result.Curve[^1].TestLoss}");
        Assert.InRange(result.FinalTestAccuracy, 0.6, 1.0);
        Assert.Equal(5 * 1000 / 50, result.Steps);
        Assert.Equal(1 + 5 * 4, result.Curve.Count);
        Assert.Equal(result.Curve.Count, progress.Count);
        Assert.Equal(1.0, progress[^1].Fraction, 6);
    }

    [Fact]
    public void A_strided_curve_scores_a_subset_before_the_last_point_and_leaves_the_weights_and_final_accuracy_alone()
    {
        using var data = new TensorData(Small);
        var options = new TrainOptions(Epochs: 2, BatchSize: 64, Seed: 3, EvaluationsPerEpoch: 2);
        using var whole = new Mlp(Net, seed: 1);
        using var strided = new Mlp(Net, seed: 1);
        using var untrained = new Mlp(Net, seed: 1);
        var rw = Trainer.Train(whole, data, options);
        var rs = Trainer.Train(strided, data, options with { CurveTestStride = 5 });
        Assert.True(whole.Weight(0).allclose(strided.Weight(0), rtol: 0, atol: 0));
        Assert.Equal(rw.FinalTestAccuracy, rs.FinalTestAccuracy);
        Assert.Equal(rw.Curve[^1].TestLoss, rs.Curve[^1].TestLoss);
        Assert.Equal(rw.Curve.Count, rs.Curve.Count);
        // The first point scores every fifth test image.
        using var index = arange(0, data.TestX.shape[0], 5, dtype: ScalarType.Int64);
        var (loss, accuracy) = Trainer.Evaluate(untrained, data.TestX.index_select(0, index), data.TestY.index_select(0, index));
        Assert.Equal(loss, rs.Curve[0].TestLoss, 12);
        Assert.Equal(accuracy, rs.Curve[0].TestAccuracy, 12);
        Assert.NotEqual(rw.Curve[0].TestLoss, rs.Curve[0].TestLoss);
        Assert.Equal("CurveTestStride", Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(strided, data, options with { CurveTestStride = 0 })).ParamName);

        // A head start that ends on a curve point: that point is the last, so it scores every test image.
        using var headWhole = new Mlp(Net, seed: 1);
        using var headStrided = new Mlp(Net, seed: 1);
        var stepsPerEpoch = (data.TrainX.shape[0] + 63) / 64;
        var hw = Trainer.Train(headWhole, data, options, stopAfterSteps: stepsPerEpoch / 2);
        var hs = Trainer.Train(headStrided, data, options with { CurveTestStride = 5 }, stopAfterSteps: stepsPerEpoch / 2);
        Assert.Equal(2, hs.Curve.Count);
        Assert.Equal(hw.FinalTestAccuracy, hs.FinalTestAccuracy);
        Assert.Equal(hw.Curve[^1].TestLoss, hs.Curve[^1].TestLoss);
    }

    [Fact]
    public void Same_seeds_give_the_same_numbers()
    {
        using var data = new TensorData(Small);
        var options = new TrainOptions(Epochs: 2, BatchSize: 64, Optimizer: OptimizerKind.Sgd, LearningRate: 0.05, Momentum: 0.9, Seed: 3);
        using var a = new Mlp(Net, seed: 1);
        using var b = new Mlp(Net, seed: 1);
        var ra = Trainer.Train(a, data, options);
        var rb = Trainer.Train(b, data, options);
        Assert.Equal(ra.Curve.Select(p => p.TestLoss), rb.Curve.Select(p => p.TestLoss));
        Assert.True(a.Weight(0).allclose(b.Weight(0), rtol: 0, atol: 0));
        using var c = new Mlp(Net, seed: 1);
        var rc = Trainer.Train(c, data, options with { Seed = 4 });
        Assert.NotEqual(ra.FinalTestLoss, rc.FinalTestLoss);
    }

    [Fact]
    public void Divergence_stops_with_where_and_what_to_change()
    {
        using var data = new TensorData(Small);
        using var net = new Mlp(Net, seed: 0);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Train(net, data, new TrainOptions(Epochs: 3, Optimizer: OptimizerKind.Sgd, LearningRate: 90, Momentum: 0.9)));
        // Either a NaN step (epoch, batch and step named) or, earlier, a runaway curve (epoch and step named) stops it.
        Assert.Matches(@"at epoch [\d.]+ of 3(, batch \d+)? \(step \d+\)", e.Message);
        Assert.Contains("Lower LearningRate (now 90; try 9)", e.Message);
        Assert.Contains("Momentum", e.Message);
    }

    [Theory]
    [InlineData("Epochs", 0)]
    [InlineData("BatchSize", -5)]
    [InlineData("LearningRate", 0.0)]
    [InlineData("Momentum", 1.0)]
    [InlineData("EvaluationsPerEpoch", 0)]
    public void Bad_hyperparameters_are_rejected_with_name_value_and_range(string field, object value)
    {
        var options = field switch
        {
            "Epochs" => new TrainOptions(Epochs: (int)value),
            "BatchSize" => new TrainOptions(BatchSize: (int)value),
            "LearningRate" => new TrainOptions(LearningRate: (double)value),
            "Momentum" => new TrainOptions(Momentum: (double)value),
            _ => new TrainOptions(EvaluationsPerEpoch: (int)value),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal(field, e.ParamName);
        Assert.Contains($"Actual value was {value}", e.Message);
        Assert.Contains("accepted", e.Message);
    }

    [Fact]
    public void A_head_start_stops_after_its_steps_and_evaluates_once()
    {
        var data = new TensorData(Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 100, TestPerClass: 20)));
        using var net = new Mlp(new MlpOptions([784, 20, 10]), 0);
        long last = 0;
        var result = Trainer.Train(net, data, new TrainOptions(Epochs: 3, BatchSize: 64, EvaluationsPerEpoch: 1), afterStep: s => last = s, stopAfterSteps: 5);
        Assert.Equal(5, last);
        Assert.Equal(5, result.Curve[^1].Step);
        Assert.Equal(2, result.Curve.Count);
        Assert.Equal("stopAfterSteps", Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(net, data, new TrainOptions(), stopAfterSteps: 0)).ParamName);
    }

    [Fact]
    public void A_cancelled_run_stops_before_its_next_step()
    {
        using var data = new TensorData(Small);
        using var net = new Mlp(Net, seed: 0);
        using var stop = new CancellationTokenSource();
        long last = 0;
        Assert.Throws<OperationCanceledException>(() => Trainer.Train(net, data, new TrainOptions(Epochs: 2, BatchSize: 50), afterStep: step =>
        {
            last = step;
            if (step == 3) stop.Cancel();
        }, cancel: stop.Token));
        Assert.Equal(3, last);
    }

    [Fact]
    public void An_unavailable_device_is_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainOptions(Device: "cuda").Validate());
        Assert.Equal("Device", e.ParamName);
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Equal("Device", Assert.Throws<ArgumentOutOfRangeException>(() => Devices.Parse("tpu")).ParamName);
        Assert.Equal(CPU.type, Devices.Parse("CPU").type);
    }

    [Fact]
    public void Mean_squared_error_is_half_the_squared_distance_to_one_hot()
    {
        using var output = tensor(new float[,] { { 1, 0, 0 }, { 0.5f, 0.5f, 0 } });
        using var labels = tensor(new long[] { 0, 2 });
        // row 0: 0; row 1: 0.25 + 0.25 + 1 = 1.5 ; mean 0.75 ; half 0.375
        Assert.Equal(0.375f, Trainer.Loss(output, labels, LossKind.MeanSquaredError, 3).item<float>(), 6);
    }

    [Fact]
    public void A_runaway_curve_is_named_and_a_healthy_or_briefly_bad_one_is_not()
    {
        static CurvePoint P(double loss, double accuracy) => new(0, 0, 0, loss, accuracy);
        CurvePoint[] healthy = [P(2.3, 0.1), P(0.6, 0.8), P(0.5, 0.84), P(0.45, 0.86), P(0.47, 0.86)];
        Assert.Null(Trainer.Runaway(healthy, 10));
        CurvePoint[] exploding = [P(2.3, 0.1), P(1.0, 0.6), P(1e29, 0.11), P(1e30, 0.1), P(1e31, 0.11)];
        Assert.Contains("over 100 times its initial", Trainer.Runaway(exploding, 10));
        CurvePoint[] collapsed = [P(2.3, 0.1), P(0.6, 0.8), P(2.4, 0.1), P(2.3, 0.11), P(2.3, 0.1)];
        Assert.Contains("fell back to 0.100, chance level, after reaching 0.800", Trainer.Runaway(collapsed, 10));
        // Two bad evaluations are a blip, not a runaway; nor is a run that never left chance.
        CurvePoint[] blip = [P(2.3, 0.1), P(0.6, 0.8), P(500, 0.1), P(400, 0.1), P(0.5, 0.8)];
        Assert.Null(Trainer.Runaway(blip, 10));
        CurvePoint[] neverLearnt = [P(2.3, 0.1), P(2.3, 0.1), P(2.3, 0.11), P(2.3, 0.1)];
        Assert.Null(Trainer.Runaway(neverLearnt, 10));
    }
}
