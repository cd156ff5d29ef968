namespace TicketLab.Nets;

/// <summary>How weights are scaled at initialization, in the forward pass and by the learning rate.</summary>
public enum Parametrization
{
    /// <summary>PyTorch-style: W ~ N(0, σw²/fan_in), used as is (He et al. 2015 for ReLU).</summary>
    Standard,
    /// <summary>NTK (Jacot et al. 2018): W ~ N(0, 1), used as (σw/√fan_in)·W; bias as σb·b. Training goes lazy as width grows.</summary>
    Ntk,
    /// <summary>Mean-field / μP (Yang &amp; Hu 2021; Yang et al. 2022, Table 3): features keep moving at any width.</summary>
    MeanField,
}

/// <summary>Nonlinearity between layers.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>An MLP's shape and parametrization. Defaults: the suite's baseline 784-300-100-10 ReLU net, standard parametrization.</summary>
/// <param name="Widths">Layer sizes from input to output, e.g. [784, 300, 100, 10] (at least input and output).</param>
/// <param name="Parametrization">Standard, NTK or mean-field/μP.</param>
/// <param name="Activation">ReLU (default) or tanh.</param>
/// <param name="WeightStd">σw: weight standard deviation times √fan_in (√2, He init for ReLU, by default).</param>
/// <param name="BiasStd">σb: bias standard deviation at init; under NTK also the bias multiplier (0 disables biases there).</param>
/// <param name="BaseWidth">μP only: the width at which every learning-rate multiplier is 1 (Yang et al. 2022's base shape).</param>
public sealed record MlpOptions(
    int[]? Widths = null,
    Parametrization Parametrization = Parametrization.Standard,
    Activation Activation = Activation.Relu,
    double WeightStd = 1.4142135623730951,
    double BiasStd = 0.0,
    int BaseWidth = 64)
{
    /// <summary>The layer sizes, with the baseline's when none were given.</summary>
    public int[] LayerSizes => Widths ?? [784, 300, 100, 10];

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field, its value and what is accepted.</summary>
    public MlpOptions Validate()
    {
        var sizes = LayerSizes;
        if (sizes.Length < 2)
            throw new ArgumentOutOfRangeException(nameof(Widths), $"[{string.Join(", ", sizes)}]", "accepted: at least two sizes (input and output), e.g. [784, 300, 100, 10]");
        if (sizes.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(Widths), $"[{string.Join(", ", sizes)}]", "accepted: every size at least 1");
        if (!Enum.IsDefined(Parametrization))
            throw new ArgumentOutOfRangeException(nameof(Parametrization), Parametrization, "accepted: Standard, Ntk, MeanField");
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "accepted: Relu, Tanh");
        if (!(WeightStd > 0) || double.IsInfinity(WeightStd))
            throw new ArgumentOutOfRangeException(nameof(WeightStd), WeightStd, "accepted: a finite number > 0 (√2 for ReLU)");
        if (!(BiasStd >= 0) || double.IsInfinity(BiasStd))
            throw new ArgumentOutOfRangeException(nameof(BiasStd), BiasStd, "accepted: a finite number >= 0");
        if (BaseWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(BaseWidth), BaseWidth, "accepted: at least 1");
        return this;
    }

    /// <summary>A short description such as "784-300-100-10 ReLU, standard".</summary>
    public override string ToString() => $"{string.Join("-", LayerSizes)} {Activation}, {Parametrization}";
}
