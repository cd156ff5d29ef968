using TicketLab.Detectors;
using TicketLab.Nets;

namespace TicketLab.Cars;

/// <summary>How the convnet's neurons compare with the seed's "trained net of 15,000 neurons".</summary>
/// <param name="ChannelUnits">Channels of all blocks: the units this notebook scores (one per channel, pooled over positions).</param>
/// <param name="PositionUnits">Every channel at every position, before pooling: the count an MLP-minded reader makes (one neuron per activation).</param>
/// <param name="SeedNeurons">The seed's 15,000.</param>
public sealed record NeuronCount(int ChannelUnits, long PositionUnits, int SeedNeurons);

/// <summary>Edge-popup on the first seed's frozen random convnet.</summary>
/// <param name="KeepFraction">Fraction of each layer's weights kept.</param>
/// <param name="TestAccuracy">Test accuracy.</param>
/// <param name="TestAccuracyBand">90% band from the test images (one seed).</param>
/// <param name="TrainSeconds">Wall-clock seconds of its training.</param>
/// <param name="Units">Its best automobile unit per block, against the same random net and the trained nets.</param>
/// <param name="PairUnits">The same for automobile against truck.</param>
public sealed record EdgePopupResult(double KeepFraction, double TestAccuracy, double[] TestAccuracyBand, double TrainSeconds, IReadOnlyList<PrunedUnitRow> Units,
    IReadOnlyList<PrunedUnitRow> PairUnits);

/// <summary>Readout-only training of the first seed's random convnet: the linear model on its fixed random features.</summary>
/// <param name="TestAccuracy">Test accuracy.</param>
/// <param name="TestAccuracyBand">90% band from the test images (one seed).</param>
/// <param name="TrainSeconds">Seconds of the readout's training (features computed once, before).</param>
/// <param name="BestUnitQuality">The random net's best automobile unit per block (held out): what readout-only training leaves as it is.</param>
public sealed record RandomFeaturesResult(double TestAccuracy, double[] TestAccuracyBand, double TrainSeconds, double[] BestUnitQuality);

/// <summary>The pictures: which units, and the classes of the images that excite them most.</summary>
/// <param name="Unit">Which net and unit.</param>
/// <param name="Block">Block.</param>
/// <param name="Channel">Channel.</param>
/// <param name="Automobiles">Automobiles among the top images.</param>
/// <param name="Images">Top images shown.</param>
/// <param name="Labels">Their classes, most exciting first.</param>
public sealed record PictureRow(string Unit, int Block, int Channel, int Automobiles, int Images, string[] Labels);

/// <summary>The results file of notebook 04 (car detectors in a convnet on CIFAR-10).</summary>
/// <param name="Profile">quick or full.</param>
/// <param name="Dataset">Which copy of CIFAR-10 was used, with its caveat.</param>
/// <param name="Net">The convnet.</param>
/// <param name="Unit">What a unit is.</param>
/// <param name="Neurons">Its neurons counted two ways, against the seed's 15,000.</param>
/// <param name="TestAccuracy">Test accuracy over the dense seeds with its band.</param>
/// <param name="Seeds">The dense nets' seeds.</param>
/// <param name="Selection">"held-out": chosen on half A of the test images, reported on half B.</param>
/// <param name="EvaluationImages">Images in the two halves together (automobile against the rest).</param>
/// <param name="Layers">Automobile against the rest, one row per block (<see cref="ClassDensity.Layer"/> is the block).</param>
/// <param name="PairLayers">Automobile against truck, one row per block.</param>
/// <param name="Pooling">Max- against mean-pooled units.</param>
/// <param name="WidthSweep">Random nets of several widths.</param>
/// <param name="HalfWidths">Per block, the width at which a random net holds one trained-quality unit with probability 1/2.</param>
/// <param name="EdgePopup">Edge-popup on the frozen random net.</param>
/// <param name="RandomFeatures">Readout-only training of the same random net.</param>
/// <param name="Pictures">The units shown as image grids.</param>
/// <param name="ReachedLog2">The smallest density the estimator resolved, bits.</param>
/// <param name="Finding">The headline sentence.</param>
/// <param name="Hyperparameters">The study's options.</param>
public sealed record CarResults(string Profile, string Dataset, string Net, string Unit, NeuronCount Neurons, AccuracySummary TestAccuracy, long[] Seeds, string Selection,
    long EvaluationImages, IReadOnlyList<ClassDensity> Layers, IReadOnlyList<ClassDensity> PairLayers, IReadOnlyList<PoolingRow> Pooling,
    IReadOnlyList<WidthRow> WidthSweep, IReadOnlyList<HalfWidth> HalfWidths, EdgePopupResult EdgePopup, RandomFeaturesResult RandomFeatures,
    IReadOnlyList<PictureRow> Pictures, double ReachedLog2, string Finding, CarStudyOptions Hyperparameters) : INotebookResults
{
    /// <summary>The notebook that writes the file.</summary>
    public static string Notebook => "04-car-detectors";

    /// <inheritdoc/>
    public static string FileName => Notebook;

    /// <inheritdoc/>
    public static string Producer => Results.RerunNotebook(Notebook);

    /// <inheritdoc/>
    public static int Schema => 1;

    /// <summary>The seed's count of neurons in its trained net.</summary>
    public const int SeedNeurons = 15_000;

    /// <summary>The headline rows the verdict judges: each concept's block with the highest trained quality.</summary>
    public IReadOnlyList<ClassDensity> HeadlineRows => [Layers.Single(r => r.Headline), PairLayers.Single(r => r.Headline)];

    /// <summary>Result rows of one concept (rounded as quoted), the headline marked at the block of highest trained quality.</summary>
    public static IReadOnlyList<ClassDensity> Rows(ConceptMeasurement measured)
    {
        var headline = measured.HeadlineLayer;
        return measured.Rows.Select(r => DensityResults.Row(r, r.Layer == headline, null)).ToList();
    }

    /// <summary>The headline sentence.</summary>
    public static string FindingOf(string dataset, ConvNetOptions net, AccuracySummary accuracy, IReadOnlyList<ClassDensity> layers, IReadOnlyList<ClassDensity> pair,
        EdgePopupResult edgePopup, RandomFeaturesResult randomFeatures, IReadOnlyList<HalfWidth> halfWidths)
    {
        static string Density(ClassDensity r) => r.Resolved
            ? $"2^{r.InitDensityLog2:0} (90% band 2^{r.BandLog2[0]:0} to 2^{r.BandLog2[1]:0})"
            : $"below 2^{r.InitDensityLog2:0} (beyond what the estimator resolved)";
        var h = layers.Single(r => r.Headline);
        var p = pair.Single(r => r.Headline);
        var half = halfWidths.Single(w => w.Block == h.Layer);
        // An extrapolated width has no band and moves by a factor of a few between runs (78,000 and 230,000 in two runs
        // with different float rounding): it is quoted as a power of ten; an interpolated one to its two figures.
        var halfText = half.BaseWidth is { } w
            ? half.Extrapolated
                ? $"a random net holds one such unit in block {h.Layer} with probability 1/2 at base width of order 10^{Math.Round(Math.Log10(w)):0} ({half.How})"
                : $"a random net holds one such unit in block {h.Layer} with probability 1/2 at base width about {w:N0} ({half.How})"
            : $"the width at which a random net holds one such unit in block {h.Layer} is {half.How}";
        var edge = edgePopup.Units.Single(u => u.Block == h.Layer);
        return $"On CIFAR-10, read from {dataset}, a convnet {net.InputChannels}-{string.Join("-", net.BlockChannels)} trained to test accuracy {accuracy.Mean:0.00} ({accuracy.Seeds.Length} seeds) has its best held-out automobile detector in block {h.Layer} "
            + $"(quality {h.TrainedQuality:0.00}); random units of block {h.Layer} are that good with density {Density(h)}. Automobile against truck: block {p.Layer}, quality "
            + $"{p.TrainedQuality:0.00}, density {Density(p)}. {char.ToUpperInvariant(halfText[0])}{halfText[1..]}. Edge-popup on the frozen random net reaches test accuracy "
            + $"{edgePopup.TestAccuracy:0.00} and a block-{h.Layer} automobile unit of quality {edge.PrunedQuality:0.00}, against {edge.RandomQuality:0.00} before pruning; "
            + $"readout-only training of the same net reaches {randomFeatures.TestAccuracy:0.00}.";
    }
}
