import NIOCore

/// `SSH_MSG_USERAUTH_INFO_REQUEST` (RFC 4256 §3.2): prompts for the user.
public struct UserAuthInfoRequestMessage: SSHMessage {
    public static let messageNumber: UInt8 = 60

    /// One prompt and whether the answer may be echoed.
    public struct Prompt: Hashable, Sendable {
        public var prompt: String
        public var echo: Bool

        public init(prompt: String, echo: Bool) {
            self.prompt = prompt
            self.echo = echo
        }
    }

    /// A title for the prompts (UTF-8).
    public var name: String
    /// Instructions for the user (UTF-8).
    public var instruction: String
    /// The language tag (deprecated by RFC 4256, sent empty).
    public var languageTag: String
    /// The prompts, possibly none.
    public var prompts: [Prompt]

    public init(name: String, instruction: String, languageTag: String = "", prompts: [Prompt]) {
        self.name = name
        self.instruction = instruction
        self.languageTag = languageTag
        self.prompts = prompts
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        name = try payload.readSSHUTF8String()
        instruction = try payload.readSSHUTF8String()
        languageTag = try payload.readSSHUTF8String()
        let count = try payload.readSSHCount(minimumElementSize: 5, of: "INFO_REQUEST prompts")
        prompts = []
        prompts.reserveCapacity(count)
        for _ in 0..<count {
            let prompt = try payload.readSSHUTF8String()
            prompts.append(Prompt(prompt: prompt, echo: try payload.readSSHBoolean()))
        }
        try payload.expectSSHEnd(of: "USERAUTH_INFO_REQUEST")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(name)
        buffer.writeSSHString(instruction)
        buffer.writeSSHString(languageTag)
        buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: prompts.count))
        for prompt in prompts {
            buffer.writeSSHString(prompt.prompt)
            buffer.writeSSHBoolean(prompt.echo)
        }
    }
}

/// `SSH_MSG_USERAUTH_INFO_RESPONSE` (RFC 4256 §3.4): one answer per prompt.
public struct UserAuthInfoResponseMessage: SSHMessage {
    public static let messageNumber: UInt8 = 61

    /// The answers (UTF-8), in prompt order.
    public var responses: [String]

    public init(responses: [String]) { self.responses = responses }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let count = try payload.readSSHCount(minimumElementSize: 4, of: "INFO_RESPONSE responses")
        responses = []
        responses.reserveCapacity(count)
        for _ in 0..<count { responses.append(try payload.readSSHUTF8String()) }
        try payload.expectSSHEnd(of: "USERAUTH_INFO_RESPONSE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: responses.count))
        for response in responses { buffer.writeSSHString(response) }
    }
}
