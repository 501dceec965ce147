#!/bin/sh
# Regenerates Fixtures/keys with ssh-keygen, openssl and puttygen. Every key is fresh, so the expected
# outputs (*.fp: `ssh-keygen -l`; *.pub) are regenerated with them.
set -eu
cd "$(dirname "$0")"
rm -rf keys
mkdir keys
cd keys
PASS="correct horse"

# OpenSSH format, plain and encrypted (aes256-ctr + bcrypt, ssh-keygen's default).
for spec in ed25519:ed25519: ecdsa256:ecdsa:256 ecdsa384:ecdsa:384 ecdsa521:ecdsa:521 rsa:rsa:2048 dsa:dsa:1024; do
    name=${spec%%:*}; rest=${spec#*:}; type=${rest%%:*}; bits=${rest#*:}
    set -- -q -t "$type"
    [ -n "$bits" ] && set -- "$@" -b "$bits"
    ssh-keygen "$@" -N "" -C "fixture $name" -f "openssh_${name}"
    ssh-keygen "$@" -N "$PASS" -C "fixture $name encrypted" -f "openssh_${name}_enc"
done

# OpenSSH format with the other file ciphers.
for cipher in aes128-ctr aes256-cbc aes256-gcm@openssh.com chacha20-poly1305@openssh.com; do
    short=$(echo "$cipher" | cut -d@ -f1)
    ssh-keygen -q -t ed25519 -N "$PASS" -Z "$cipher" -C "fixture $short" -f "openssh_ed25519_${short}"
done

# PEM: PKCS#1 RSA, SEC1 EC, OpenSSL DSA, PKCS#8 of each, plain and encrypted.
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pkcs8_rsa
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out pkcs8_ecdsa256
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out pkcs8_ecdsa384
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out pkcs8_ecdsa521
openssl genpkey -quiet -algorithm ED25519 -out pkcs8_ed25519
openssl genpkey -quiet -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -pkeyopt dsa_paramgen_q_bits:160 -out dsa.param
openssl genpkey -quiet -paramfile dsa.param -out pkcs8_dsa
rm dsa.param
for name in rsa ecdsa256 ecdsa384 ecdsa521 ed25519 dsa; do
    openssl pkcs8 -topk8 -v2 aes-256-cbc -passout "pass:$PASS" -in "pkcs8_$name" -out "pkcs8_${name}_enc"
done
openssl pkey -traditional -in pkcs8_rsa -out pem_rsa
openssl pkey -traditional -in pkcs8_ecdsa256 -out pem_ecdsa256
openssl pkey -traditional -in pkcs8_ecdsa384 -out pem_ecdsa384
openssl pkey -traditional -in pkcs8_ecdsa521 -out pem_ecdsa521
openssl pkey -traditional -in pkcs8_dsa -out pem_dsa
# Legacy encrypted PEM (Proc-Type: 4,ENCRYPTED), one DEK-Info cipher per key.
openssl rsa -traditional -aes128 -passout "pass:$PASS" -in pkcs8_rsa -out pem_rsa_enc 2>/dev/null
openssl ec -aes256 -passout "pass:$PASS" -in pkcs8_ecdsa256 -out pem_ecdsa256_enc 2>/dev/null
openssl ec -aes192 -passout "pass:$PASS" -in pkcs8_ecdsa384 -out pem_ecdsa384_enc 2>/dev/null
openssl ec -des3 -passout "pass:$PASS" -in pkcs8_ecdsa521 -out pem_ecdsa521_enc 2>/dev/null
openssl dsa -des3 -passout "pass:$PASS" -in pkcs8_dsa -out pem_dsa_enc 2>/dev/null
chmod 600 pkcs8_* pem_*

# Public keys and the fingerprints ssh-keygen prints, for every private key.
for key in openssh_* pkcs8_* pem_*; do
    case "$key" in *.pub|*.fp*) continue ;; esac
    if [ ! -f "$key.pub" ]; then
        case "$key" in
        pkcs8_ed25519*)
            # ssh-keygen reads no PKCS#8 Ed25519; build the blob from the raw public key.
            blob=$({ printf '\000\000\000\013ssh-ed25519\000\000\000\040'
                     openssl pkey -in "$key" -passin "pass:$PASS" -pubout -outform DER | tail -c 32; } | openssl base64 -A)
            echo "ssh-ed25519 $blob" > "$key.pub" ;;
        *) ssh-keygen -y -P "$PASS" -f "$key" > "$key.pub" ;;
        esac
    fi
    ssh-keygen -l -f "$key.pub" > "$key.fp"
    ssh-keygen -l -E md5 -f "$key.pub" > "$key.fp-md5"
done

# A small RSA key, which must be refused.
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:768 -out pem_rsa768 2>/dev/null || \
    openssl genrsa -out pem_rsa768 768 2>/dev/null
chmod 600 pem_rsa768

# A CA, a user certificate and a host certificate.
ssh-keygen -q -t ed25519 -N "" -C "fixture ca" -f ca_ed25519
ssh-keygen -q -t ecdsa -b 256 -N "" -C "fixture user" -f cert_user_ecdsa256
ssh-keygen -q -s ca_ed25519 -I "alice@example" -n alice,deploy -V 20200101:20991231 -z 42 \
    -O force-command=/bin/true -O source-address=10.0.0.0/8 cert_user_ecdsa256.pub
ssh-keygen -q -t rsa -b 2048 -N "" -C "fixture host" -f cert_host_rsa
ssh-keygen -q -s ca_ed25519 -I "host.example" -h -n host.example,10.1.2.3 -V always:forever -z 7 cert_host_rsa.pub
ssh-keygen -l -f cert_user_ecdsa256-cert.pub > cert_user_ecdsa256-cert.pub.fp
ssh-keygen -l -f cert_host_rsa-cert.pub > cert_host_rsa-cert.pub.fp

# SSHSIG signatures (ssh-keygen -Y sign) over a fixed message, one per key type.
printf 'signed by ssh-keygen\n' > message.txt
for name in ed25519 ecdsa256 ecdsa384 ecdsa521 rsa dsa; do
    cp message.txt "message_$name.txt"
    ssh-keygen -q -Y sign -f "openssh_$name" -n file "message_$name.txt" 2>/dev/null || rm -f "message_$name.txt"
done
rm message.txt

# Public keys in the other export formats (ssh-keygen -e).
for name in ed25519 ecdsa256 ecdsa384 ecdsa521 rsa dsa; do
    ssh-keygen -e -f "openssh_$name.pub" > "openssh_$name.pub.rfc4716"
done
for name in ecdsa256 ecdsa521 rsa dsa; do
    ssh-keygen -e -m PKCS8 -f "openssh_$name.pub" > "openssh_$name.pub.pkcs8"
done
ssh-keygen -e -m PEM -f openssh_rsa.pub > openssh_rsa.pub.pem

# PuTTY's .ppk files (puttygen, from putty-tools).
sh ../make-ppk-fixtures.sh
