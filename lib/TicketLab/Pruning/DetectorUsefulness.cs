using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Pruning;

/// <summary>Whether one net's detectors are used.</summary>
/// <param name="Net">"pruned" (edge-popup), "random features" (the frozen net with a trained readout) or "dense" (trained).</param>
/// <param name="Seed">The net's seed.</param>
/// <param name="Units">Hidden units (all hidden layers).</param>
/// <param name="Detectors">Hidden units whose best one-vs-rest quality on half A of the test images reaches the detector quality.</param>
/// <param name="Density">Detectors / Units.</param>
/// <param name="Accuracy">Accuracy of the net as it is on half B of the test images (the detectors were chosen on A).</param>
/// <param name="AccuracyWithoutDetectors">Accuracy on half B with the detectors silenced (their outputs set to 0).</param>
/// <param name="AccuracyWithoutRandomUnits">Mean accuracy on half B with as many other units of the same layers silenced (several random draws).</param>
/// <param name="ExcessDrop">The detectors' drop minus the random units' drop: what the detectors carry beyond their number.</param>
/// <param name="ProbeAccuracy">Test accuracy of a linear readout trained on the net's last hidden layer (the same recipe for every net).</param>
public sealed record UsefulnessRow(string Net, long Seed, int Units, int Detectors, double Density, double Accuracy, double AccuracyWithoutDetectors,
    double AccuracyWithoutRandomUnits, double ExcessDrop, double ProbeAccuracy);

/// <summary>Are the detectors found by pruning used? Ablation of the detectors against as many random units, and a linear probe.</summary>
public static class DetectorUsefulness
{
    /// <summary>A net seen by its hidden layers: their outputs, and the logits with some hidden units silenced.</summary>
    public sealed record HiddenView(string Name, long Seed, Func<Tensor, IReadOnlyList<Tensor>> Hidden, Func<Tensor, IReadOnlyList<Tensor?>, Tensor> ForwardWithUnits)
    {
        /// <summary>An edge-popup net with its masks.</summary>
        public static HiddenView Of(string name, long seed, EdgePopupMlp net) => new(name, seed, x => net.Activations(x).SkipLast(1).ToList(), net.ForwardWithUnits);

        /// <summary>A frozen random net with its trained readout.</summary>
        public static HiddenView Of(string name, long seed, RandomFeaturesMlp net) => new(name, seed, net.HiddenActivations, net.ForwardWithUnits);

        /// <summary>A trained net.</summary>
        public static HiddenView Of(string name, long seed, Mlp net) => new(name, seed, x =>
        {
            using var _ = no_grad();
            return net.Activations(x).SkipLast(1).ToList();
        }, (x, m) =>
        {
            using var _ = no_grad();
            return net.ForwardWithUnits(x, m);
        });
    }

    /// <summary>
    /// Measures one net: detectors are the hidden units whose best quality on <paramref name="select"/> reaches
    /// <paramref name="quality"/>; they are silenced together and the accuracy on <paramref name="report"/> (images the
    /// selection did not see) compared with silencing as many other units of the same layers (<paramref name="randomDraws"/>
    /// draws from <paramref name="seed"/>); then a linear readout is trained on the last hidden layer's outputs of the
    /// training images with <paramref name="probeTraining"/> and scored on <paramref name="data"/>'s test images.
    /// </summary>
    public static UsefulnessRow Measure(HiddenView net, TensorData data, EvaluationSet select, EvaluationSet report, double quality, TrainOptions probeTraining,
        int randomDraws = 20, int seed = 0)
    {
        if (randomDraws < 1) throw new ArgumentOutOfRangeException(nameof(randomDraws), randomDraws, "accepted: 1 or more random draws");
        using var scope = NewDisposeScope();
        var hidden = net.Hidden(select.Inputs);
        var detectors = hidden.Select(h => UnitScores.Score(h, select.Labels, select.Classes, withSelectivity: false).BestQuality.Select(q => q >= quality).ToArray()).ToList();
        var units = detectors.Sum(d => d.Length);
        var count = detectors.Sum(d => d.Count(x => x));
        double Accuracy(IReadOnlyList<Tensor?> masks) => net.ForwardWithUnits(report.Inputs, masks).argmax(1).eq(report.Labels).to(ScalarType.Float64).mean().item<double>();
        var whole = Accuracy(detectors.Select(_ => (Tensor?)null).ToList());
        var withoutDetectors = Accuracy(detectors.Select(d => (Tensor?)tensor(d.Select(x => x ? 0f : 1f).ToArray())).ToList());
        var random = new Random(seed);
        var withoutRandom = Enumerable.Range(0, randomDraws).Average(_ => Accuracy(detectors.Select(d =>
        {
            // As many units of this layer as it has detectors, drawn from its other units (from all when too few are left).
            var others = Enumerable.Range(0, d.Length).Where(u => !d[u]).ToList();
            var pool = others.Count >= d.Count(x => x) ? others : Enumerable.Range(0, d.Length).ToList();
            var chosen = pool.OrderBy(_ => random.Next()).Take(d.Count(x => x)).ToHashSet();
            return (Tensor?)tensor(Enumerable.Range(0, d.Length).Select(u => chosen.Contains(u) ? 0f : 1f).ToArray());
        }).ToList()));
        var probe = Probe(net, data, probeTraining);
        return new UsefulnessRow(net.Name, net.Seed, units, count, Math.Round(count / (double)units, 4), whole, withoutDetectors, Math.Round(withoutRandom, 4),
            Math.Round(whole - withoutDetectors - (whole - withoutRandom), 4), probe);
    }

    /// <summary>Test accuracy of a linear readout (with bias) trained from zero on the last hidden layer's outputs of <paramref name="net"/>.</summary>
    public static double Probe(HiddenView net, TensorData data, TrainOptions training)
    {
        Tensor trainFeatures, testFeatures;
        using (var scope = NewDisposeScope())
        {
            trainFeatures = net.Hidden(data.TrainX)[^1].detach().MoveToOuterDisposeScope();
            testFeatures = net.Hidden(data.TestX)[^1].detach().MoveToOuterDisposeScope();
        }
        using var features = new TensorData(trainFeatures, data.TrainY.clone(), testFeatures, data.TestY.clone(), data.Classes);
        using var readout = nn.Linear(trainFeatures.shape[1], data.Classes);
        // From zero: a convex problem with no draw of its own, so the probe depends only on the features and the batch order.
        using (no_grad())
        {
            readout.weight!.zero_();
            readout.bias!.zero_();
        }
        return Trainer.Train(readout, features, training).FinalTestAccuracy;
    }
}
