#!/usr/bin/env python3
"""Writes vectors.json: ML-KEM-768 key pairs from fixed 64-byte seeds (d || z, FIPS 203's seed
form), a ciphertext encapsulated to each by pyca/cryptography (OpenSSL's ML-KEM) and the key it
carries. Tests/SSHCryptoTests/MLKEM768Tests.swift derives the same keys from the seeds and opens
the ciphertexts."""
import hashlib
import json
import os

from cryptography.hazmat.primitives.asymmetric import mlkem

vectors = []
for i in range(3):
    seed = hashlib.sha512(b"paramiko-swift mlkem768 vector %d" % i).digest()
    private = mlkem.MLKEM768PrivateKey.from_seed_bytes(seed)
    public = private.public_key().public_bytes_raw()
    shared, ciphertext = private.public_key().encapsulate()
    vectors.append({"seed": seed.hex(), "encapsulationKeySHA256": hashlib.sha256(public).hexdigest(),
                    "ciphertext": ciphertext.hex(), "sharedKey": shared.hex()})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json"), "w") as handle:
    json.dump(vectors, handle, indent=1)
