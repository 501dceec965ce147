2048 SHA256:3nmQZ+TyIkKyI+TP+bbDVwXFLMA0U2Vpbo+5+JEOJM0 fixture rsa encrypted (RSA)
