"""`make bench`'s sizes and paths, from the environment so a short run is one variable away."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The release binary `make bench` builds; BENCH_PARAMIKO points elsewhere (another scratch path).
PARAMIKO = os.path.abspath(os.environ.get("BENCH_PARAMIKO") or os.path.join(ROOT, ".build", "release", "paramiko"))
# Interleaved rounds of every comparison.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# Seconds `openssl speed` and `paramiko bench cipher` spend on each primitive.
SECONDS = os.environ.get("BENCH_SECONDS", "1")
# Megabytes through the in-memory transport for each cipher.
TRANSPORT_MB = os.environ.get("BENCH_TRANSPORT_MB", "512")
# MiB through one exec channel, each way, each cipher, each client (and from each server).
EXEC_MB = int(os.environ.get("BENCH_EXEC_MB", "1024"))
# Bytes warmed beyond a transfer's size before each SFTP run (BenchSetup.warm_pages).
WARM_MARGIN = 64 << 20
# MiB of the file SFTP gets and puts.
SFTP_MB = int(os.environ.get("BENCH_SFTP_MB", os.environ.get("BENCH_SFTP_MIB", "512")))
# Processes per client and key in each latency round (and connections of the in-process figure).
CONNECTS = int(os.environ.get("BENCH_CONNECTS", "10"))
# Connections the concurrent OpenSSH clients make against each server in each round.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "200"))
# How many OpenSSH clients connect at once.
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
# MiB each way, each cipher, of our client against our server in one process.
END_TO_END_MB = int(os.environ.get("BENCH_E2E_MB", "1024"))
# Comma-separated workload keys to run (all by default); a partial run writes bench/results.json
# only when BENCH_RESULTS names another file.
ONLY = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
RESULTS = os.environ.get("BENCH_RESULTS") or os.path.join(ROOT, "bench", "results.json")

# The ciphers the exec comparison covers: (cipher, MAC or None for an AEAD cipher).
EXEC_CIPHERS = [("aes128-gcm@openssh.com", None), ("chacha20-poly1305@openssh.com", None),
                ("aes128-ctr", "hmac-sha2-256-etm@openssh.com")]
# The cipher of the SFTP, latency and server comparisons (python paramiko lacks chacha20-poly1305).
CIPHER = "aes128-gcm@openssh.com"
