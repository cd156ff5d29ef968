using TorchSharp;
using static TorchSharp.torch;

namespace TicketLab;

/// <summary>
/// Tensor operations with a number, holding the number's <see cref="Scalar"/> alive until the native call returns.
/// TorchSharp 0.107 turns a number passed to <c>mul</c>, <c>add</c>, <c>pow</c> and the like into a temporary Scalar, a
/// managed object with a finalizer that nothing references once its handle has been read. A garbage collection that
/// another thread starts during the call can then free the Scalar before LibTorch reads it, and the call fails with
/// "Unknown scalar type" or "Expected false to be true" (notebook 01's estimator, with runs side by side, once in a
/// rerun of the suite; a probe with a thread forcing collections: 11 failures in 20 s, none with the Scalar held). The
/// values are the same as the plain calls' (the same number becomes the same Scalar). Code that runs beside other
/// threads uses these; <see cref="Training.SafeStep"/> does the same for the optimizers.
/// </summary>
public static class HeldScalars
{
    /// <summary>Runs <paramref name="operation"/> with <paramref name="value"/> as a Scalar that lives until it returns.</summary>
    static Tensor With(double value, Func<Scalar, Tensor> operation) => Held(value.ToScalar(), operation);

    /// <summary>Runs <paramref name="operation"/> with <paramref name="scalar"/> and frees it when the call has returned.</summary>
    static Tensor Held(Scalar scalar, Func<Scalar, Tensor> operation)
    {
        using (scalar) return operation(scalar);
    }

    /// <summary><c>t.eq(value)</c> with an integer value, as an integer Scalar (labels against a class).</summary>
    public static Tensor EqualTo(this Tensor t, long value) => Held(value.ToScalar(), t.eq);

    /// <summary><c>t.mul(value)</c>.</summary>
    public static Tensor Times(this Tensor t, double value) => With(value, t.mul);

    /// <summary><c>t.mul_(value)</c>, in place.</summary>
    public static Tensor TimesInPlace(this Tensor t, double value) => With(value, t.mul_);

    /// <summary><c>t.add(value)</c>.</summary>
    public static Tensor Plus(this Tensor t, double value) => With(value, t.add);

    /// <summary><c>t.sub_(value)</c>, in place.</summary>
    public static Tensor MinusInPlace(this Tensor t, double value) => With(value, t.sub_);

    /// <summary><c>t.add(other, alpha: alpha)</c>: t + alpha·other.</summary>
    public static Tensor PlusScaled(this Tensor t, Tensor other, double alpha) => With(alpha, a => t.add(other, a));

    /// <summary><c>t.pow(exponent)</c>.</summary>
    public static Tensor Power(this Tensor t, double exponent) => With(exponent, t.pow);

    /// <summary><c>t.gt(value)</c>.</summary>
    public static Tensor Above(this Tensor t, double value) => With(value, t.gt);

    /// <summary><c>t.index_fill_(dim, index, value)</c>, in place.</summary>
    public static Tensor FillAt(this Tensor t, long dim, Tensor index, double value) => With(value, v => t.index_fill_(dim, index, v));

    /// <summary><c>full_like(like, value)</c>.</summary>
    public static Tensor FullLike(Tensor like, double value) => With(value, v => full_like(like, v));

    /// <summary><c>t.div(value)</c>.</summary>
    public static Tensor DividedBy(this Tensor t, double value) => With(value, v => t.div(v));

    /// <summary><c>t.clamp_min(value)</c>.</summary>
    public static Tensor AtLeast(this Tensor t, double value) => With(value, t.clamp_min);

    /// <summary><c>t.clamp(min, max)</c>.</summary>
    public static Tensor Clamped(this Tensor t, double min, double max) => With(min, low => With(max, high => t.clamp(low, high)));

    /// <summary><c>t.add_(value)</c>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor t, double value) => With(value, v => t.add_(v));

    /// <summary><c>t.sub(value)</c>.</summary>
    public static Tensor Minus(this Tensor t, double value) => With(value, v => t.sub(v));

    /// <summary><c>t.div_(value)</c>, in place.</summary>
    public static Tensor DividedByInPlace(this Tensor t, double value) => With(value, v => t.div_(v));

    /// <summary><c>t.le(value)</c>.</summary>
    public static Tensor AtMost(this Tensor t, double value) => With(value, t.le);

    /// <summary><c>t.clamp_min_(value)</c>, in place.</summary>
    public static Tensor AtLeastInPlace(this Tensor t, double value) => With(value, t.clamp_min_);

    /// <summary><c>t.clamp_(min, max)</c>, in place.</summary>
    public static Tensor ClampedInPlace(this Tensor t, double min, double max) => With(min, low => With(max, high => t.clamp_(low, high)));
}
