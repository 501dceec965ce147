// Passwords and keyboard-interactive answers are secrets: printing, logging or dumping a message that
// holds one shows only how many there are.

extension UserAuthMethod.Password: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        newPassword == nil ? "Password(<redacted>)" : "Password(<redacted>, new: <redacted>)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension UserAuthInfoResponseMessage: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "UserAuthInfoResponseMessage(\(responses.count) responses, <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["count": responses.count], displayStyle: .struct) }
}
