extension SSHPublicKey {
    /// The public key stored in the clear in an `openssh-key-v1` file (PROTOCOL.key), readable without
    /// the passphrase; nil for other formats.
    public static func fromOpenSSHPrivateKeyFile(_ text: String) throws(KeyFileError) -> SSHPublicKey? {
        guard let armor = try PEMArmor.first(in: text), armor.label == OpenSSHKeyFormat.label else { return nil }
        return try OpenSSHKeyFormat.readPublicKey(armor.body)
    }
}
