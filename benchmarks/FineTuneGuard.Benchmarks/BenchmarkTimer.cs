using System;
using System.Diagnostics;

namespace FineTuneGuard.Benchmarks;

/// <summary>The timing method of the peer (torch_peer.py): 2 warm-ups, 7 timed repetitions, median / min / max.</summary>
internal static class BenchmarkTimer
{
    public const int Warmups = 2;
    public const int Repetitions = 7;

    public static (double MedianMs, double MinMs, double MaxMs) Time(Action run)
    {
        for (int i = 0; i < Warmups; i++)
        {
            run();
        }

        var times = new double[Repetitions];
        for (int i = 0; i < Repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[Repetitions / 2], times[0], times[^1]);
    }
}
