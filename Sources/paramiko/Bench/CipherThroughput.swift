import SSHCrypto

/// Seals and opens batches of packets in place and reports MB/s for each direction.
enum CipherThroughput {
    static let batch = 8

    static func measure(cipher: CipherAlgorithm, mac: MACAlgorithm?, packetSize: Int, seconds: Double) throws
        -> (seal: Double, open: Double)
    {
        var random = SystemRandom()
        let key = random.secureBytes(cipher.keyLength)
        let iv = random.secureBytes(cipher.ivLength)
        let macKey = random.secureBytes(mac?.keyLength ?? 0)
        let sealer = try cipher.makeProtection(mac: mac, key: key, iv: iv, macKey: macKey, direction: .outbound)
        let opener = try cipher.makeProtection(mac: mac, key: key, iv: iv, macKey: macKey, direction: .inbound)

        // One plaintext packet: length, padding length, payload, padding, then room for the tag.
        let block = sealer.blockSize
        let covered = 1 + packetSize + (sealer.lengthExcludedFromAlignment ? 0 : 4)
        var padding = block - covered % block
        if padding < 4 { padding += block }
        let packetLength = 1 + packetSize + padding
        let stride = 4 + packetLength + sealer.tagLength
        var template = [UInt8](repeating: 0x42, count: stride)
        template[0] = UInt8(packetLength >> 24)
        template[1] = UInt8(packetLength >> 16 & 0xff)
        template[2] = UInt8(packetLength >> 8 & 0xff)
        template[3] = UInt8(packetLength & 0xff)
        template[4] = UInt8(padding)

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: stride * batch, alignment: 64)
        defer { buffer.deallocate() }
        let clock = ContinuousClock()
        var sealTime = Duration.zero
        var openTime = Duration.zero
        var packets = 0
        var sequence: UInt32 = 0
        while (sealTime + openTime) < .seconds(seconds) * 2 || packets == 0 {
            for index in 0..<batch {
                template.withUnsafeBytes { buffer.baseAddress!.advanced(by: index * stride).copyMemory(from: $0.baseAddress!, byteCount: stride) }
            }
            let first = sequence
            let sealStart = clock.now
            for index in 0..<batch {
                let packet = UnsafeMutableRawBufferPointer(rebasing: buffer[index * stride..<(index + 1) * stride])
                try sealer.sealPacket(packet, sequenceNumber: sequence)
                sequence &+= 1
            }
            let openStart = clock.now
            sequence = first
            for index in 0..<batch {
                let packet = UnsafeMutableRawBufferPointer(rebasing: buffer[index * stride..<(index + 1) * stride])
                let length = try opener.decryptLength(
                    UnsafeMutableRawBufferPointer(rebasing: packet[0..<opener.lengthPeekSize]), sequenceNumber: sequence)
                precondition(Int(length) == packetLength, "benchmark packet length changed")
                try opener.openPacket(packet, sequenceNumber: sequence)
                sequence &+= 1
            }
            let end = clock.now
            sealTime += openStart - sealStart
            openTime += end - openStart
            packets += batch
        }
        let bytes = Double(packets * packetSize)
        return (bytes / sealTime.inSeconds / 1e6, bytes / openTime.inSeconds / 1e6)
    }
}
