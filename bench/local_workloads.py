"""Workloads with no peer server: packet protection and the in-memory transport next to
`openssl speed`, and our client against our server in one process."""
import json
import subprocess

import report
from measure import summary
from settings import END_TO_END_MB, PARAMIKO, ROUNDS, SECONDS, TRANSPORT_MB


def openssl_speed(args):
    """MB/s from `openssl speed -elapsed ARGS -bytes 32768` (figures are in 1000s of bytes/s)."""
    out = subprocess.run(
        ["openssl", "speed", "-elapsed", *args, "-bytes", "32768", "-seconds", SECONDS],
        capture_output=True, text=True, check=False).stdout
    last = [line for line in out.splitlines() if line.strip()][-1]
    return float(last.split()[-1].rstrip("k")) * 1000 / 1e6


def paramiko_json(*arguments):
    return json.loads(subprocess.run([PARAMIKO, "bench", *arguments, "--json"], capture_output=True, text=True,
                                     check=True).stdout)


def cipher_workload():
    ours_rounds, reference_rounds = [], []
    for _ in range(ROUNDS):
        ours_rounds.append(paramiko_json("cipher", "--seconds", SECONDS))
        cache = {}
        reference = {}
        for row in ours_rounds[-1]:
            cipher_rate = cache.setdefault(("evp", row["opensslCipher"]), openssl_speed(["-evp", row["opensslCipher"]]))
            if row.get("opensslMAC"):
                mac_rate = cache.setdefault(("hmac", row["opensslMAC"]), openssl_speed(["-hmac", row["opensslMAC"]]))
                reference[row["name"]] = 1 / (1 / cipher_rate + 1 / mac_rate)
            else:
                reference[row["name"]] = cipher_rate
        reference_rounds.append(reference)
    rows = []
    report.heading("cipher: packet protection on 32 KiB packets, MB/s (median of %d interleaved rounds)" % ROUNDS)
    print("%-56s %9s %9s %9s %6s" % ("cipher + mac", "seal", "open", "openssl", "ratio"))
    for index, row in enumerate(ours_rounds[0]):
        name = row["name"]
        seal = summary([r[index]["sealMBps"] for r in ours_rounds])
        open_ = summary([r[index]["openMBps"] for r in ours_rounds])
        ref = summary([r[name] for r in reference_rounds])
        # openssl speed has no UMAC: such rows stand beside the cipher alone, without a ratio.
        umac = "umac-" in name
        ratio = None if umac else min(seal["median"], open_["median"]) / ref["median"]
        print("%-56s %9.0f %9.0f %9.0f %6s" % (name, seal["median"], open_["median"], ref["median"],
                                              "-" if ratio is None else "%.2f" % ratio))
        rows.append({"name": name, "sealMBps": seal, "openMBps": open_, "opensslMBps": ref, "ratio": ratio,
                     **({"opensslCipherOnly": True} if umac else {})})
    print("openssl = `openssl speed -elapsed` of the same primitives, cipher and HMAC combined as 1/(1/c + 1/m); "
          "for UMAC, which openssl speed lacks, the cipher alone (no ratio)")
    return rows


def transport_workload():
    """Client and server machines in one thread: each payload byte is sealed once and opened once,
    so the libcrypto bound is 1/(2/c) for AEAD and 1/(2/c + 2/m) with a separate MAC."""
    ours_rounds, reference_rounds = [], []
    for _ in range(ROUNDS):
        ours_rounds.append(paramiko_json("transport", "--megabytes", TRANSPORT_MB))
        reference = {}
        for row in ours_rounds[-1]:
            cost = 2 / openssl_speed(["-evp", row["opensslCipher"]])
            if row.get("opensslMAC"):
                cost += 2 / openssl_speed(["-hmac", row["opensslMAC"]])
            reference[row["name"]] = 1 / cost
        reference_rounds.append(reference)
    rows = []
    report.heading("transport: in-memory client -> server, %s MB of 32 KiB payloads, MB/s (median of %d rounds)"
                   % (TRANSPORT_MB, ROUNDS))
    print("%-56s %9s %11s %12s %6s" % ("cipher + mac", "ours", "min-max", "libcrypto", "ratio"))
    for index, row in enumerate(ours_rounds[0]):
        name = row["name"]
        ours = summary([r[index]["MBps"] for r in ours_rounds])
        ref = summary([r[name] for r in reference_rounds])
        ratio = ours["median"] / ref["median"]
        print("%-56s %9.0f %5.0f-%-5.0f %12.0f %6.2f" % (name, ours["median"], ours["min"], ours["max"], ref["median"], ratio))
        rows.append({"name": name, "MBps": ours, "libcryptoBoundMBps": ref, "ratio": ratio})
    print("libcrypto = the bound `openssl speed -elapsed` sets for sealing and opening every byte once")
    return rows


def end_to_end_workload():
    """`paramiko bench end-to-end` once per round: SSHClient against SSHServer over loopback in one
    process, each cipher down and up; CPU is the whole process's, both ends."""
    rounds = [paramiko_json("end-to-end", "--megabytes", str(END_TO_END_MB)) for _ in range(ROUNDS)]
    report.heading("end-to-end: SSHClient <-> SSHServer in one process, %d MiB each way, loopback TCP "
                   "(median of %d rounds; CPU of both ends)" % (END_TO_END_MB, ROUNDS))
    print("%-44s %5s %s %8s %7s" % ("cipher", "way", report.RATE_HEADER, "peak RSS", "target"))
    rows = []
    for index, row in enumerate(rounds[0]):
        entry = {"MBps": summary([r[index]["MBps"] for r in rounds]),
                 "cpuSecondsPerGiB": summary([r[index]["cpuSecondsPerGiB"] for r in rounds]),
                 "peakRSSBytes": max(r[index]["peakRSSBytes"] for r in rounds)}
        rows.append({"cipher": row["cipher"], "direction": row["direction"], "bytes": row["bytes"], **entry})
        print("%-44s %5s %s %8s %7s" % (row["cipher"], row["direction"], report.rate(entry),
                                        report.mebibytes(entry["peakRSSBytes"]), ">= 1000"))
    return rows
