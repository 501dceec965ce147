import NIOCore
import SFTP

/// An in-test SFTP server that answers each request with whatever `respond` says: for hostile and broken
/// servers. It speaks raw packets over an in-memory pair, with the real framer and codecs.
final class FakeSFTPServer: Sendable {
    let client: SFTPClient

    private init(client: SFTPClient) {
        self.client = client
    }

    /// Starts the fake server and connects a client to it.
    /// `answerID` picks the id each answer carries (a broken server's mistake).
    static func start(
        extensions: [SFTPExtensionPair] = [], answerID: @escaping @Sendable (UInt32) -> UInt32 = { $0 },
        respond: @escaping @Sendable (SFTPRequest) -> SFTPResponse
    ) async throws -> FakeSFTPServer {
        let (clientSide, serverSide) = SFTPByteStream.makePair()
        serve(serverSide) { packet in
            switch packet {
            case .initialize: [.version(version: 3, extensions: extensions)]
            case .request(let id, let request): [.response(id: answerID(id), respond(request))]
            default: []
            }
        }
        return FakeSFTPServer(client: try await SFTPClient.connect(over: clientSide))
    }

    /// Answers every packet arriving on `stream` with the packets `answer` returns (none to hold it back).
    static func serve(_ stream: SFTPByteStream, answer: @escaping @Sendable (SFTPPacket) -> [SFTPPacket]) {
        Task {
            var framer = SFTPFramer()
            try await stream.forEachInboundChunk { chunk in
                framer.append(chunk)
                while let frame = try framer.nextFrame() {
                    var reply = ByteBuffer()
                    for packet in answer(try SFTPPacket(decoding: frame)) { packet.encodeFrame(into: &reply) }
                    if reply.readableBytes > 0 { try await stream.writer.write(reply) }
                }
            }
        }
    }

    static let ok = SFTPResponse.status(.success)
    static let endOfFile = SFTPResponse.status(SFTPStatus(code: .endOfFile))
    static let directory = SFTPAttributes(size: 0, permissions: 0o40755)
    static func file(_ size: UInt64) -> SFTPAttributes { SFTPAttributes(size: size, permissions: 0o100644) }
    static let handle = SFTPHandle(bytes: [1])!
}
