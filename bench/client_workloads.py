"""Our clients against OpenSSH's sshd, beside OpenSSH's clients and python paramiko, interleaved:
bulk exec (`paramiko ssh` vs `ssh`), connect + authenticate + `true` latency, and SFTP get and put."""
import json
import os
import subprocess

import clients
import report
from measure import latency, paired_ratio, run_measured, summary, throughput
from peers import paramiko_serve, sshd
from settings import CIPHER, CONNECTS, EXEC_CIPHERS, EXEC_MB, PARAMIKO, ROUNDS, SFTP_MB, WARM_MARGIN

OURS_SSH = [PARAMIKO, "ssh"]
OURS_SFTP = [PARAMIKO, "sftp"]


def interleaved(commands, rounds=ROUNDS, before=None):
    """Runs each command of `commands` (name -> (argv, stdin path)) in turn, `rounds` times over,
    calling `before()` ahead of each run; returns name -> [Run]."""
    runs = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (argv, stdin) in commands.items():
            if before:
                before()
            runs[name].append(run_measured(argv, stdin_path=stdin))
    return runs


def ratio(ours, theirs):
    return ours["MBps"]["median"] / theirs["MBps"]["median"]


def cpu_ratio(ours, theirs):
    return ours["cpuSecondsPerGiB"]["median"] / theirs["cpuSecondsPerGiB"]["median"]


def exec_throughput_workload(setup):
    """`paramiko ssh host 'head -c N /dev/zero' > /dev/null` and `... 'cat > /dev/null' < file` next to
    OpenSSH's ssh with the same options, per cipher; client CPU from wait4."""
    size = EXEC_MB << 20
    zeros = setup.zeros(size)
    key = setup.keys["ed25519"]
    rows = []
    with sshd(setup) as server:
        for cipher, mac in EXEC_CIPHERS:
            for direction, command, stdin in (("down", "head -c %d /dev/zero" % size, None),
                                              ("up", "cat > /dev/null", zeros)):
                runs = interleaved({
                    "paramikoSsh": (clients.ssh(OURS_SSH, server, setup.user, key, command, cipher, mac), stdin),
                    "ssh": (clients.ssh(["ssh"], server, setup.user, key, command, cipher, mac), stdin),
                })
                ours, theirs = throughput(runs["paramikoSsh"], size), throughput(runs["ssh"], size)
                rows.append({"cipher": cipher + (" + " + mac if mac else ""), "direction": direction, "bytes": size,
                             "paramikoSsh": ours, "ssh": theirs, "ratio": ratio(ours, theirs),
                             "pairedRatio": paired_ratio(runs["paramikoSsh"], runs["ssh"]),
                             "cpuRatio": cpu_ratio(ours, theirs)})
    report.heading("exec-throughput: %d MiB through one exec channel of sshd, whole client processes "
                   "(median of %d interleaved rounds; client CPU s/GiB)" % (EXEC_MB, ROUNDS))
    print("%-44s %4s | %-26s | %-26s | %5s %6s %5s %7s" % ("cipher", "way", "paramiko ssh", "OpenSSH ssh", "ratio",
                                                             "paired", "cpu", "RSS"))
    print("%-44s %4s | %s | %s |" % ("", "", report.RATE_HEADER, report.RATE_HEADER))
    for row in rows:
        print("%-44s %4s | %s | %s | %5.2f %6.2f %5.2f %7s" % (
            row["cipher"], row["direction"], report.rate(row["paramikoSsh"]), report.rate(row["ssh"]), row["ratio"],
            row["pairedRatio"], row["cpuRatio"], report.mebibytes(row["paramikoSsh"]["peakRSSBytes"])))
    print("ratio = our median MB/s over ssh's (target >= 1.0); paired = median of that ratio within each round; "
          "cpu = our CPU/GiB over ssh's (target <= 1.0); RSS = ours, peak")
    return rows


def library_latency(server, setup, key):
    """`paramiko bench latency` once: connect + auth + `true` CONNECTS times in one warm process."""
    output = subprocess.run(
        [PARAMIKO, "bench", "latency", "--port", str(server.port), "--user", setup.user, "-i", key,
         "--count", str(CONNECTS), "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def python_latency(server, setup, key):
    """Python paramiko's SSHClient doing the same CONNECTS times in one warm process."""
    output = subprocess.run(clients.python(server, setup.user, key, CIPHER, "repeat", str(CONNECTS)),
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def latency_workload(setup):
    """Connect + authenticate + `true` + disconnect, per user key: whole processes of `paramiko ssh`,
    `ssh` and python paramiko interleaved one by one, then the warm in-process figures of our
    library and of python paramiko once per round; and our library against `paramiko serve`,
    which shows how much of the in-process figure is sshd's own (it forks, re-executes itself
    and starts a session process for every connection)."""
    rows = []
    with sshd(setup) as server, paramiko_serve(PARAMIKO, setup) as ours:
        for name in ("ed25519", "rsa3072"):
            key = setup.keys[name]
            runs = interleaved({
                "paramikoSsh": (clients.ssh(OURS_SSH, server, setup.user, key, "true", CIPHER), None),
                "ssh": (clients.ssh(["ssh"], server, setup.user, key, "true", CIPHER), None),
                "python": (clients.python(server, setup.user, key, CIPHER, "exec", "true"), None),
            }, rounds=ROUNDS * CONNECTS)
            library, python_warm, library_to_ours = [], [], []
            for _ in range(ROUNDS):
                library.append(library_latency(server, setup, key))
                python_warm.append(python_latency(server, setup, key))
                library_to_ours.append(library_latency(ours, setup, key))
            row = {"userKey": name, **{client: latency(results) for client, results in runs.items()},
                   "library": {"ms": summary([result["milliseconds"]["median"] for result in library]),
                               "cpuMsPerConnection": summary([result["cpuMillisecondsPerConnection"]
                                                              for result in library]),
                               "peakRSSBytes": max(result["peakRSSBytes"] for result in library)},
                   "pythonInProcess": {"ms": summary([result["median"] for result in python_warm])},
                   "libraryToParamikoServe": {"ms": summary([result["milliseconds"]["median"]
                                                             for result in library_to_ours])}}
            row["ratio"] = row["paramikoSsh"]["ms"]["median"] / row["ssh"]["ms"]["median"]
            rows.append(row)
    report.heading("latency: connect + authenticate + `true` against sshd, ms (median of %d processes each, "
                   "interleaved; in-process: median of %d rounds of %d)" % (ROUNDS * CONNECTS, ROUNDS, CONNECTS))
    print("%-8s %-24s %s %9s %8s" % ("key", "client", report.TIME_HEADER, "CPU ms", "peak RSS"))
    for row in rows:
        for client, label in (("paramikoSsh", "paramiko ssh"), ("ssh", "OpenSSH ssh"), ("python", "python paramiko")):
            entry = row[client]
            print("%-8s %-24s %s %9.1f %8s" % (row["userKey"], label, report.time(entry["ms"]),
                                               entry["cpuMs"]["median"], report.mebibytes(entry["peakRSSBytes"])))
        library = row["library"]
        print("%-8s %-24s %s %9.1f %8s" % (row["userKey"], "library, in process", report.time(library["ms"]),
                                           library["cpuMsPerConnection"]["median"],
                                           report.mebibytes(library["peakRSSBytes"])))
        print("%-8s %-24s %s" % (row["userKey"], "python, in process", report.time(row["pythonInProcess"]["ms"])))
        print("%-8s %-24s %s" % (row["userKey"], "library, paramiko serve", report.time(row["libraryToParamikoServe"]["ms"])))
        print("%-8s paramiko ssh / ssh = %.2f (target <= 1.0); library target <= 50 ms" % (row["userKey"], row["ratio"]))
    return rows


def sftp_batch(setup, name, line):
    path = os.path.join(setup.directory, name + ".batch")
    with open(path, "w") as handle:
        handle.write(line + "\n")
    return path


def sftp_workload(setup):
    """A SFTP_MB file downloaded and uploaded through sshd: `paramiko sftp -b`, OpenSSH `sftp -b`
    and python paramiko's SFTPClient, interleaved, each a whole process, all with aes128-gcm."""
    size = SFTP_MB << 20
    source = setup.random_file(size)
    key = setup.keys["ed25519"]
    rows = []
    with sshd(setup) as server:
        for direction, remote, local in (("get", source, os.path.join(setup.local, "downloaded")),
                                         ("put", os.path.join(setup.remote, "uploaded"), None)):
            target = local or remote
            batch = sftp_batch(setup, direction, "get %s %s" % (remote, local) if local else "put %s %s" % (source, remote))
            python_action = ("get", remote, local) if local else ("put", source, remote)

            def before_run():
                if os.path.exists(target):
                    os.unlink(target)
                setup.warm_pages(size + WARM_MARGIN)

            runs = interleaved({
                "paramikoSftp": (clients.sftp(OURS_SFTP, server, setup.user, key, batch, CIPHER), None),
                "sftp": (clients.sftp(["sftp"], server, setup.user, key, batch, CIPHER), None),
                "python": (clients.python(server, setup.user, key, CIPHER, *python_action), None),
            }, before=before_run)
            if os.path.getsize(target) != size:
                raise RuntimeError("sftp %s moved %d bytes, not %d" % (direction, os.path.getsize(target), size))
            row = {"direction": direction, "bytes": size,
                   **{client: throughput(results, size) for client, results in runs.items()}}
            row["ratio"] = ratio(row["paramikoSftp"], row["sftp"])
            row["pairedRatio"] = paired_ratio(runs["paramikoSftp"], runs["sftp"])
            row["pythonRatio"] = ratio(row["paramikoSftp"], row["python"])
            row["pythonCpuRatio"] = cpu_ratio(row["python"], row["paramikoSftp"])
            rows.append(row)
    report.heading("sftp: a %d MiB file through sshd, whole client processes, %s (median of %d interleaved rounds; "
                   "client CPU s/GiB)" % (SFTP_MB, CIPHER, ROUNDS))
    print("%-4s | %-26s | %-26s | %-26s | %5s %6s %5s %5s %7s" % (
        "way", "paramiko sftp", "OpenSSH sftp", "python paramiko", "ratio", "paired", "py", "py cpu", "RSS"))
    for row in rows:
        print("%-4s | %s | %s | %s | %5.2f %6.2f %5.2f %5.1f %7s" % (
            row["direction"], report.rate(row["paramikoSftp"]), report.rate(row["sftp"]), report.rate(row["python"]),
            row["ratio"], row["pairedRatio"], row["pythonRatio"], row["pythonCpuRatio"],
            report.mebibytes(row["paramikoSftp"]["peakRSSBytes"])))
    print("ratio = our median MB/s over OpenSSH sftp's (target >= 1.2 at <= 2.0 s/GiB); paired = median of that "
          "ratio within each round; py = ours over python paramiko (target >= 2); py cpu = python's CPU/GiB over ours (target >= 4)")
    return rows
