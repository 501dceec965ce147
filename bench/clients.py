"""The command lines of the clients `make bench` compares: `paramiko ssh` and `paramiko sftp`,
OpenSSH's `ssh` and `sftp`, and python paramiko (bench/paramiko_client.py), all with the same
options: no config file, the given key only, curve25519-sha256 and an ssh-ed25519 host key (or the
algorithms a workload names), and the cipher and MAC under test."""
import os
import sys

PYTHON_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "paramiko_client.py")


KEX = "curve25519-sha256"
HOST_KEY = "ssh-ed25519"


def options(key, cipher=None, mac=None, kex=KEX, host_key=HOST_KEY):
    """-o options every ssh-like client gets."""
    settings = ["IdentitiesOnly=yes", "IdentityAgent=none", "BatchMode=yes", "StrictHostKeyChecking=no",
                "UserKnownHostsFile=/dev/null", "LogLevel=ERROR", "GSSAPIAuthentication=no",
                "KexAlgorithms=" + kex, "HostKeyAlgorithms=" + host_key]
    if cipher:
        settings.append("Ciphers=" + cipher)
    if mac:
        settings.append("MACs=" + mac)
    arguments = ["-i", key]
    for setting in settings:
        arguments += ["-o", setting]
    return arguments


def ssh(program, server, user, key, command, cipher=None, mac=None, kex=KEX, host_key=HOST_KEY):
    """`ssh -F none ... user@127.0.0.1 command` with `program` as ssh (a list: ["ssh"] or [paramiko, "ssh"])."""
    return [*program, "-F", "none", "-p", str(server.port), *options(key, cipher, mac, kex, host_key),
            "%s@127.0.0.1" % user, command]


def sftp(program, server, user, key, batch, cipher=None):
    """`sftp -b batch ... user@127.0.0.1` with `program` as sftp. OpenSSH's sftp passes -F to the ssh it
    starts; `paramiko sftp` takes no -F and reads no user config here (there is none), only the -o options."""
    config = ["-F", "none"] if program == ["sftp"] else []
    return [*program, *config, "-q", "-b", batch, "-P", str(server.port), *options(key, cipher),
            "%s@127.0.0.1" % user]


def python(server, user, key, cipher, *action):
    """bench/paramiko_client.py with `action` (exec COMMAND, repeat COUNT, get REMOTE LOCAL, put LOCAL REMOTE)."""
    return [sys.executable, PYTHON_CLIENT, str(server.port), user, key, cipher, *action]
