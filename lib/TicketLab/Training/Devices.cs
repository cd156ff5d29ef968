using static TorchSharp.torch;

namespace TicketLab.Training;

/// <summary>Turns a device name into a TorchSharp device, checking that this build of TorchSharp supports it.</summary>
public static class Devices
{
    /// <summary>"cpu", "cuda" or "cuda:N"; CUDA needs a CUDA build of TorchSharp (e.g. the TorchSharp-cuda-linux package) and a GPU.</summary>
    public static Device Parse(string name)
    {
        var lower = (name ?? "").Trim().ToLowerInvariant();
        if (lower == "cpu") return CPU;
        if (lower == "cuda" || (lower.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(lower[5..], out var index) && index >= 0))
        {
            if (!cuda.is_available())
                throw new ArgumentOutOfRangeException("Device", name,
                    "CUDA is not available in this process: this project references TorchSharp's CPU build. Use \"cpu\", or reference a CUDA build of TorchSharp and run on a machine with a GPU.");
            return new Device(lower);
        }
        throw new ArgumentOutOfRangeException("Device", name, "accepted: \"cpu\", \"cuda\" or \"cuda:N\"");
    }
}
