using System.Runtime.InteropServices;
using TicketLab.Setup;

namespace TicketLab.Tests.Setup;

/// <summary>Alone (no test beside it shares this thread's heaps), counting the page faults of the thread it makes.</summary>
[Collection("torch")]
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
        if (!TorchRuntime.AllocatorTuned) return; // another C library, or TICKETLAB_ALLOCATOR=system: nothing was set, nothing to check
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
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Round();
                var before = ThreadMinorFaults();
                for (var i = 0; i < rounds; i++) Round();
                faults = ThreadMinorFaults() - before;
            }
            catch (Exception e)
            {
                failure = e; // rethrown below: an exception on this thread would end the test process
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("the allocation rounds failed", failure);
        // Under glibc's defaults the emptied heaps are unmapped after each round and paged in again: about 400,000 faults
        // here, and about 160,000 with the thresholds but no top pad (measured once each, in a probe), against none.
        Assert.True(faults < rounds * blocks * (bytes / 4096) / 10, $"{faults} page faults for {rounds} rounds of {blocks} blocks of {bytes >> 20} MB; {TorchRuntime.Allocator}");
    }
}
