import NIOCore
import NIOPosix
import SSHWire

extension SSHChannel {
    /// Carries packets both ways between this `tun@openssh.com` channel and `device` (OpenSSH
    /// PROTOCOL §2.3) until the channel closes or the device fails: each packet the device gives
    /// goes out as one CHANNEL_DATA message, framed for `device.mode` by ``TunnelFraming``, and each
    /// message that arrives goes to the device as one packet. A packet the device refuses is dropped,
    /// as a network drops it. Closes the channel at the end; the device stays open for the caller.
    public func carry(tunnel device: TunnelDevice, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws
    {
        guard let input = device.duplicateDescriptor() else {
            try? await close()
            throw ConnectionError(.tunnelDevice, "\(device.name) is closed")
        }
        let packets: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            packets = try await NIOPipeBootstrap(group: group)
                // One read is one packet: the buffer must hold the largest a device gives.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: TunnelDevice.largestPacket))
                .takingOwnershipOfDescriptor(input: input) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            closeDescriptor(input)
            try? await close()
            throw ConnectionError(.tunnelDevice, "\(device.name): \(error)")
        }
        let channel = self
        let mode = device.mode
        do {
            try await relay(packets, channel: channel, device: device, mode: mode)
        } catch {
            // A device that failed (an interface deleted under it) ends the channel too.
            try? await close()
            throw error
        }
        try? await close()
    }

    private func relay(
        _ packets: NIOAsyncChannel<ByteBuffer, ByteBuffer>, channel: SSHChannel, device: TunnelDevice, mode: TunnelMode
    ) async throws {
        try await packets.executeThenClose { inbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Channel to device, until the channel's CLOSE.
                group.addTask {
                    for try await output in channel.output {
                        guard case .stdout(let message) = output, let packet = TunnelFraming.packet(in: message, mode: mode)
                        else { continue }
                        try device.write(packet)
                    }
                }
                // Device to channel, until the device fails or the other direction ends.
                group.addTask {
                    for try await packet in inbound {
                        guard let message = TunnelFraming.message(carrying: packet, mode: mode) else { continue }
                        do {
                            try await channel.writeDatagram(message)
                        } catch let error as ConnectionError where error.code == .datagramTooLarge {
                            // Larger than the peer takes in one message: dropped, as OpenSSH drops it.
                            continue
                        }
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }
}
