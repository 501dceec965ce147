import SFTP

/// Owner and group names by id, numbers where a name is unknown.
struct SFTPOwnerNames {
    var users: [UInt32: String] = [:]
    var groups: [UInt32: String] = [:]

    /// The owner of `attributes`.
    func owner(_ attributes: SFTPAttributes) -> String {
        attributes.uid.map { users[$0] ?? String($0) } ?? "0"
    }

    /// The group of `attributes`.
    func group(_ attributes: SFTPAttributes) -> String {
        attributes.gid.map { groups[$0] ?? String($0) } ?? "0"
    }
}
