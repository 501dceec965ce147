256 SHA256:hjuF8Sv+edX/7HGzh5nTchc1Rhkq+xn2b4+6v8Tlpmg fixture chacha20-poly1305 (ED25519)
