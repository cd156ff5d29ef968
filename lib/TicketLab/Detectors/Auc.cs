using static TorchSharp.torch;

namespace TicketLab.Detectors;

/// <summary>
/// Exact ROC AUC of many units at once (Mann-Whitney U with mid-ranks, so ties count half), and the class
/// selectivity index of Morcos et al. 2018. One sort per unit: O(n log n), batched over units on tensors.
/// </summary>
public static class Auc
{
    /// <summary>
    /// AUC of every unit (column of <paramref name="activations"/>, N x U) for "x is in class c" vs "x is not",
    /// for every class: a C x U float64 tensor. An AUC below 0.5 means the unit detects c by low activation.
    /// </summary>
    public static Tensor ClassVsRest(Tensor activations, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        return ClassVsRestRows(activations.t().contiguous(), labels, classes).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// As <see cref="ClassVsRest"/>, with one unit per row (U x N, contiguous): the layout the sampler produces.
    /// Rank sums are kept as exact integers (twice the mid-rank), so the AUC is exact for any N.
    /// </summary>
    public static Tensor ClassVsRestRows(Tensor rows, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        var (units, n) = (rows.shape[0], rows.shape[1]);
        if (labels.shape.Length != 1 || labels.shape[0] != n)
            throw new ArgumentException($"labels has shape [{string.Join(", ", labels.shape)}]; accepted: one label per example ({n}).", nameof(labels));
        var onehot = nn.functional.one_hot(labels, classes);
        var positives = onehot.sum(dim: 0).to(ScalarType.Float64);
        if (positives.min().item<double>() < 1 || positives.max().item<double>() > n - 1)
            throw new ArgumentException("every class needs at least one example in and one out of it for an AUC.", nameof(labels));
        var (sorted, order) = rows.sort(dim: 1);
        var same = sorted[.., 1..].eq(sorted[.., ..^1]);
        // Ties inside a row are, for ReLU units, the run of zeros at its start; anything else takes the general path.
        var leading = sorted[.., ..1];
        var tiesBeyondLeadingRun = same.logical_and(sorted[.., 1..].ne(leading)).any().item<bool>();
        var twiceRanks = tiesBeyondLeadingRun ? TwiceMidRanksGeneral(sorted) : TwiceMidRanksLeadingRun(sorted, leading);
        var sortedLabels = labels.index_select(0, order.flatten()).view(units, n);
        var rankSums = zeros(units, classes, ScalarType.Int64, rows.device).scatter_add_(1, sortedLabels, twiceRanks);
        var pos = positives.unsqueeze(0);
        var auc = rankSums.to(ScalarType.Float64).div(2).sub(pos.mul(pos.add(1)).div(2)).div(pos.mul(pos.neg().add(n)));
        return auc.t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Twice the 1-based mid-ranks of sorted rows whose only ties are the run equal to their first value.</summary>
    static Tensor TwiceMidRanksLeadingRun(Tensor sorted, Tensor leading)
    {
        var n = sorted.shape[1];
        var runLength = sorted.eq(leading).sum(dim: 1, keepdim: true);
        var twicePosition = arange(2, 2 * n + 1, 2, ScalarType.Int64, sorted.device).unsqueeze(0);
        // Positions 0..k-1 share the mid-rank (k+1)/2; the others keep rank j+1.
        return where(twicePosition.le(runLength.mul(2)), runLength.add(1), twicePosition);
    }

    /// <summary>Twice the 1-based mid-ranks of sorted rows with ties anywhere.</summary>
    static Tensor TwiceMidRanksGeneral(Tensor sorted)
    {
        var (u, n) = (sorted.shape[0], sorted.shape[1]);
        var isNew = cat([ones(u, 1, ScalarType.Bool, sorted.device), sorted[.., 1..].ne(sorted[.., ..^1])], 1);
        var isLast = cat([sorted[.., 1..].ne(sorted[.., ..^1]), ones(u, 1, ScalarType.Bool, sorted.device)], 1);
        var position = arange(n, ScalarType.Int64, sorted.device).unsqueeze(0).expand(u, n);
        // Start of each tie run: running maximum of the positions where a run starts; end: the same from the right.
        var start = where(isNew, position, zeros_like(position)).cummax(dim: 1).values;
        var end = where(isLast, position, full_like(position, n)).flip(1).cummin(dim: 1).values.flip(1);
        return start.add(end).add(2);
    }

    /// <summary>AUC of every unit for "x is in <paramref name="positive"/>" vs "x is in <paramref name="negative"/>" (other examples ignored): U values.</summary>
    public static Tensor OneVsOne(Tensor activations, Tensor labels, int positive, int negative)
    {
        using var scope = NewDisposeScope();
        var keep = labels.EqualTo(positive).logical_or(labels.EqualTo(negative)).nonzero().squeeze(1);
        var binary = labels.index_select(0, keep).EqualTo(positive).to(ScalarType.Int64);
        var auc = ClassVsRest(activations.index_select(0, keep), binary, 2)[1];
        return auc.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Class selectivity index (Morcos et al. 2018): (μ_max − μ_rest) / (μ_max + μ_rest) from the class-mean
    /// activations of each unit (C x U in, U out); 0 where a unit is silent on every class.
    /// </summary>
    public static Tensor SelectivityIndex(Tensor activations, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        var onehot = nn.functional.one_hot(labels, classes).to(activations.dtype);
        var means = onehot.t().mm(activations).div(onehot.sum(dim: 0).unsqueeze(1));
        var max = means.max(dim: 0).values;
        var rest = means.sum(dim: 0).sub(max).DividedBy(classes - 1);
        var denominator = max.add(rest);
        var csi = where(denominator.Above(1e-12), max.sub(rest).div(denominator.AtLeast(1e-12)), zeros_like(max));
        return csi.MoveToOuterDisposeScope();
    }
}
