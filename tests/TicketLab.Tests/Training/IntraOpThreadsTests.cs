using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Training;

[Collection("torch")]
public class IntraOpThreadsTests
{
    [Fact]
    public void Each_thread_that_opens_a_scope_runs_on_one_thread_and_gets_its_count_back()
    {
        if (Environment.ProcessorCount < 2) return;
        var observed = new int[2];
        var restored = new int[2];
        var bothOpen = new Barrier(2);
        void Worker(int i)
        {
            // A worker that has used LibTorch before (its first call initializes its count from the last one set
            // anywhere) and runs on two threads.
            get_num_threads();
            set_num_threads(2);
            using (IntraOpThreads.ForStep(parameters: 266_610, batchSize: 128))
            {
                bothOpen.SignalAndWait(); // both scopes open at once, as IMP trainings side by side
                observed[i] = get_num_threads();
                Assert.True(IntraOpThreads.IsSingleThreaded);
                bothOpen.SignalAndWait();
            }
            restored[i] = get_num_threads();
        }
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() => Worker(i))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal([1, 1], observed);
        Assert.Equal([2, 2], restored);
    }

    [Fact]
    public void Large_steps_keep_the_thread_count()
    {
        var before = get_num_threads();
        using (IntraOpThreads.ForStep(parameters: 2_000_000, batchSize: 500))
            Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void A_bad_thread_count_is_named_with_what_is_accepted()
    {
        var error = Assert.Throws<ArgumentException>(() => IntraOpThreads.Parse("two"));
        Assert.Contains("TICKETLAB_THREADS='two'", error.Message);
        Assert.Contains("1 to 256", error.Message);
        Assert.Throws<ArgumentException>(() => IntraOpThreads.Parse("0"));
        Assert.Equal(2, IntraOpThreads.Parse("2"));
        Assert.Null(IntraOpThreads.Parse(" "));
    }
}
