"""`paramiko serve` against OpenSSH's sshd as the server for OpenSSH's clients, interleaved: bulk
exec and SFTP throughput, and connections per second from concurrent clients, with each
server's CPU: that of its control group, so sshd's per-connection processes and the commands
both servers run are in it (peers.Server.cpu_seconds)."""
import os
import threading
import time

import clients
import report
from measure import GIB, paired_ratio, run_measured, summary, throughput
from peers import paramiko_serve, sshd
from settings import CIPHER, CONCURRENCY, CONNECTIONS, EXEC_MB, PARAMIKO, ROUNDS, SFTP_MB, WARM_MARGIN

SERVERS = (("paramikoServe", "paramiko serve"), ("sshd", "OpenSSH sshd"))


def serve_and_measure(server, action):
    """Runs `action()` against `server` and returns (its result, the server's CPU seconds meanwhile)."""
    server.settle()
    before = server.cpu_seconds()
    result = action()
    server.settle()
    return result, server.cpu_seconds() - before


def server_workload(setup):
    """OpenSSH's ssh pulling and pushing EXEC_MB, and OpenSSH's sftp getting and putting an
    SFTP_MB file, from `paramiko serve` and from sshd, alternating servers each run."""
    exec_size, sftp_size = EXEC_MB << 20, SFTP_MB << 20
    key = setup.keys["ed25519"]
    zeros = setup.zeros(exec_size)
    source = setup.random_file(sftp_size)
    downloaded, uploaded = os.path.join(setup.local, "downloaded"), os.path.join(setup.remote, "uploaded")
    get_batch = os.path.join(setup.directory, "server-get.batch")
    put_batch = os.path.join(setup.directory, "server-put.batch")
    with open(get_batch, "w") as handle:
        handle.write("get %s %s\n" % (source, downloaded))
    with open(put_batch, "w") as handle:
        handle.write("put %s %s\n" % (source, uploaded))
    jobs = [
        ("ssh down", exec_size, lambda server: (clients.ssh(["ssh"], server, setup.user, key,
                                                            "head -c %d /dev/zero" % exec_size, CIPHER), None)),
        ("ssh up", exec_size, lambda server: (clients.ssh(["ssh"], server, setup.user, key, "cat > /dev/null",
                                                          CIPHER), zeros)),
        ("sftp get", sftp_size, lambda server: (clients.sftp(["sftp"], server, setup.user, key, get_batch, CIPHER),
                                                None)),
        ("sftp put", sftp_size, lambda server: (clients.sftp(["sftp"], server, setup.user, key, put_batch, CIPHER),
                                                None)),
    ]
    rows = []
    with sshd(setup) as openssh, paramiko_serve(PARAMIKO, setup) as ours:
        servers = {"paramikoServe": ours, "sshd": openssh}
        for name, size, command in jobs:
            runs = {key_: [] for key_ in servers}
            cpu = {key_: [] for key_ in servers}
            for _ in range(ROUNDS):
                for label, server in servers.items():
                    for path in (downloaded, uploaded):
                        if os.path.exists(path):
                            os.unlink(path)
                    if name.startswith("sftp"):
                        setup.warm_pages(size + WARM_MARGIN)
                    argv, stdin = command(server)
                    run, seconds = serve_and_measure(server, lambda: run_measured(argv, stdin_path=stdin))
                    runs[label].append(run)
                    cpu[label].append(seconds * GIB / size)
            row = {"workload": name, "bytes": size}
            for label in servers:
                row[label] = {**throughput(runs[label], size), "serverCpuSecondsPerGiB": summary(cpu[label])}
                # The client's peak RSS is OpenSSH's; the server's is what matters here.
                del row[label]["peakRSSBytes"]
            row["ratio"] = row["paramikoServe"]["MBps"]["median"] / row["sshd"]["MBps"]["median"]
            row["pairedRatio"] = paired_ratio(runs["paramikoServe"], runs["sshd"])
            rows.append(row)
        serve_rss = ours.peak_rss()
    report.heading("server: OpenSSH clients against paramiko serve and sshd, %s, ssh %d MiB, sftp %d MiB "
                   "(median of %d interleaved rounds; client and server CPU s/GiB)" % (CIPHER, EXEC_MB, SFTP_MB, ROUNDS))
    print("%-9s | %-26s %7s | %-26s %7s | %5s %6s" % ("workload", "from paramiko serve", "server", "from sshd", "server",
                                                      "ratio", "paired"))
    print("%-9s | %s %7s | %s %7s |" % ("", report.RATE_HEADER, "s/GiB", report.RATE_HEADER, "s/GiB"))
    for row in rows:
        print("%-9s | %s %7.2f | %s %7.2f | %5.2f %6.2f" % (
            row["workload"], report.rate(row["paramikoServe"]), row["paramikoServe"]["serverCpuSecondsPerGiB"]["median"],
            report.rate(row["sshd"]), row["sshd"]["serverCpuSecondsPerGiB"]["median"], row["ratio"], row["pairedRatio"]))
    print("ratio = median MB/s from paramiko serve over that from sshd (target >= 1.0); paired = median of that ratio "
          "within each round; paramiko serve peak RSS %s"
          % report.mebibytes(serve_rss))
    return {"rows": rows, "paramikoServePeakRSSBytes": serve_rss}


def connect_many(server, setup, key, kex, host_key):
    """CONNECTIONS OpenSSH `ssh ... true` runs, CONCURRENCY at a time; returns the seconds they took
    and the clients' CPU seconds."""
    argv = clients.ssh(["ssh"], server, setup.user, key, "true", CIPHER, kex=kex, host_key=host_key)
    remaining = [CONNECTIONS]
    lock = threading.Lock()
    failures = []
    client_cpu = []

    def worker():
        while True:
            with lock:
                if remaining[0] == 0 or failures:
                    return
                remaining[0] -= 1
            try:
                client_cpu.append(run_measured(argv).cpu)
            except Exception as error:  # noqa: BLE001 - reported after the threads end
                failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise failures[0]
    return seconds, sum(client_cpu)


def connections_workload(setup):
    """Connections per second of CONCURRENCY OpenSSH clients doing connect + auth + `true`, against
    paramiko serve and sshd alternately, and each server's CPU per connection: the whole of it
    (children included: sshd's per-connection processes, the shells running `true`) and, for
    paramiko serve, its own process alone. Ed25519 keys and curve25519-sha256, as the other rows."""
    return connections(setup, setup.keys["ed25519"], clients.KEX, clients.HOST_KEY,
                       "Ed25519 keys, curve25519-sha256")


def connections_p256_workload(setup):
    """The connections row with ECDSA P-256 keys and ecdh-sha2-nistp256. OpenSSH does Ed25519 and
    curve25519 in its own portable code and P-256 through libcrypto, so its clients need about a
    third less CPU per connection here; on two cores shared with the server, that CPU is what
    bounds the Ed25519 row."""
    return connections(setup, setup.keys["p256"], "ecdh-sha2-nistp256", "ecdsa-sha2-nistp256",
                       "ECDSA P-256 keys, ecdh-sha2-nistp256")


def connections(setup, key, kex, host_key, algorithms):
    """connections_workload with the given user key, key exchange and host key algorithm."""
    results = {label: {"rate": [], "cpu": [], "own": [], "client": []} for label, _ in SERVERS}
    with sshd(setup) as openssh, paramiko_serve(PARAMIKO, setup) as ours:
        servers = {"paramikoServe": ours, "sshd": openssh}
        for _ in range(ROUNDS):
            for label, server in servers.items():
                server.settle()
                cpu_before, own_before = server.cpu_seconds(), server.own_cpu_seconds()
                seconds, client_cpu = connect_many(server, setup, key, kex, host_key)
                server.settle()
                results[label]["rate"].append(CONNECTIONS / seconds)
                results[label]["cpu"].append((server.cpu_seconds() - cpu_before) * 1000 / CONNECTIONS)
                results[label]["own"].append((server.own_cpu_seconds() - own_before) * 1000 / CONNECTIONS)
                results[label]["client"].append(client_cpu * 1000 / CONNECTIONS)
        serve_rss = ours.peak_rss()
    row = {"connections": CONNECTIONS, "concurrency": CONCURRENCY, "kex": kex, "hostKey": host_key,
           "paramikoServePeakRSSBytes": serve_rss}
    for label, _ in SERVERS:
        row[label] = {"connectionsPerSecond": summary(results[label]["rate"]),
                      "serverCpuMsPerConnection": summary(results[label]["cpu"]),
                      "clientCpuMsPerConnection": summary(results[label]["client"])}
    row["paramikoServe"]["serverProcessCpuMsPerConnection"] = summary(results["paramikoServe"]["own"])
    row["ratio"] = (row["paramikoServe"]["connectionsPerSecond"]["median"]
                    / row["sshd"]["connectionsPerSecond"]["median"])
    report.heading("connections: %d OpenSSH clients at a time doing connect + auth + `true`, %d per round, %s "
                   "(median of %d interleaved rounds)" % (CONCURRENCY, CONNECTIONS, algorithms, ROUNDS))
    print("%-15s %8s %13s %18s %18s" % ("server", "conn/s", "min-max", "server CPU ms/conn", "client CPU ms/conn"))
    for label, name in SERVERS:
        entry = row[label]
        rate = entry["connectionsPerSecond"]
        print("%-15s %8.1f %6.1f-%-6.1f %18.2f %18.2f" % (name, rate["median"], rate["min"], rate["max"],
                                                          entry["serverCpuMsPerConnection"]["median"],
                                                          entry["clientCpuMsPerConnection"]["median"]))
    print("paramiko serve / sshd = %.2f; paramiko serve's own process: %.2f ms CPU per connection (its shells "
          "excluded); peak RSS %s; targets >= 100 conn/s, <= 5 ms; server CPU includes every process it started, "
          "client CPU is the OpenSSH clients'" % (
              row["ratio"], row["paramikoServe"]["serverProcessCpuMsPerConnection"]["median"],
              report.mebibytes(serve_rss)))
    return row
