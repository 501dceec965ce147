import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// This process's CPU time and peak resident set, from `getrusage(RUSAGE_SELF)`: what the
/// in-process measurements report beside their throughput and latency.
struct ResourceUsage {
    /// User plus system CPU seconds so far.
    var cpuSeconds: Double
    /// The peak resident set size in bytes so far (`ru_maxrss`).
    var peakRSSBytes: Int

    /// The figures now.
    static func current() -> ResourceUsage {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            let rssUnit = 1024  // kilobytes on Linux
        #else
            getrusage(RUSAGE_SELF, &usage)
            let rssUnit = 1  // bytes on Darwin
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ResourceUsage(
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), peakRSSBytes: Int(usage.ru_maxrss) * rssUnit)
    }
}
