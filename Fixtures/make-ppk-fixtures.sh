#!/bin/sh
# Regenerates the PuTTY key fixtures (Fixtures/keys/putty_*) with puttygen (putty-tools 0.78 or
# later). Each key is made by puttygen and written as PPK version 3 and 2, plain and encrypted with
# the passphrase the other fixtures use, and exported to OpenSSH format (`.openssh`) so the tests can
# check that reading the .ppk gives the same key.
set -eu
cd "$(dirname "$0")/keys"
rm -f putty_*
umask 077
PASS="correct horse"
passfile=$(mktemp)
trap 'rm -f "$passfile"' EXIT
printf '%s\n' "$PASS" > "$passfile"

for spec in ed25519:ed25519: ecdsa256:ecdsa:256 ecdsa384:ecdsa:384 ecdsa521:ecdsa:521 rsa:rsa:2048 dsa:dsa:1024; do
    name=${spec%%:*}; rest=${spec#*:}; type=${rest%%:*}; bits=${rest#*:}
    set -- -t "$type"
    [ -n "$bits" ] && set -- "$@" -b "$bits"
    puttygen "$@" -C "putty $name" -o "putty_v3_$name.ppk" --new-passphrase /dev/null
    puttygen "putty_v3_$name.ppk" -O private-openssh-new -o "putty_$name.openssh"
    puttygen "putty_v3_$name.ppk" --reencrypt -O private -o "putty_v2_$name.ppk" --ppk-param version=2
    puttygen "putty_v3_$name.ppk" -P --new-passphrase "$passfile" -O private -o "putty_v2_${name}_enc.ppk" \
        --ppk-param version=2
    # Argon2id at PuTTY's default memory (8 MiB), with a fixed pass count so reading stays quick.
    puttygen "putty_v3_$name.ppk" -P --new-passphrase "$passfile" -O private -o "putty_v3_${name}_enc.ppk" \
        --ppk-param passes=2
done

# PuTTY's defaults exactly (Argon2id, 8 MiB, passes tuned to about 100 ms), and the other flavours
# with several lanes.
puttygen putty_v3_ed25519.ppk -P --new-passphrase "$passfile" -O private -o putty_v3_ed25519_default.ppk
puttygen putty_v3_ecdsa256.ppk -P --new-passphrase "$passfile" -O private -o putty_v3_ecdsa256_argon2i.ppk \
    --ppk-param kdf=argon2i,memory=1024,passes=3,parallelism=2
puttygen putty_v3_rsa.ppk -P --new-passphrase "$passfile" -O private -o putty_v3_rsa_argon2d.ppk \
    --ppk-param kdf=argon2d,memory=2048,passes=2,parallelism=4
for key in putty_v3_*.ppk putty_v2_*.ppk; do
    puttygen "$key" -L > "${key%.ppk}.pub"
done

# A key that carries an OpenSSH certificate (puttygen --certificate), signed by the fixture CA.
ca=$(mktemp)
cp ca_ed25519 "$ca"
chmod 600 "$ca"
puttygen putty_v3_ed25519.ppk -L > putty_cert.pub
ssh-keygen -q -s "$ca" -I "putty cert" -n alice -V always:forever putty_cert.pub
rm -f "$ca" putty_cert.pub
puttygen putty_v3_ed25519.ppk --certificate putty_cert-cert.pub -O private -o putty_v3_ed25519_cert.ppk
puttygen putty_v3_ed25519.ppk --certificate putty_cert-cert.pub -P --new-passphrase "$passfile" -O private \
    -o putty_v2_ed25519_cert_enc.ppk --ppk-param version=2
rm -f putty_cert-cert.pub
