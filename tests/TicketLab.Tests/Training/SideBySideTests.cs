using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Training;

[Collection("torch")]
public class SideBySideTests
{
    [Fact]
    public void Jobs_run_once_each_all_at_once_when_asked_even_beyond_the_core_count_each_on_one_LibTorch_thread()
    {
        var jobs = Environment.ProcessorCount + 2;
        var ran = new int[jobs];
        var threads = new int[jobs];
        // Every job waits for all the others: this ends only if all of them run at the same time.
        using var allStarted = new Barrier(jobs);
        var reports = 0;
        SideBySide.Run(Enumerable.Range(0, jobs).Reverse().ToList(), jobs, k =>
        {
            Interlocked.Increment(ref ran[k]);
            threads[k] = get_num_threads();
            Assert.True(allStarted.SignalAndWait(TimeSpan.FromSeconds(30)), "the jobs did not all run at once");
        }, () => Interlocked.Increment(ref reports));
        Assert.All(ran, n => Assert.Equal(1, n));
        Assert.All(threads, n => Assert.Equal(IntraOpThreads.SmallStepThreads, n));
        Assert.True(reports >= 1, "the report is called at least once, at the end");
    }

    [Fact]
    public void At_most_the_given_number_run_at_once_in_the_given_order()
    {
        var running = 0;
        var most = 0;
        var started = new List<int>();
        SideBySide.Run([3, 1, 4, 0, 2], 2, k =>
        {
            lock (started) started.Add(k);
            var now = Interlocked.Increment(ref running);
            int seen;
            while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
            Thread.Sleep(20);
            Interlocked.Decrement(ref running);
        }, null);
        Assert.Equal([0, 1, 2, 3, 4], started.Order());
        // Jobs are taken in the given order: when the last one (2) is taken, the four before it have been.
        Assert.True(started.IndexOf(2) >= 3, $"started in the order {string.Join(", ", started)}");
        Assert.InRange(most, 1, 2);
        Assert.Throws<ArgumentOutOfRangeException>("atOnce", () => SideBySide.Run([0], 0, _ => { }, null));
    }

    [Fact]
    public void When_the_report_throws_the_running_jobs_end_before_it_is_rethrown_and_no_new_job_starts()
    {
        var running = 0;
        var started = 0;
        using var go = new ManualResetEventSlim();
        var error = Assert.Throws<InvalidOperationException>(() => SideBySide.Run(Enumerable.Range(0, 6).ToList(), 2, _ =>
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            go.Wait(TimeSpan.FromSeconds(30));
            Thread.Sleep(200);
            Interlocked.Decrement(ref running);
        }, () =>
        {
            go.Set();
            throw new InvalidOperationException("the display failed");
        }));
        Assert.Equal("the display failed", error.Message);
        Assert.Equal(0, Volatile.Read(ref running));
        Assert.Equal(2, started);
    }

    [Fact]
    public void The_first_failure_in_time_is_the_one_rethrown()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SideBySide.Run([0, 1], 2, k =>
        {
            // Worker order and failure order differ: job 0 fails last.
            if (k == 0) { Thread.Sleep(300); throw new InvalidOperationException("late"); }
            throw new InvalidOperationException("early");
        }, null));
        Assert.Equal("early", error.Message);
    }

    [Fact]
    public void A_failure_is_rethrown_as_itself_and_no_new_job_starts_after_it()
    {
        var started = 0;
        var error = Assert.Throws<InvalidOperationException>(() => SideBySide.Run(Enumerable.Range(0, 10).ToList(), 1, k =>
        {
            Interlocked.Increment(ref started);
            if (k == 2) throw new InvalidOperationException("job 2 diverged");
        }, null));
        Assert.Equal("job 2 diverged", error.Message);
        Assert.Equal(3, started);
    }
}
