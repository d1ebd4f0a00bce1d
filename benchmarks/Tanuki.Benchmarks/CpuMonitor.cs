using System.Diagnostics;
using System.Globalization;

namespace Tanuki.Benchmarks;

/// <summary>
/// How busy the rest of the machine was while something was measured: the machine's busy CPU time (from
/// <c>/proc/stat</c>) minus this process's own CPU time, per second of wall time, i.e. the average number of cores
/// other processes took. Also the hypervisor's steal time (a virtual machine's cores taken by its neighbours).
/// Linux only; elsewhere the figures are NaN.
/// </summary>
internal readonly record struct CpuSnapshot(double MachineBusySeconds, double StealSeconds, double OwnSeconds, long Timestamp)
{
    private const double TicksPerSecond = 100;   // USER_HZ, 100 on every Linux architecture that matters

    public static CpuSnapshot Take()
    {
        using var self = Process.GetCurrentProcess();
        double own = self.TotalProcessorTime.TotalSeconds;
        var (busy, steal) = ReadProcStat();
        return new CpuSnapshot(busy, steal, own, Stopwatch.GetTimestamp());
    }

    /// <summary>(cores other processes used on average, cores stolen by the hypervisor on average) since <paramref name="start"/>.</summary>
    public (double OtherCores, double StealCores) Since(CpuSnapshot start)
    {
        double wall = Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds;
        if (wall <= 0) return (double.NaN, double.NaN);
        double other = (MachineBusySeconds - start.MachineBusySeconds - (OwnSeconds - start.OwnSeconds)) / wall;
        return (Math.Max(0, other), (StealSeconds - start.StealSeconds) / wall);
    }

    private static (double Busy, double Steal) ReadProcStat()
    {
        try
        {
            string line = File.ReadLines("/proc/stat").First();   // cpu user nice system idle iowait irq softirq steal guest guest_nice
            long[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            long busy = f[0] + f[1] + f[2] + f[5] + f[6];
            long steal = f.Length > 7 ? f[7] : 0;
            return (busy / TicksPerSecond, steal / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (double.NaN, double.NaN);
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages, or an empty string where /proc/loadavg does not exist.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
