using static TorchSharp.torch;

namespace TicketLab.Data;

/// <summary>A dataset as tensors on one device: standardized images (N x features) and int64 labels.</summary>
public sealed class TensorData : IDisposable
{
    /// <summary>Training images.</summary>
    public Tensor TrainX { get; }
    /// <summary>Training labels.</summary>
    public Tensor TrainY { get; }
    /// <summary>Test images.</summary>
    public Tensor TestX { get; }
    /// <summary>Test labels.</summary>
    public Tensor TestY { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Standardizes both splits with the training set's pixel mean and std and moves them to <paramref name="device"/>.</summary>
    public TensorData(LabeledData data, Device? device = null)
    {
        TrainX = data.Train.ImagesTensor(data.PixelMean, data.PixelStd, device);
        TrainY = data.Train.LabelsTensor(device);
        TestX = data.Test.ImagesTensor(data.PixelMean, data.PixelStd, device);
        TestY = data.Test.LabelsTensor(device);
        Classes = data.Info.ClassNames.Length;
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }
}
