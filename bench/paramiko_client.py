#!/usr/bin/env python3
"""Python paramiko as a peer for `make bench`: one connection per process, as `ssh` and `sftp` do.

    paramiko_client.py PORT USER KEY CIPHER exec COMMAND       connect + authenticate + run COMMAND
    paramiko_client.py PORT USER KEY CIPHER repeat COUNT       the same COUNT+1 times in this process (the
                                                               first untimed); prints milliseconds as JSON
    paramiko_client.py PORT USER KEY CIPHER get REMOTE LOCAL   SFTPClient.get
    paramiko_client.py PORT USER KEY CIPHER put LOCAL REMOTE   SFTPClient.put

Every connection asks for curve25519-sha256, an ssh-ed25519 host key and CIPHER, as the other clients do.
"""
import json
import statistics
import sys
import time

import paramiko

HOST_KEYS = ["ssh-ed25519"]


def connect(port, user, key, cipher):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    transport_keys = paramiko.Transport._preferred_keys
    kex = paramiko.Transport._preferred_kex
    ciphers = paramiko.Transport._preferred_ciphers
    client.connect(
        "127.0.0.1", port=port, username=user, key_filename=key, look_for_keys=False, allow_agent=False,
        disabled_algorithms={
            "keys": [name for name in transport_keys if name not in HOST_KEYS],
            "kex": [name for name in kex if name != "curve25519-sha256@libssh.org"],
            "ciphers": [name for name in ciphers if name != cipher],
        })
    return client


def run(client, command):
    _, stdout, _ = client.exec_command(command)
    status = stdout.channel.recv_exit_status()
    if status != 0:
        sys.exit("%s exited with %d" % (command, status))


def main():
    port, user, key, cipher, action = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    arguments = sys.argv[6:]
    if action == "repeat":
        samples = []
        for index in range(int(arguments[0]) + 1):
            start = time.perf_counter()
            client = connect(port, user, key, cipher)
            run(client, "true")
            client.close()
            if index > 0:
                samples.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"median": statistics.median(samples), "min": min(samples), "max": max(samples)}))
        return
    client = connect(port, user, key, cipher)
    try:
        if action == "exec":
            run(client, arguments[0])
        elif action == "get":
            client.open_sftp().get(arguments[0], arguments[1])
        elif action == "put":
            client.open_sftp().put(arguments[0], arguments[1])
        else:
            sys.exit("unknown action " + action)
    finally:
        client.close()


if __name__ == "__main__":
    main()
