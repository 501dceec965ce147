import COpenSSL

/// UMAC (RFC 4418) with AES-128, keyed once: the key derivation (§3.2) runs in `init`, and each
/// message after that is hashed with no allocation. Messages may arrive in pieces of any size
/// (``update(_:)``), which the packet path uses to MAC a packet that lies in three places.
///
/// Not thread-safe: a context belongs to the connection that created it.
final class UMACContext {
    /// The UMAC key length: one AES-128 key.
    static let keyLength = 16
    /// The tag lengths RFC 4418 defines: UMAC-32, -64, -96 and -128.
    static let outputLengths = [4, 8, 12, 16]

    /// Bytes of tag: 4 for each UHASH iteration ("stream").
    let outputLength: Int
    private let streams: Int
    /// AES-128 under KDF(K, 0, 16), for the pads of the PDF (§3.3).
    private let padCipher: CipherContext

    /// L1 key words in host order, 16-byte aligned: 256 words plus 4 for each stream after the first.
    private let l1Key: UnsafeMutableRawBufferPointer
    /// Per stream: the masked POLY64 key, the masked POLY128 key, the L3 key words (reduced mod
    /// p36) and the L3 mask.
    private let poly64Keys: UnsafeMutablePointer<UInt64>
    private let poly128Keys: UnsafeMutablePointer<UHASHLayers.Word128>
    private let l3Keys: UnsafeMutablePointer<UInt64>
    private let l3Masks: UnsafeMutablePointer<UInt32>

    // The running hash of the message so far.
    /// NH sums of the chunk in progress, one a stream.
    private let sums: UnsafeMutablePointer<UInt64>
    /// The L1 output of the first chunk, held until a second shows whether L2 is needed.
    private let firstChunk: UnsafeMutablePointer<UInt64>
    /// POLY64 and POLY128 accumulators, and the L1 word waiting for its pair in POLY128.
    private let poly64Sums: UnsafeMutablePointer<UInt64>
    private let poly128Sums: UnsafeMutablePointer<UHASHLayers.Word128>
    private let heldWords: UnsafeMutablePointer<UInt64>
    /// Bytes short of a 32-byte NH block, kept until the next piece completes it.
    private let partialBlock: UnsafeMutableRawPointer
    private var partialCount = 0
    /// Bytes of the current chunk already hashed by NH (a multiple of 32).
    private var chunkOffset = 0
    /// Chunks whose L1 output is done.
    private var chunks = 0
    /// Bytes of message so far.
    private var messageLength = 0

    /// The nonce block last given to AES, and AES's output in ``padBlock``, so that UMAC-32 and
    /// UMAC-64 encrypt once for the 4 or 2 nonces that share a block (§3.3).
    private var padNonce: (UInt64, UInt64) = (0, 0)
    private var padCached = false
    private let padBlock: UnsafeMutableRawPointer

    /// Derives every subkey from the 16-byte `key` for tags of `outputLength` bytes (4, 8, 12 or 16).
    init(key: UnsafeRawBufferPointer, outputLength: Int) throws(CryptoError) {
        guard key.count == Self.keyLength else {
            throw CryptoError(.invalidKeyLength, "UMAC takes a \(Self.keyLength)-byte key, not \(key.count)")
        }
        guard Self.outputLengths.contains(outputLength) else {
            throw CryptoError(.invalidLength, "UMAC has no \(outputLength)-byte tag")
        }
        let streams = outputLength / 4
        let ecb = try AlgorithmCache.aes128ECB.require("AES-128-ECB")
        let derivation = try CipherContext(cipher: ecb, key: key, iv: nil, encrypt: true)

        // §3.2: KDF(K, index, numbytes) is AES-128 of uint2str(index, 8) || uint2str(i, 8), i = 1, 2, ….
        func kdf(_ index: UInt8, _ count: Int) throws(CryptoError) -> [UInt8] {
            let blocks = (count + 15) / 16
            var input = [UInt8](repeating: 0, count: blocks * 16)
            for block in 0..<blocks {
                input[block * 16 + 7] = index
                let counter = UInt64(block + 1)
                for byte in 0..<8 {
                    input[block * 16 + 8 + byte] = UInt8(truncatingIfNeeded: counter >> (56 - 8 * byte))
                }
            }
            var output = [UInt8](repeating: 0, count: blocks * 16)
            try input.withBytes { source throws(CryptoError) in
                try output.withMutableBytes { target throws(CryptoError) in
                    try derivation.update(target.baseAddress, source.baseAddress!, count: source.count)
                }
            }
            output.removeLast(output.count - count)
            return output
        }
        func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(0) { $0 << 8 | UInt64(bytes[offset + $1]) }
        }

        // Every derivation that can fail runs before anything is allocated.
        var padKey = try kdf(0, 16)
        // §5.1: the L1 key has 1024 bytes plus 16 for each further stream.
        var l1Bytes = try kdf(1, UHASHLayers.chunkBytes + 16 * (streams - 1))
        // §5.1, §5.3.1: 24 bytes a stream: the POLY64 key, then the POLY128 key.
        var l2Bytes = try kdf(2, 24 * streams)
        // §5.1, §5.4: 64 bytes a stream of L3 key words, then 4 bytes a stream of mask.
        var l3Bytes = try kdf(3, 64 * streams)
        var maskBytes = try kdf(4, 4 * streams)
        defer {
            padKey.zeroize()
            l1Bytes.zeroize()
            l2Bytes.zeroize()
            l3Bytes.zeroize()
            maskBytes.zeroize()
        }
        padCipher = try padKey.withBytes { bytes throws(CryptoError) in
            try CipherContext(cipher: ecb, key: bytes, iv: nil, encrypt: true)
        }

        self.outputLength = outputLength
        self.streams = streams
        l1Key = .allocate(byteCount: l1Bytes.count, alignment: 16)
        for word in 0..<l1Bytes.count / 4 {
            l1Key.storeBytes(of: UInt32(bigEndian(l1Bytes, 4 * word, 4)), toByteOffset: 4 * word, as: UInt32.self)
        }
        poly64Keys = .allocate(capacity: streams)
        poly128Keys = .allocate(capacity: streams)
        l3Keys = .allocate(capacity: 8 * streams)
        l3Masks = .allocate(capacity: streams)
        for stream in 0..<streams {
            poly64Keys[stream] = bigEndian(l2Bytes, 24 * stream, 8) & UHASHLayers.keyMask64
            poly128Keys[stream] = UHASHLayers.Word128(
                high: bigEndian(l2Bytes, 24 * stream + 8, 8) & UHASHLayers.keyMask64,
                low: bigEndian(l2Bytes, 24 * stream + 16, 8) & UHASHLayers.keyMask64)
            l3Masks[stream] = UInt32(bigEndian(maskBytes, 4 * stream, 4))
        }
        for word in 0..<8 * streams {
            l3Keys[word] = bigEndian(l3Bytes, 8 * word, 8) % UHASHLayers.prime36
        }

        sums = .allocate(capacity: 4)
        firstChunk = .allocate(capacity: 4)
        poly64Sums = .allocate(capacity: 4)
        poly128Sums = .allocate(capacity: 4)
        heldWords = .allocate(capacity: 4)
        partialBlock = .allocate(byteCount: UHASHLayers.blockBytes, alignment: 16)
        padBlock = .allocate(byteCount: 16, alignment: 16)
        padBlock.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
        reset()
    }

    deinit {
        OPENSSL_cleanse(l1Key.baseAddress, l1Key.count)
        OPENSSL_cleanse(poly64Keys, streams * MemoryLayout<UInt64>.size)
        OPENSSL_cleanse(poly128Keys, streams * MemoryLayout<UHASHLayers.Word128>.stride)
        OPENSSL_cleanse(l3Keys, 8 * streams * MemoryLayout<UInt64>.size)
        OPENSSL_cleanse(l3Masks, streams * MemoryLayout<UInt32>.size)
        OPENSSL_cleanse(padBlock, 16)
        OPENSSL_cleanse(partialBlock, UHASHLayers.blockBytes)
        l1Key.deallocate()
        poly64Keys.deallocate()
        poly128Keys.deallocate()
        l3Keys.deallocate()
        l3Masks.deallocate()
        sums.deallocate()
        firstChunk.deallocate()
        poly64Sums.deallocate()
        poly128Sums.deallocate()
        heldWords.deallocate()
        partialBlock.deallocate()
        padBlock.deallocate()
    }

    /// Forgets the message hashed so far.
    @inline(__always)
    func reset() {
        for stream in 0..<4 {
            sums[stream] = 0
            firstChunk[stream] = 0
            poly64Sums[stream] = 1
            poly128Sums[stream] = .one
            heldWords[stream] = 0
        }
        partialCount = 0
        chunkOffset = 0
        chunks = 0
        messageLength = 0
    }

    /// Hashes the next `data.count` bytes of the message.
    @inline(__always)
    func update(_ data: UnsafeRawBufferPointer) {
        guard var source = data.baseAddress, data.count > 0 else { return }
        var remaining = data.count
        messageLength += remaining
        if partialCount > 0 {
            let taken = min(UHASHLayers.blockBytes - partialCount, remaining)
            (partialBlock + partialCount).copyMemory(from: source, byteCount: taken)
            partialCount += taken
            source += taken
            remaining -= taken
            guard partialCount == UHASHLayers.blockBytes else { return }
            hashBlocks(UnsafeRawPointer(partialBlock), count: 1)
            partialCount = 0
            if chunkOffset == UHASHLayers.chunkBytes { closeChunk(bits: UInt64(UHASHLayers.chunkBytes * 8)) }
        }
        while remaining >= UHASHLayers.blockBytes {
            let room = (UHASHLayers.chunkBytes - chunkOffset) / UHASHLayers.blockBytes
            let blocks = min(room, remaining / UHASHLayers.blockBytes)
            hashBlocks(source, count: blocks)
            source += blocks * UHASHLayers.blockBytes
            remaining -= blocks * UHASHLayers.blockBytes
            if chunkOffset == UHASHLayers.chunkBytes { closeChunk(bits: UInt64(UHASHLayers.chunkBytes * 8)) }
        }
        if remaining > 0 {
            partialBlock.copyMemory(from: source, byteCount: remaining)
            partialCount = remaining
        }
    }

    /// Runs NH over whole blocks within the current chunk.
    @inline(__always)
    private func hashBlocks(_ blocks: UnsafeRawPointer, count: Int) {
        let key = UnsafeRawPointer(l1Key.baseAddress!) + chunkOffset
        switch streams {
        case 2: UHASHLayers.nh(blocks, blocks: count, key: key, streams: 2, sums: sums)
        case 4: UHASHLayers.nh(blocks, blocks: count, key: key, streams: 4, sums: sums)
        case 1: UHASHLayers.nh(blocks, blocks: count, key: key, streams: 1, sums: sums)
        default: UHASHLayers.nh(blocks, blocks: count, key: key, streams: 3, sums: sums)
        }
        chunkOffset += count * UHASHLayers.blockBytes
    }

    /// Adds the chunk's bit length to its NH sums (§5.2.1) and passes the L1 outputs on.
    private func closeChunk(bits: UInt64) {
        for stream in 0..<streams {
            let word = sums[stream] &+ bits
            sums[stream] = 0
            switch chunks {
            case 0: firstChunk[stream] = word
            case 1:
                feedL2(stream, firstChunk[stream], index: 0)
                feedL2(stream, word, index: 1)
            default: feedL2(stream, word, index: chunks)
            }
        }
        chunks += 1
        chunkOffset = 0
    }

    /// L2 (§5.3.1) of one stream's `index`-th L1 word: POLY64 over the first 2^17 bytes of L1
    /// output, then POLY128 over the rest, whose first word is POLY64's result.
    private func feedL2(_ stream: Int, _ word: UInt64, index: Int) {
        let key = poly64Keys[stream]
        if index < UHASHLayers.poly64Words {
            poly64Sums[stream] = UHASHLayers.poly64(poly64Sums[stream], key: key, word: word)
            return
        }
        let key128 = poly128Keys[stream]
        if index == UHASHLayers.poly64Words {
            let first = UHASHLayers.Word128(high: 0, low: UHASHLayers.reduce64(poly64Sums[stream]))
            poly128Sums[stream] = UHASHLayers.poly128(.one, key: key128, word: first)
        }
        if (index - UHASHLayers.poly64Words) % 2 == 0 {
            heldWords[stream] = word
        } else {
            let pair = UHASHLayers.Word128(high: heldWords[stream], low: word)
            poly128Sums[stream] = UHASHLayers.poly128(poly128Sums[stream], key: key128, word: pair)
        }
    }

    /// Finishes UHASH (§5.1) and writes `Pad xor hash` (§4) for `nonce` (1 to 16 bytes) into
    /// `output` (``outputLength`` bytes); the context is then ready for the next message, whether
    /// or not the nonce was of a size UMAC takes.
    func finish(nonce: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) throws(CryptoError) {
        defer { reset() }
        // The last chunk (or the empty message's only one) is zero-padded to a whole NH block.
        if partialCount > 0 || messageLength == 0 {
            let bits = UInt64((chunkOffset + partialCount) * 8)
            (partialBlock + partialCount).initializeMemory(
                as: UInt8.self, repeating: 0, count: UHASHLayers.blockBytes - partialCount)
            partialCount = 0
            hashBlocks(UnsafeRawPointer(partialBlock), count: 1)
            closeChunk(bits: bits)
        } else if chunkOffset > 0 {
            closeChunk(bits: UInt64(chunkOffset * 8))
        }
        try pad(nonce: nonce, into: output)
        let l2Words = chunks
        for stream in 0..<streams {
            let hashed: UHASHLayers.Word128
            if l2Words == 1 {
                // A message of at most 1024 bytes skips L2: its L1 output, zero-extended.
                hashed = UHASHLayers.Word128(high: 0, low: firstChunk[stream])
            } else if l2Words <= UHASHLayers.poly64Words {
                hashed = UHASHLayers.Word128(high: 0, low: UHASHLayers.reduce64(poly64Sums[stream]))
            } else {
                // POLY128's input ends with 0x80 and zeros to a 16-byte boundary.
                let marker: UInt64 = 0x8000_0000_0000_0000
                let odd = (l2Words - UHASHLayers.poly64Words) % 2 == 1
                let last = UHASHLayers.Word128(high: odd ? heldWords[stream] : marker, low: odd ? marker : 0)
                let sum = UHASHLayers.poly128(poly128Sums[stream], key: poly128Keys[stream], word: last)
                hashed = UHASHLayers.reduce128(sum)
            }
            let word = UHASHLayers.l3(hashed, keys: l3Keys + 8 * stream, mask: l3Masks[stream])
            let tag = output + 4 * stream
            tag[0] ^= UInt8(truncatingIfNeeded: word >> 24)
            tag[1] ^= UInt8(truncatingIfNeeded: word >> 16)
            tag[2] ^= UInt8(truncatingIfNeeded: word >> 8)
            tag[3] ^= UInt8(truncatingIfNeeded: word)
        }
    }

    /// PDF (§3.3): AES of the nonce (its low bits cleared for 4- and 8-byte tags, then zero-padded
    /// to 16 bytes) under the PDF key; the tag's pad is the part of the block those low bits select.
    private func pad(nonce: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) throws(CryptoError) {
        guard (1...16).contains(nonce.count) else {
            throw CryptoError(.invalidLength, "a UMAC nonce has 1 to 16 bytes, not \(nonce.count)")
        }
        let last = nonce.count - 1
        let selector = UInt8(16 / outputLength - 1)
        let index = Int(nonce[last] & selector)
        var block: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &block) { bytes in
            bytes.copyMemory(from: nonce)
            bytes[last] &= ~selector
        }
        if !padCached || block != padNonce {
            padCached = false
            padBlock.storeBytes(of: block, as: (UInt64, UInt64).self)
            try padCipher.update(padBlock, padBlock, count: 16)
            padNonce = block
            padCached = true
        }
        output.update(from: padBlock.assumingMemoryBound(to: UInt8.self) + index * outputLength, count: outputLength)
    }
}
