/// What a pipelined transfer engine works on (``SFTPDownload``, ``SFTPUpload``): the session, the remote
/// handle, the byte range, the block size, how many requests stay in flight and where progress goes.
struct SFTPTransferPlan: Sendable {
    let channel: SFTPClientChannel
    let handle: SFTPHandle
    /// The first offset to transfer.
    let start: UInt64
    /// The offset after the last, or nil to go to the end of the file.
    let end: UInt64?
    let blockSize: Int
    let window: Int
    let meter: ProgressMeter
    /// The rate cap's pacing, when the transfer has one.
    let pacing: SFTPPacing?

    init(
        channel: SFTPClientChannel, handle: SFTPHandle, from start: UInt64, to end: UInt64?, blockSize: Int,
        window: Int, meter: ProgressMeter, limit: SFTPBandwidthLimit? = nil
    ) {
        self.channel = channel
        self.handle = handle
        self.start = start
        self.end = end
        self.blockSize = max(1, blockSize)
        self.window = max(1, window)
        self.meter = meter
        self.pacing = limit.map(SFTPPacing.init)
    }
}
