using System.Runtime.InteropServices;
using TicketLab.Nets;
using TicketLab.Setup;
using static TorchSharp.torch;

namespace TicketLab.Tests.Setup;

public class AllocatorTests
{
    [StructLayout(LayoutKind.Sequential)]
    struct Usage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxResident, Shared, UnsharedData, UnsharedStack, MinorFaults, MajorFaults, Swaps, BlockIn, BlockOut, Sent, Received, Signals, VoluntarySwitches, InvoluntarySwitches;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    static extern int GetUsage(int who, out Usage usage);

    [DllImport("libc", EntryPoint = "malloc")]
    static extern IntPtr Allocate(nuint bytes);

    [DllImport("libc", EntryPoint = "free")]
    static extern void Free(IntPtr block);

    /// <summary>Page faults of the calling thread so far (RUSAGE_THREAD: other tests running at the same time do not count).</summary>
    static long ThreadMinorFaults()
    {
        Assert.Equal(0, GetUsage(1, out var usage));
        return usage.MinorFaults;
    }

    [Fact]
    public void A_freed_block_of_a_batch_activation_is_reused_without_paging_it_in_again()
    {
        if (!OperatingSystem.IsLinux()) return;
        TorchRuntime.EnsureLoaded();
        if (!TorchRuntime.Allocator.StartsWith("glibc", StringComparison.Ordinal) || TorchRuntime.Allocator.Contains("refused", StringComparison.Ordinal))
            return; // another C library: nothing was set, nothing to check
        const int bytes = 16 << 20; // one 128 x 32 x 32 x 32 float32 activation of notebook 04's first block
        const int blocks = 5, rounds = 20;
        // A step holds several such activations and frees them together, as this does; on a thread other than the main
        // one (as a notebook cell's or a side-by-side training's), whose heaps glibc caps at 64 MB: 80 MB spans two.
        void Round()
        {
            var held = new IntPtr[blocks];
            for (var k = 0; k < blocks; k++)
            {
                held[k] = Allocate(bytes);
                Assert.NotEqual(IntPtr.Zero, held[k]);
                for (var offset = 0; offset < bytes; offset += 4096) Marshal.WriteByte(held[k], offset, 1); // one write pages in each page
            }
            for (var k = blocks - 1; k >= 0; k--) Free(held[k]);
        }
        var faults = -1L;
        var thread = new Thread(() =>
        {
            Round();
            var before = ThreadMinorFaults();
            for (var i = 0; i < rounds; i++) Round();
            faults = ThreadMinorFaults() - before;
        });
        thread.Start();
        thread.Join();
        // Under glibc's defaults the emptied heaps are unmapped after each round and paged in again: about 400,000 faults
        // here, and about 160,000 with the thresholds but no top pad (measured once each, in a probe), against none.
        Assert.True(faults < rounds * blocks * (bytes / 4096) / 10, $"{faults} page faults for {rounds} rounds of {blocks} blocks of {bytes >> 20} MB; {TorchRuntime.Allocator}");
    }

    [Fact]
    public void Channels_last_images_give_the_logits_of_the_plain_layout()
    {
        var net = new ConvNet(new ConvNetOptions([8, 16]), seed: 3);
        var images = randn([6, 3, 32, 32], generator: new Generator(5));
        using var _ = no_grad();
        var h = images;
        for (var l = 0; l < 2; l++) h = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(h, net.Weight(l), net.Bias(l), padding: [1, 1])), 2);
        var plain = nn.functional.linear(h.flatten(1), net.Weight(2), net.Bias(2));
        var cl = ConvNet.ChannelsLast(images);
        Assert.Equal([6L, 3, 32, 32], cl.shape);
        Assert.Equal([3072L, 1, 96, 3], cl.stride());
        Assert.True(net.forward(images).allclose(plain, rtol: 1e-5, atol: 1e-5));
        Assert.Equal(cl.stride(), ConvNet.ChannelsLast(cl).stride());
        Assert.Throws<ArgumentException>(() => ConvNet.ChannelsLast(randn([2, 3, 4])));
    }
}
