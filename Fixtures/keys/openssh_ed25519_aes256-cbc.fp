256 SHA256:+y+1chhUulgwMO7hcKlhiJ2pApWIq3gq1GPSREHI360 fixture aes256-cbc (ED25519)
