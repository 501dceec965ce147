"""What `make bench` measures processes with: wall time, CPU time and peak RSS of a client from
`wait4`, a server's CPU from /proc/PID/stat, and the summaries (median, min, max) it reports."""
import glob
import os
import statistics
import subprocess
import tempfile
import time

GIB = 1 << 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A measured command failed; the message carries the end of its standard error."""


class Run:
    """One finished process: wall seconds, user+sys CPU seconds (its own and its waited-for
    children's, as wait4 reports them) and peak RSS in bytes."""

    def __init__(self, seconds, cpu, rss):
        self.seconds, self.cpu, self.rss = seconds, cpu, rss


def run_measured(argv, stdin_path=None, env=None, cwd=None):
    """Runs argv with stdout to /dev/null and stdin from stdin_path (or /dev/null), and returns its Run."""
    with tempfile.TemporaryFile() as errors, open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            detail = errors.read().decode(errors="replace").strip()[-1500:]
            raise BenchError("%s exited with %d: %s" % (" ".join(argv[:2]), process.returncode, detail))
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def throughput(runs, size):
    """MB/s and CPU seconds per GiB of the runs that each moved `size` bytes, and their peak RSS."""
    return {"MBps": summary([size / run.seconds / 1e6 for run in runs]),
            "cpuSecondsPerGiB": summary([run.cpu * GIB / size for run in runs]),
            "peakRSSBytes": max(run.rss for run in runs)}


def paired_ratio(ours, theirs):
    """The median, over the rounds, of our MB/s over theirs within each round (runs of one size,
    listed in round order): the ratio least moved by the machine's drift from round to round."""
    return statistics.median(their.seconds / our.seconds for our, their in zip(ours, theirs))


def latency(runs):
    """Milliseconds per process, CPU milliseconds per process and peak RSS of the runs."""
    return {"ms": summary([run.seconds * 1000 for run in runs]),
            "cpuMs": summary([run.cpu * 1000 for run in runs]),
            "peakRSSBytes": max(run.rss for run in runs)}


def process_cpu(pid):
    """(own, children's) user+sys CPU seconds of a running process, from /proc/PID/stat; the
    children's part counts only children it has already waited for."""
    with open("/proc/%d/stat" % pid) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(value) / CLOCK_TICKS for value in fields[11:15])
    return utime + stime, cutime + cstime


def peak_rss(pid):
    """A running process's peak RSS in bytes (VmHWM)."""
    with open("/proc/%d/status" % pid) as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class CPUGroup:
    """A control group holding a server and every process it starts, so its CPU time counts them
    all, whether or not the server waits for them (sshd's session processes' times never reach
    the listener's /proc/PID/stat). cgroup v2's cpu.stat or v1's cpuacct; `create` returns None
    where neither can be made (not root, no cgroup file system)."""

    ROOTS = ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/cpuacct")

    def __init__(self, path):
        self.path = path
        self.v2 = os.path.exists(os.path.join(path, "cpu.stat"))

    @classmethod
    def create(cls, name):
        for root in cls.ROOTS:
            if not os.path.exists(os.path.join(root, "cgroup.procs")):
                continue
            path = os.path.join(root, "paramiko-bench.%d.%s" % (os.getpid(), name))
            try:
                os.mkdir(path)
            except OSError:
                continue
            group = cls(path)
            if group.v2 or os.path.exists(os.path.join(path, "cpuacct.usage")):
                return group
            group.remove()
        return None

    def join(self):
        """Moves the calling process into the group (a Popen preexec_fn: the server then starts in it)."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as handle:
            handle.write(str(os.getpid()))

    def cpu_seconds(self):
        if self.v2:
            with open(os.path.join(self.path, "cpu.stat")) as handle:
                for line in handle:
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) / 1e6
            return 0.0
        with open(os.path.join(self.path, "cpuacct.usage")) as handle:
            return int(handle.read()) / 1e9

    def process_count(self):
        with open(os.path.join(self.path, "cgroup.procs")) as handle:
            return len(handle.read().split())

    def wait_until_alone(self, timeout=10.0):
        """Waits until only the server's own process is left in the group."""
        deadline = time.monotonic() + timeout
        while self.process_count() > 1 and time.monotonic() < deadline:
            time.sleep(0.01)

    def remove(self):
        for _ in range(100):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.05)


def wait_for_children(pid, timeout=10.0):
    """Waits until a server has reaped every child (a connection's processes end just after the
    client does), so its children's CPU is in /proc/PID/stat."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = ""
        for path in glob.glob("/proc/%d/task/*/children" % pid):
            with open(path) as handle:
                children += handle.read().strip()
        if not children:
            return
        time.sleep(0.01)
