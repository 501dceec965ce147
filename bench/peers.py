"""The servers and files `make bench` runs against: a scratch directory with user keys and an
authorized_keys file, the user to log in as, an OpenSSH sshd with its own config, and `paramiko serve`."""
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from measure import CPUGroup, peak_rss, process_cpu, wait_for_children

# The account the tests use (Tests/SSHTestSupport/TestUser.swift): /bin/sh as its shell, so a
# remote command starts without rc files.
BENCH_USER = "paramikotest"
BENCH_PASSWORD = "Paramiko-test-1"


def bench_user():
    """The user to log in as: as root, the test account (created as the tests create it); otherwise ourselves."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam(BENCH_USER)
    except KeyError:
        subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", BENCH_USER], check=True)
        # A password unlocks the account: sshd refuses locked ones even for key logins.
        subprocess.run(["chpasswd"], input=("%s:%s\n" % (BENCH_USER, BENCH_PASSWORD)).encode(), check=True)
    return BENCH_USER


class BenchSetup:
    """The scratch directory (on tmpfs when there is one, so disks do not set the pace) with the
    user keys, an authorized_keys file naming them, and the data files, made on first use."""

    def __init__(self):
        parent = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.directory = tempfile.mkdtemp(prefix="paramiko-bench.", dir=parent)
        os.chmod(self.directory, 0o755)
        self.user = bench_user()
        self.keys = {}
        for name, kind, bits in (("ed25519", "ed25519", None), ("rsa3072", "rsa", "3072"), ("p256", "ecdsa", "256")):
            path = os.path.join(self.directory, "user_" + name)
            subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", kind, *(["-b", bits] if bits else []), "-f", path],
                           check=True)
            self.keys[name] = path
        self.authorized_keys = os.path.join(self.directory, "authorized_keys")
        with open(self.authorized_keys, "w") as handle:
            for path in self.keys.values():
                with open(path + ".pub") as public:
                    handle.write(public.read())
        os.chmod(self.authorized_keys, 0o644)
        # Where the servers read and write files, as the bench user; and the client's side.
        self.remote = os.path.join(self.directory, "remote")
        self.local = os.path.join(self.directory, "local")
        os.mkdir(self.remote)
        os.mkdir(self.local)
        entry = pwd.getpwnam(self.user)
        os.chown(self.remote, entry.pw_uid, entry.pw_gid)
        self.files = {}

    def zeros(self, size):
        """A file of `size` zero bytes (sparse: reading it costs no disk), for `ssh ... < file`."""
        path = os.path.join(self.directory, "zeros.%d" % size)
        if path not in self.files:
            with open(path, "wb") as handle:
                handle.truncate(size)
            self.files[path] = True
        return path

    def random_file(self, size):
        """A file of `size` pseudo-random bytes in the remote directory, readable by the bench user."""
        path = os.path.join(self.remote, "source.%d" % size)
        if path not in self.files:
            block = os.urandom(1 << 20)
            with open(path, "wb") as handle:
                for offset in range(0, size, len(block)):
                    handle.write(block[:min(len(block), size - offset)])
            os.chmod(path, 0o644)
            self.files[path] = True
        return path

    def warm_pages(self, size):
        """Writes and deletes `size` bytes in the scratch directory, so that a run that then writes
        a file of that size gets pages the host already backs. A virtual machine that hands freed
        memory back to its host (free page reporting: Firecracker, virtio-balloon) makes the first
        touch of each such page a host fault, charged to whichever process touches it; a 512 MiB
        file written just after another was deleted pays that or not by the timing of the report.
        Every client's run is preceded by this alike."""
        path = os.path.join(self.directory, "warm")
        block = bytes(1 << 20)
        with open(path, "wb") as handle:
            for _ in range(0, size, len(block)):
                handle.write(block)
        os.unlink(path)

    def remove(self):
        shutil.rmtree(self.directory, ignore_errors=True)


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process):
    for _ in range(500):
        if process.poll() is not None:
            raise RuntimeError("the server exited with %d before listening" % process.returncode)
        with contextlib.closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError("nothing listens on port %d" % port)


class Server:
    """A running server: its name, port, process id, and the control group it runs in (None
    where none could be made)."""

    def __init__(self, name, port, pid, group):
        self.name, self.port, self.pid, self.group = name, port, pid, group

    def settle(self):
        """Waits until the processes of finished connections have ended (and been reaped)."""
        if self.group:
            self.group.wait_until_alone()
        wait_for_children(self.pid)

    def cpu_seconds(self):
        """CPU seconds of the server and everything it started: its control group's; else its own
        and its reaped children's from /proc (which misses what they did not wait for)."""
        if self.group:
            return self.group.cpu_seconds()
        own, children = process_cpu(self.pid)
        return own + children

    def own_cpu_seconds(self):
        """CPU seconds of the server's own process."""
        return process_cpu(self.pid)[0]

    def peak_rss(self):
        return peak_rss(self.pid)


@contextlib.contextmanager
def server_group(name):
    group = CPUGroup.create(name)
    try:
        yield group
    finally:
        if group:
            group.remove()


def host_keys(directory, kinds):
    """New host keys in `directory`, one per (ssh-keygen type, bits or None); returns their paths."""
    paths = []
    for kind, bits in kinds:
        path = os.path.join(directory, "host_" + kind)
        subprocess.run(["ssh-keygen", "-q", "-N", "", "-t", kind, *(["-b", bits] if bits else []), "-f", path],
                       check=True)
        paths.append(path)
    return paths


@contextlib.contextmanager
def sshd(setup):
    """An OpenSSH sshd on 127.0.0.1 with its own config and host keys, reading setup's
    authorized_keys; stopped on exit."""
    directory = tempfile.mkdtemp(prefix="sshd.", dir=setup.directory)
    os.makedirs("/run/sshd", exist_ok=True)
    keys = host_keys(directory, (("ed25519", None), ("rsa", "3072"), ("ecdsa", "256")))
    port = free_port()
    config = os.path.join(directory, "sshd_config")
    with open(config, "w") as handle:
        handle.write("\n".join([
            "Port %d" % port, "ListenAddress 127.0.0.1", "PidFile %s/sshd.pid" % directory, "UsePAM no",
            "StrictModes no", "MaxStartups 100:30:200", "LogLevel QUIET", "PrintMotd no", "PrintLastLog no",
            "AuthorizedKeysFile %s" % setup.authorized_keys,
            "Subsystem sftp /usr/lib/openssh/sftp-server",
        ] + ["HostKey " + key for key in keys]) + "\n")
    sshd_path = shutil.which("sshd") or "/usr/sbin/sshd"
    with server_group("sshd") as group:
        process = subprocess.Popen([sshd_path, "-D", "-e", "-f", config], stderr=subprocess.DEVNULL,
                                   preexec_fn=group.join if group else None)
        try:
            wait_for_port(port, process)
            yield Server("sshd", port, process.pid, group)
        finally:
            process.terminate()
            process.wait()
            if group:
                group.wait_until_alone(timeout=5)


@contextlib.contextmanager
def paramiko_serve(paramiko, setup):
    """`paramiko serve` on 127.0.0.1 with Ed25519 and ECDSA P-256 host keys, exec through /bin/sh,
    setup's authorized_keys; stopped with SIGTERM on exit."""
    environment = dict(os.environ, SHELL="/bin/sh")
    directory = tempfile.mkdtemp(prefix="serve.", dir=setup.directory)
    keys = host_keys(directory, (("ed25519", None), ("ecdsa", "256")))
    with server_group("serve") as group:
        process = subprocess.Popen(
            [paramiko, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", setup.authorized_keys, "--root", "/",
             "--allow-exec", "--log-level", "warning", *[part for key in keys for part in ("--host-key", key)]],
            stdout=subprocess.PIPE, text=True, env=environment, cwd=setup.remote,
            preexec_fn=group.join if group else None)
        try:
            port = None
            for line in process.stdout:
                if line.startswith("listening on "):
                    port = int(line.rsplit(":", 1)[1])
                    break
            if port is None:
                raise RuntimeError("paramiko serve exited with %s before listening" % process.wait())
            wait_for_port(port, process)
            yield Server("paramiko serve", port, process.pid, group)
        finally:
            process.stdout.close()
            process.send_signal(signal.SIGTERM)
            try:
                status = process.wait(timeout=20)
                if status != 0:
                    print("warning: paramiko serve exited with %d on SIGTERM" % status)
            except subprocess.TimeoutExpired:
                print("warning: paramiko serve did not stop on SIGTERM; killed")
                process.kill()
                process.wait()
