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

    /// <summary>
    /// Tensors already made (for example a net's hidden features of the images, for a linear probe); the instance owns them
    /// and frees them. Rows of images and labels must agree; labels are int64 class indices below <paramref name="classes"/>.
    /// </summary>
    public TensorData(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int classes)
    {
        if (trainX.shape[0] != trainY.shape[0]) throw new ArgumentException($"trainX has {trainX.shape[0]} rows and trainY {trainY.shape[0]}; accepted: one label per image.", nameof(trainY));
        if (testX.shape[0] != testY.shape[0]) throw new ArgumentException($"testX has {testX.shape[0]} rows and testY {testY.shape[0]}; accepted: one label per image.", nameof(testY));
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "accepted: 2 or more classes");
        (TrainX, TrainY, TestX, TestY, Classes) = (trainX, trainY, testX, testY, classes);
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
