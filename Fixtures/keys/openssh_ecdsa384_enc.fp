384 SHA256:nWMl8hL7b2LxKEAxEoGDra0saIqmvOL/ZZWmQXh+gIE fixture ecdsa384 encrypted (ECDSA)
