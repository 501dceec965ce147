import NIOCore

extension ChannelRequestType {
    /// Decodes the data of request `name`, consuming `data` exactly.
    static func decode(name: String, from data: inout ByteBuffer) throws(WireError) -> Self {
        let request: Self
        switch name {
        case "pty-req":
            let term = try data.readSSHUTF8String()
            let size = try WindowSize(decoding: &data)
            let modes = try TerminalModes(decoding: try data.readSSHString())
            request = .pseudoTerminal(PseudoTerminal(term: term, size: size, modes: modes))
        case "x11-req":
            let single = try data.readSSHBoolean()
            let authProtocol = try data.readSSHUTF8String()
            let cookie = try data.readSSHUTF8String()
            request = .x11(
                X11Forwarding(
                    singleConnection: single, authenticationProtocol: authProtocol, authenticationCookie: cookie,
                    screenNumber: try data.readSSHUInt32()))
        case "env":
            let variable = try data.readSSHUTF8String()
            request = .environment(name: variable, value: try data.readSSHUTF8String())
        case "shell":
            request = .shell
        case "exec":
            request = .exec(command: try data.readSSHUTF8String())
        case "subsystem":
            request = .subsystem(name: try data.readSSHUTF8String())
        case "window-change":
            request = .windowChange(try WindowSize(decoding: &data))
        case "xon-xoff":
            request = .xonXoff(clientCanDo: try data.readSSHBoolean())
        case "signal":
            request = .signal(name: try data.readSSHUTF8String())
        case "exit-status":
            request = .exitStatus(try data.readSSHUInt32())
        case "exit-signal":
            let signal = try data.readSSHUTF8String()
            let core = try data.readSSHBoolean()
            let message = try data.readSSHUTF8String()
            request = .exitSignal(
                ExitSignal(
                    signalName: signal, coreDumped: core, errorMessage: message,
                    languageTag: try data.readSSHUTF8String()))
        case "break":
            request = .break(milliseconds: try data.readSSHUInt32())
        case "auth-agent-req@openssh.com":
            request = .authAgent
        case "eow@openssh.com":
            request = .endOfWrite
        case "keepalive@openssh.com":
            request = .keepAlive
        default:
            return .unknown(name: name, data: data.readSSHRemainingBytes())
        }
        try data.expectSSHEnd(of: "channel request \(name)")
        return request
    }

    /// Writes the request-specific data (not the name).
    func encodeData(into buffer: inout ByteBuffer) {
        switch self {
        case .pseudoTerminal(let pty):
            buffer.writeSSHString(pty.term)
            pty.size.encode(into: &buffer)
            buffer.writeSSHString { modes in pty.modes.encode(into: &modes) }
        case .x11(let x11):
            buffer.writeSSHBoolean(x11.singleConnection)
            buffer.writeSSHString(x11.authenticationProtocol)
            buffer.writeSSHString(x11.authenticationCookie)
            buffer.writeSSHUInt32(x11.screenNumber)
        case .environment(let name, let value):
            buffer.writeSSHString(name)
            buffer.writeSSHString(value)
        case .exec(let text), .subsystem(let text), .signal(let text):
            buffer.writeSSHString(text)
        case .windowChange(let size):
            size.encode(into: &buffer)
        case .xonXoff(let flag):
            buffer.writeSSHBoolean(flag)
        case .exitStatus(let number), .break(let number):
            buffer.writeSSHUInt32(number)
        case .exitSignal(let signal):
            buffer.writeSSHString(signal.signalName)
            buffer.writeSSHBoolean(signal.coreDumped)
            buffer.writeSSHString(signal.errorMessage)
            buffer.writeSSHString(signal.languageTag)
        case .shell, .authAgent, .endOfWrite, .keepAlive:
            break
        case .unknown(_, let data):
            buffer.writeImmutableBuffer(data)
        }
    }
}
