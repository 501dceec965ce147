256 SHA256:fh/NeVj6mwtAht3B8Ua/eWN5DxsSZSwqdRvmHRnUQLA fixture ed25519 encrypted (ED25519)
