"""Table cells for `make bench`: MB/s with its range and CPU seconds per GiB, milliseconds with
their range, and peak RSS."""

RATE_HEADER = "%6s %11s %6s" % ("MB/s", "min-max", "s/GiB")
TIME_HEADER = "%7s %13s" % ("ms", "min-max")


def rate(entry):
    """`entry` from measure.throughput: median MB/s, its min-max, median CPU s/GiB."""
    mbps = entry["MBps"]
    return "%6.0f %5.0f-%-5.0f %6.2f" % (mbps["median"], mbps["min"], mbps["max"], entry["cpuSecondsPerGiB"]["median"])


def time(entry):
    """A summary of milliseconds: median and min-max."""
    return "%7.1f %6.1f-%-6.1f" % (entry["median"], entry["min"], entry["max"])


def mebibytes(size):
    return "%d MiB" % round(size / 1048576)


def heading(text):
    print("\n== " + text)
