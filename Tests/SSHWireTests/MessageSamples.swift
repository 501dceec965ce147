import NIOCore
import SSHWire

/// Which dispatch enum decodes a sample, and with what context.
enum SampleRange: Hashable, Sendable {
    case transport
    case keyExchange(KeyExchangeMessage.Family)
    case userAuth(UserAuthMessage.MethodContext)
    case connection

    /// Decodes `payload` through the dispatch enum of this range.
    func decode(_ payload: ByteBuffer) throws(WireError) -> any SSHMessageRange {
        switch self {
        case .transport: try TransportMessage(decodingPayload: payload)
        case .keyExchange(let family): try KeyExchangeMessage(decodingPayload: payload, family: family)
        case .userAuth(let context): try UserAuthMessage(decodingPayload: payload, context: context)
        case .connection: try ConnectionMessage(decodingPayload: payload)
        }
    }
}

/// One sample message and the range that decodes it.
struct Sample: Sendable, CustomStringConvertible {
    let message: any SSHMessage
    let range: SampleRange

    init(_ message: any SSHMessage, _ range: SampleRange) {
        self.message = message
        self.range = range
    }

    var description: String { "\(type(of: message)) \(message)".prefix(160).description }
}

private func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
private func raw(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

/// Sample values covering every message and every case of every enum.
enum Samples {
    static let hostKey = raw(sshString("ssh-ed25519") + sshString([UInt8](repeating: 0x42, count: 32)))
    static let signature = raw(sshString("ssh-ed25519") + sshString([UInt8](repeating: 0x5A, count: 64)))
    static let bigMagnitude = raw([0x80] + [UInt8](repeating: 0x11, count: 31))
    static let smallMagnitude = raw([0x05])
    static let oid = raw([0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02])

    static let kexInit = KexInitMessage(
        cookie: KexInitCookie(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10),
        kexAlgorithms: ["curve25519-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com"],
        serverHostKeyAlgorithms: ["ssh-ed25519", "rsa-sha2-512"],
        encryptionAlgorithmsClientToServer: ["chacha20-poly1305@openssh.com", "aes128-ctr"],
        encryptionAlgorithmsServerToClient: ["aes256-gcm@openssh.com"],
        macAlgorithmsClientToServer: ["hmac-sha2-256-etm@openssh.com"],
        macAlgorithmsServerToClient: ["hmac-sha2-256"],
        compressionAlgorithmsClientToServer: ["none", "zlib@openssh.com"],
        compressionAlgorithmsServerToClient: ["none"],
        languagesClientToServer: [],
        languagesServerToClient: ["en"],
        firstKexPacketFollows: true,
        reserved: 0)

    static let transport: [Sample] =
        DisconnectReason.allDefined.map {
            Sample(DisconnectMessage(reason: $0, description: "bye \($0)", languageTag: "en"), .transport)
        } + [
            Sample(
                DisconnectMessage(reason: DisconnectReason(rawValue: 99), description: ""), .transport),
            Sample(IgnoreMessage(data: raw([0, 1, 2, 0xFF])), .transport),
            Sample(IgnoreMessage(), .transport),
            Sample(UnimplementedMessage(sequenceNumber: 0xDEAD_BEEF), .transport),
            Sample(DebugMessage(alwaysDisplay: true, message: "debug ✓", languageTag: "en"), .transport),
            Sample(ServiceRequestMessage(serviceName: "ssh-userauth"), .transport),
            Sample(ServiceAcceptMessage(serviceName: "ssh-connection"), .transport),
            Sample(
                ExtInfoMessage(extensions: [
                    .init(name: "server-sig-algs", nameList: ["ssh-ed25519", "rsa-sha2-256"]),
                    .init(name: "ping@openssh.com", value: bytes("0")),
                ]), .transport),
            Sample(ExtInfoMessage(extensions: []), .transport),
            Sample(kexInit, .transport),
            Sample(NewKeysMessage(), .transport),
        ]

    static let keyExchange: [Sample] = [
        Sample(KexDHInitMessage(e: bigMagnitude), .keyExchange(.diffieHellman)),
        Sample(
            KexDHReplyMessage(hostKey: hostKey, f: smallMagnitude, signature: signature), .keyExchange(.diffieHellman)),
        Sample(
            KexECDHInitMessage(clientPublicKey: raw([UInt8](repeating: 9, count: 32))), .keyExchange(.ellipticCurve)),
        Sample(
            KexECDHReplyMessage(
                hostKey: hostKey, serverPublicKey: raw([4] + [UInt8](repeating: 7, count: 64)), signature: signature),
            .keyExchange(.ellipticCurve)),
        Sample(KexDHGexRequestOldMessage(preferredBits: 2048), .keyExchange(.groupExchange)),
        Sample(KexDHGexGroupMessage(prime: bigMagnitude, generator: raw([2])), .keyExchange(.groupExchange)),
        Sample(KexDHGexInitMessage(e: smallMagnitude), .keyExchange(.groupExchange)),
        Sample(
            KexDHGexReplyMessage(hostKey: hostKey, f: bigMagnitude, signature: signature),
            .keyExchange(.groupExchange)),
        Sample(
            KexDHGexRequestMessage(minimumBits: 2048, preferredBits: 4096, maximumBits: 8192),
            .keyExchange(.groupExchange)),
        Sample(KexGSSInitMessage(token: raw([0x60, 0x82, 1, 2]), e: bigMagnitude), .keyExchange(.gssapi)),
        Sample(KexGSSContinueMessage(value: raw([0xA1, 0x02])), .keyExchange(.gssapi)),
        Sample(
            KexGSSCompleteMessage(f: bigMagnitude, perMessageToken: raw([1, 2, 3]), token: raw([4, 5])),
            .keyExchange(.gssapi)),
        Sample(KexGSSCompleteMessage(f: smallMagnitude, perMessageToken: raw([1]), token: nil), .keyExchange(.gssapi)),
        Sample(KexGSSHostKeyMessage(value: hostKey), .keyExchange(.gssapi)),
        Sample(
            KexGSSErrorMessage(majorStatus: 0x000D_0000, minorStatus: 7, message: "no creds", languageTag: ""),
            .keyExchange(.gssapi)),
        Sample(
            KexGSSGroupRequestMessage(minimumBits: 1024, preferredBits: 2048, maximumBits: 8192),
            .keyExchange(.gssapi)),
        Sample(KexGSSGroupMessage(prime: bigMagnitude, generator: raw([2])), .keyExchange(.gssapi)),
    ]

    static let hostBased = UserAuthMethod.HostBased(
        algorithm: "ssh-ed25519", publicKey: hostKey, clientHostName: "client.example.com.", clientUserName: "alice",
        signature: signature)

    static let userAuthMethods: [UserAuthMethod] = [
        .none,
        .password(.init(password: "hunter2")),
        .password(.init(password: "old", newPassword: "new ✓")),
        .publicKey(.init(algorithm: "rsa-sha2-512", publicKey: hostKey)),
        .publicKey(.init(algorithm: "ssh-ed25519", publicKey: hostKey, signature: signature)),
        .hostBased(hostBased),
        .keyboardInteractive(languageTag: "", submethods: "pam,bsdauth"),
        .gssapiWithMIC(mechanisms: [oid, raw([0x06, 0x01, 0x00])]),
        .gssapiWithMIC(mechanisms: []),
        .gssapiKeyex(mic: raw([9, 9, 9])),
        .unknown(name: "made-up@example.com", data: raw([1, 2, 3, 4, 5])),
        .unknown(name: "empty@example.com", data: ByteBuffer()),
    ]

    static let userAuth: [Sample] =
        userAuthMethods.map {
            Sample(
                UserAuthRequestMessage(userName: "alice", serviceName: "ssh-connection", method: $0), .userAuth(.none))
        } + [
            Sample(
                UserAuthFailureMessage(authentications: ["publickey", "password"], partialSuccess: false),
                .userAuth(.none)),
            Sample(UserAuthFailureMessage(authentications: [], partialSuccess: true), .userAuth(.publicKey)),
            Sample(UserAuthSuccessMessage(), .userAuth(.none)),
            Sample(UserAuthBannerMessage(message: "Welcome\r\n", languageTag: "en-US"), .userAuth(.none)),
            Sample(UserAuthPKOKMessage(algorithm: "ssh-ed25519", publicKey: hostKey), .userAuth(.publicKey)),
            Sample(
                UserAuthPasswordChangeRequestMessage(message: "Password expired", languageTag: ""), .userAuth(.password)
            ),
            Sample(
                UserAuthInfoRequestMessage(
                    name: "PAM", instruction: "Answer", languageTag: "",
                    prompts: [.init(prompt: "Password: ", echo: false), .init(prompt: "Code: ", echo: true)]),
                .userAuth(.keyboardInteractive)),
            Sample(UserAuthInfoRequestMessage(name: "", instruction: "", prompts: []), .userAuth(.keyboardInteractive)),
            Sample(UserAuthInfoResponseMessage(responses: ["secret", "123456"]), .userAuth(.keyboardInteractive)),
            Sample(UserAuthInfoResponseMessage(responses: []), .userAuth(.keyboardInteractive)),
            Sample(UserAuthGSSAPIResponseMessage(value: oid), .userAuth(.gssapi)),
            Sample(UserAuthGSSAPITokenMessage(value: raw([0x60, 1, 2, 3])), .userAuth(.gssapi)),
            Sample(UserAuthGSSAPIExchangeCompleteMessage(), .userAuth(.gssapi)),
            Sample(
                UserAuthGSSAPIErrorMessage(majorStatus: 1, minorStatus: 2, message: "oops", languageTag: "en"),
                .userAuth(.gssapi)),
            Sample(UserAuthGSSAPIErrorTokenMessage(value: raw([7])), .userAuth(.gssapi)),
            Sample(UserAuthGSSAPIMICMessage(value: raw([8, 8])), .userAuth(.gssapi)),
        ]

    static let globalRequests: [GlobalRequestType] = [
        .tcpipForward(address: "0.0.0.0", port: 8080),
        .cancelTCPIPForward(address: "localhost", port: 0),
        .streamLocalForward(socketPath: "/tmp/sock"),
        .cancelStreamLocalForward(socketPath: "/tmp/sock"),
        .keepAlive,
        .noMoreSessions,
        .hostKeys([hostKey, raw(sshString("ssh-rsa"))]),
        .hostKeysProve([hostKey]),
        .unknown(name: "future@example.com", data: raw([0xAB, 0xCD])),
    ]

    static let channelTypes: [ChannelType] = [
        .session,
        .x11(originatorAddress: "192.0.2.1", originatorPort: 6010),
        .forwardedTCPIP(.init(host: "0.0.0.0", port: 8080, originatorAddress: "198.51.100.7", originatorPort: 40000)),
        .directTCPIP(.init(host: "example.com", port: 443, originatorAddress: "127.0.0.1", originatorPort: 55555)),
        .directStreamLocal(socketPath: "/run/app.sock"),
        .forwardedStreamLocal(socketPath: "/run/fwd.sock"),
        .authAgent,
        .tunnel(mode: .pointToPoint, unit: .number(0)),
        .tunnel(mode: .ethernet, unit: .any),
        .unknown(name: "future-channel@example.com", data: raw([0, 0, 0, 1, 0, 0, 0, 0])),
    ]

    static let modes = TerminalModes([
        .init(.VINTR, 3), .init(.VERASE, 127), .init(.ECHO, 1), .init(.ICANON, 1), .init(.IUTF8, 1),
        .init(.TTY_OP_ISPEED, 38400), .init(.TTY_OP_OSPEED, 38400), .init(TerminalModeOpcode(rawValue: 150), 5),
    ])

    static let channelRequests: [ChannelRequestType] = [
        .pseudoTerminal(
            .init(
                term: "xterm-256color", size: .init(columns: 80, rows: 24, widthPixels: 640, heightPixels: 480),
                modes: modes)),
        .pseudoTerminal(.init(term: "vt100", size: .init(columns: 132, rows: 43))),
        .x11(
            .init(
                singleConnection: false, authenticationProtocol: "MIT-MAGIC-COOKIE-1",
                authenticationCookie: "0123456789abcdef", screenNumber: 0)),
        .environment(name: "LANG", value: "en_US.UTF-8"),
        .shell,
        .exec(command: "ls -la /tmp"),
        .subsystem(name: "sftp"),
        .windowChange(.init(columns: 120, rows: 40, widthPixels: 0, heightPixels: 0)),
        .xonXoff(clientCanDo: true),
        .signal(name: "INT"),
        .exitStatus(127),
        .exitSignal(.init(signalName: "SEGV", coreDumped: true, errorMessage: "Segmentation fault", languageTag: "en")),
        .break(milliseconds: 500),
        .authAgent,
        .endOfWrite,
        .keepAlive,
        .unknown(name: "made-up@example.com", data: raw([1, 2, 3])),
    ]

    static let connection: [Sample] =
        globalRequests.map { Sample(GlobalRequestMessage(request: $0, wantReply: true), .connection) }
        + channelTypes.map {
            Sample(
                ChannelOpenMessage(
                    channelType: $0, senderChannel: 3, initialWindowSize: 2_097_152, maximumPacketSize: 32_768),
                .connection)
        }
        + channelRequests.map {
            Sample(ChannelRequestMessage(recipientChannel: 7, request: $0, wantReply: false), .connection)
        }
        + ChannelOpenFailureReason.allDefined.map {
            Sample(
                ChannelOpenFailureMessage(recipientChannel: 1, reason: $0, description: "no", languageTag: ""),
                .connection)
        } + [
            Sample(
                ChannelOpenFailureMessage(
                    recipientChannel: 1, reason: .init(rawValue: 77), description: "", languageTag: "en"), .connection),
            Sample(RequestSuccessMessage(), .connection),
            Sample(RequestSuccessMessage(boundPort: 40123), .connection),
            Sample(RequestFailureMessage(), .connection),
            Sample(
                ChannelOpenConfirmationMessage(
                    recipientChannel: 3, senderChannel: 0, initialWindowSize: 1 << 21, maximumPacketSize: 1 << 15),
                .connection),
            Sample(
                ChannelOpenConfirmationMessage(
                    recipientChannel: 3, senderChannel: 0, initialWindowSize: 0, maximumPacketSize: 0,
                    typeSpecificData: raw([1, 2])),
                .connection),
            Sample(ChannelWindowAdjustMessage(recipientChannel: 0, bytesToAdd: 0xFFFF_FFFF), .connection),
            Sample(ChannelDataMessage(recipientChannel: 9, data: bytes("hello, world\n")), .connection),
            Sample(ChannelDataMessage(recipientChannel: 9, data: ByteBuffer()), .connection),
            Sample(ChannelExtendedDataMessage(recipientChannel: 9, data: bytes("error\n")), .connection),
            Sample(ChannelEOFMessage(recipientChannel: 2), .connection),
            Sample(ChannelCloseMessage(recipientChannel: 2), .connection),
            Sample(ChannelSuccessMessage(recipientChannel: 2), .connection),
            Sample(ChannelFailureMessage(recipientChannel: 2), .connection),
        ]

    static let all: [Sample] = transport + keyExchange + userAuth + connection
}
