namespace TicketLab;

/// <summary>Least-squares line fits shared by the studies and the verdict.</summary>
public static class Fit
{
    /// <summary>Least-squares slope of y against x; NaN with fewer than two points.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) return double.NaN;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        return points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
    }

    /// <summary>Least-squares slope of log y against log x (the exponent of a power law), over the points where both are positive and finite.</summary>
    public static double LogLogSlope(IEnumerable<double> x, IEnumerable<double> y) =>
        Slope(x.Zip(y).Where(p => p.First > 0 && p.Second > 0 && double.IsFinite(p.Second)).Select(p => (Math.Log(p.First), Math.Log(p.Second))).ToList());
}
