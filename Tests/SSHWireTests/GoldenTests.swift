import NIOCore
import SSHWire
import Testing

/// Byte-exact encodings, built by hand from the RFCs and from a real OpenSSH 9.2 client.
@Suite struct GoldenTests {
    /// The KEXINIT payload an OpenSSH_9.2p1 Debian-2+deb12u10 client sent (captured from the wire).
    static let openSSH92KexInitHex = [
        "14b70791a7e9af14859d22c306300524c000000148736e747275703736317832353531392d7368613531322c736e7472",
        "75703736317832353531392d736861353132406f70656e7373682e636f6d2c637572766532353531392d736861323536",
        "2c637572766532353531392d736861323536406c69627373682e6f72672c656364682d736861322d6e69737470323536",
        "2c656364682d736861322d6e697374703338342c656364682d736861322d6e697374703532312c6469666669652d6865",
        "6c6c6d616e2d67726f75702d65786368616e67652d7368613235362c6469666669652d68656c6c6d616e2d67726f7570",
        "31362d7368613531322c6469666669652d68656c6c6d616e2d67726f757031382d7368613531322c6469666669652d68",
        "656c6c6d616e2d67726f757031342d7368613235362c6578742d696e666f2d632c6b65782d7374726963742d632d7630",
        "30406f70656e7373682e636f6d000001cf7373682d656432353531392d636572742d763031406f70656e7373682e636f",
        "6d2c65636473612d736861322d6e697374703235362d636572742d763031406f70656e7373682e636f6d2c6563647361",
        "2d736861322d6e697374703338342d636572742d763031406f70656e7373682e636f6d2c65636473612d736861322d6e",
        "697374703532312d636572742d763031406f70656e7373682e636f6d2c736b2d7373682d656432353531392d63657274",
        "2d763031406f70656e7373682e636f6d2c736b2d65636473612d736861322d6e697374703235362d636572742d763031",
        "406f70656e7373682e636f6d2c7273612d736861322d3531322d636572742d763031406f70656e7373682e636f6d2c72",
        "73612d736861322d3235362d636572742d763031406f70656e7373682e636f6d2c7373682d656432353531392c656364",
        "73612d736861322d6e697374703235362c65636473612d736861322d6e697374703338342c65636473612d736861322d",
        "6e697374703532312c736b2d7373682d65643235353139406f70656e7373682e636f6d2c736b2d65636473612d736861",
        "322d6e69737470323536406f70656e7373682e636f6d2c7273612d736861322d3531322c7273612d736861322d323536",
        "0000006c63686163686132302d706f6c7931333035406f70656e7373682e636f6d2c6165733132382d6374722c616573",
        "3139322d6374722c6165733235362d6374722c6165733132382d67636d406f70656e7373682e636f6d2c616573323536",
        "2d67636d406f70656e7373682e636f6d0000006c63686163686132302d706f6c7931333035406f70656e7373682e636f",
        "6d2c6165733132382d6374722c6165733139322d6374722c6165733235362d6374722c6165733132382d67636d406f70",
        "656e7373682e636f6d2c6165733235362d67636d406f70656e7373682e636f6d000000d5756d61632d36342d65746d40",
        "6f70656e7373682e636f6d2c756d61632d3132382d65746d406f70656e7373682e636f6d2c686d61632d736861322d32",
        "35362d65746d406f70656e7373682e636f6d2c686d61632d736861322d3531322d65746d406f70656e7373682e636f6d",
        "2c686d61632d736861312d65746d406f70656e7373682e636f6d2c756d61632d3634406f70656e7373682e636f6d2c75",
        "6d61632d313238406f70656e7373682e636f6d2c686d61632d736861322d3235362c686d61632d736861322d3531322c",
        "686d61632d73686131000000d5756d61632d36342d65746d406f70656e7373682e636f6d2c756d61632d3132382d6574",
        "6d406f70656e7373682e636f6d2c686d61632d736861322d3235362d65746d406f70656e7373682e636f6d2c686d6163",
        "2d736861322d3531322d65746d406f70656e7373682e636f6d2c686d61632d736861312d65746d406f70656e7373682e",
        "636f6d2c756d61632d3634406f70656e7373682e636f6d2c756d61632d313238406f70656e7373682e636f6d2c686d61",
        "632d736861322d3235362c686d61632d736861322d3531322c686d61632d736861310000001a6e6f6e652c7a6c696240",
        "6f70656e7373682e636f6d2c7a6c69620000001a6e6f6e652c7a6c6962406f70656e7373682e636f6d2c7a6c69620000",
        "0000000000000000000000",
    ].joined()

    static let openSSH92Lists: [[String]] = [
        [
            "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256",
            "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
            "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
            "diffie-hellman-group14-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com",
        ],
        [
            "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
            "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-ed25519",
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
            "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
        ],
        ciphers, ciphers, macs, macs, compression, compression, [], [],
    ]
    static let ciphers = [
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
    ]
    static let macs = [
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
    ]
    static let compression = ["none", "zlib@openssh.com", "zlib"]

    @Test func openSSHKexInitMatchesBytesBuiltByHand() throws {
        let captured = hex(Self.openSSH92KexInitHex)
        let cookie = Array(captured[1...16])
        // RFC 4253 §7.1 by hand: byte 20, cookie, ten name-lists, boolean, uint32.
        var expected: [UInt8] = [20] + cookie
        for list in Self.openSSH92Lists { expected += sshString(list.joined(separator: ",")) }
        expected += [0] + [0, 0, 0, 0]
        #expect(expected == captured)

        let message = try KexInitMessage(decodingPayload: buffer(captured))
        #expect(message.cookie.bytes == cookie)
        #expect(message.kexAlgorithms == Self.openSSH92Lists[0])
        #expect(message.serverHostKeyAlgorithms == Self.openSSH92Lists[1])
        #expect(message.encryptionAlgorithmsClientToServer == Self.ciphers)
        #expect(message.macAlgorithmsServerToClient == Self.macs)
        #expect(message.compressionAlgorithmsServerToClient == Self.compression)
        #expect(message.languagesClientToServer.isEmpty && message.languagesServerToClient.isEmpty)
        #expect(message.firstKexPacketFollows == false)
        #expect(message.reserved == 0)

        let lists = Self.openSSH92Lists
        let built = KexInitMessage(
            cookie: try #require(KexInitCookie(bytes: cookie)),
            kexAlgorithms: lists[0], serverHostKeyAlgorithms: lists[1],
            encryptionAlgorithmsClientToServer: lists[2], encryptionAlgorithmsServerToClient: lists[3],
            macAlgorithmsClientToServer: lists[4], macAlgorithmsServerToClient: lists[5],
            compressionAlgorithmsClientToServer: lists[6], compressionAlgorithmsServerToClient: lists[7])
        #expect(Array(built.encodedPayload().readableBytesView) == captured)
    }

    static let goldens: [(message: any SSHMessage, bytes: [UInt8])] = [
        (DisconnectMessage(reason: .byApplication, description: "bye"), [1] + be32(11) + sshString("bye") + be32(0)),
        (UnimplementedMessage(sequenceNumber: 3), [3, 0, 0, 0, 3]),
        (ServiceRequestMessage(serviceName: "ssh-userauth"), [5] + sshString("ssh-userauth")),
        (NewKeysMessage(), [21]),
        (
            ExtInfoMessage(extensions: [.init(name: "server-sig-algs", nameList: ["ssh-ed25519", "rsa-sha2-512"])]),
            [7] + be32(1) + sshString("server-sig-algs") + sshString("ssh-ed25519,rsa-sha2-512")
        ),
        (KexDHInitMessage(e: buffer([0x80, 0x01])), [30] + sshString([0x00, 0x80, 0x01])),
        (
            UserAuthRequestMessage(
                userName: "alice", serviceName: "ssh-connection",
                method: .publicKey(.init(algorithm: "ssh-ed25519", publicKey: buffer([1, 2, 3])))),
            [50] + sshString("alice") + sshString("ssh-connection") + sshString("publickey") + [0]
                + sshString("ssh-ed25519") + sshString([1, 2, 3])
        ),
        (
            UserAuthRequestMessage(
                userName: "alice", serviceName: "ssh-connection", method: .password(.init(password: "pw"))),
            [50] + sshString("alice") + sshString("ssh-connection") + sshString("password") + [0] + sshString("pw")
        ),
        (
            UserAuthFailureMessage(authentications: ["publickey", "password"], partialSuccess: false),
            [51] + sshString("publickey,password") + [0]
        ),
        (
            ChannelOpenMessage(
                channelType: .session, senderChannel: 0, initialWindowSize: 2_097_152, maximumPacketSize: 32_768),
            [90] + sshString("session") + be32(0) + be32(2_097_152) + be32(32_768)
        ),
        // OpenSSH PROTOCOL §2.3: the tunnel mode, then the remote unit (0x7fffffff for any).
        (
            ChannelOpenMessage(
                channelType: .tunnel(mode: .pointToPoint, unit: .any), senderChannel: 0, initialWindowSize: 2_097_152,
                maximumPacketSize: 32_768),
            [90] + sshString("tun@openssh.com") + be32(0) + be32(2_097_152) + be32(32_768) + be32(1) + be32(0x7fff_ffff)
        ),
        (
            GlobalRequestMessage(request: .tcpipForward(address: "localhost", port: 0), wantReply: true),
            [80] + sshString("tcpip-forward") + [1] + sshString("localhost") + be32(0)
        ),
        (ChannelDataMessage(recipientChannel: 9, data: buffer("hello")), [94] + be32(9) + sshString("hello")),
        (
            ChannelRequestMessage(
                recipientChannel: 0,
                request: .pseudoTerminal(
                    .init(
                        term: "xterm", size: .init(columns: 80, rows: 24),
                        modes: TerminalModes([.init(.ECHO, 1), .init(.TTY_OP_OSPEED, 38400)]))),
                wantReply: true),
            [98] + be32(0) + sshString("pty-req") + [1] + sshString("xterm") + be32(80) + be32(24) + be32(0) + be32(0)
                + sshString([53] + be32(1) + [129] + be32(38400) + [0])
        ),
        (
            ChannelRequestMessage(
                recipientChannel: 4, request: .exitSignal(.init(signalName: "KILL", coreDumped: false)),
                wantReply: false),
            [98] + be32(4) + sshString("exit-signal") + [0] + sshString("KILL") + [0] + be32(0) + be32(0)
        ),
    ]

    @Test(arguments: 0..<15)
    func messagesEncodeByteExact(index: Int) throws {
        let (message, bytes) = Self.goldens[index]
        #expect(Array(message.encodedPayload().readableBytesView) == bytes)
    }

    @Test func terminalModesStopAtUndefinedOpcodesAndTTYOpEnd() throws {
        let encoded = [53] + be32(1) + [160] + be32(9) + [54] + be32(1)
        #expect(try TerminalModes(decoding: buffer(encoded)) == TerminalModes([.init(.ECHO, 1)]))
        let ended = [53] + be32(0) + [0] + [54] + be32(1)
        #expect(try TerminalModes(decoding: buffer(ended)) == TerminalModes([.init(.ECHO, 0)]))
        #expect(try TerminalModes(decoding: buffer([UInt8]())).modes.isEmpty)
        #expect(
            wireErrorCode { () throws(WireError) in try TerminalModes(decoding: buffer([53, 0, 0])) } == .truncated)
        #expect(Samples.modes[.TTY_OP_ISPEED] == 38400)
    }

    @Test func reasonCodesHaveRFCNames() {
        #expect(DisconnectReason.allDefined.count == 15)
        #expect(DisconnectReason.illegalUserName.description == "ILLEGAL_USER_NAME")
        #expect(DisconnectReason(rawValue: 42).description == "42")
        #expect(ChannelOpenFailureReason.resourceShortage.description == "RESOURCE_SHORTAGE")
        #expect(RequestSuccessMessage(boundPort: 1234).boundPort == 1234)
        #expect(RequestSuccessMessage().boundPort == nil)
    }
}
