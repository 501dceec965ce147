extension SSHPublicKey {
    /// The public key stored in the clear in an `openssh-key-v1` file (PROTOCOL.key), readable without
    /// the passphrase; nil for other formats.
    public static func fromOpenSSHPrivateKeyFile(_ text: String) throws(KeyFileError) -> SSHPublicKey? {
        guard let armor = try PEMArmor.first(in: text), armor.label == OpenSSHKeyFormat.label else { return nil }
        return try OpenSSHKeyFormat.readPublicKey(armor.body)
    }

    /// The public key and comment a private key file holds in the clear, readable without the
    /// passphrase: an `openssh-key-v1` file's public key (PROTOCOL.key; its comment is encrypted, so
    /// empty here) or a PuTTY `.ppk` file's public blob and comment (PuTTY manual appendix C). Nil for
    /// formats that keep no public key beside the private one.
    public static func fromPrivateKeyFile(_ text: String) throws(KeyFileError) -> (key: SSHPublicKey, comment: String)?
    {
        if PuTTYKeyFormat.recognises(text) { return try PuTTYKeyFormat.readPublicKey(text) }
        return try fromOpenSSHPrivateKeyFile(text).map { ($0, "") }
    }
}
