/// The Blowfish state bcrypt needs, with OpenBSD's expensive key schedule ("eksblowfish",
/// Provos and Mazières 1999) as `sys/crypto/blf.c` implements it. Nothing else uses Blowfish:
/// libcrypto's does not expose the key schedule bcrypt modifies.
struct BlowfishState {
    /// P-array (18 words) followed by the four S-boxes (256 words each).
    private var words: [UInt32]

    private static let sBase = 18

    /// The initial state: the digits of pi.
    init() {
        words = BlowfishConstants.initialP + BlowfishConstants.initialS
    }

    /// Reads the next big-endian word of `data`, cycling (blf.c `Blowfish_stream2word`).
    @inline(__always)
    private static func streamWord(_ data: UnsafeRawBufferPointer, _ position: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            if position >= data.count { position = 0 }
            word = word << 8 | UInt32(data[position])
            position += 1
        }
        return word
    }

    @inline(__always)
    private static func encipher(_ state: UnsafeMutablePointer<UInt32>, _ left: inout UInt32, _ right: inout UInt32) {
        var xl = left
        var xr = right
        let s0 = state + sBase
        let s1 = s0 + 256
        let s2 = s1 + 256
        let s3 = s2 + 256
        @inline(__always) func f(_ x: UInt32) -> UInt32 {
            ((s0[Int(x >> 24)] &+ s1[Int((x >> 16) & 0xFF)]) ^ s2[Int((x >> 8) & 0xFF)]) &+ s3[Int(x & 0xFF)]
        }
        xl ^= state[0]
        var round = 1
        while round <= 16 {
            xr ^= f(xl) ^ state[round]
            xl ^= f(xr) ^ state[round + 1]
            round += 2
        }
        left = xr ^ state[17]
        right = xl
    }

    /// Re-keys every P and S entry by encrypting a running block (blf.c `Blowfish_expandstate`
    /// when `data` is given, `Blowfish_expand0state` when it is nil).
    mutating func expand(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer?) {
        words.withUnsafeMutableBufferPointer { buffer in
            guard let state = buffer.baseAddress else { return }
            var position = 0
            for index in 0..<18 { state[index] ^= Self.streamWord(key, &position) }
            position = 0
            var left: UInt32 = 0
            var right: UInt32 = 0
            var index = 0
            while index < buffer.count {
                if let data {
                    left ^= Self.streamWord(data, &position)
                    right ^= Self.streamWord(data, &position)
                }
                Self.encipher(state, &left, &right)
                state[index] = left
                state[index + 1] = right
                index += 2
            }
        }
    }

    /// Encrypts consecutive (left, right) word pairs in ECB mode (blf.c `blf_enc`).
    mutating func encrypt(_ blocks: inout [UInt32]) {
        words.withUnsafeMutableBufferPointer { buffer in
            guard let state = buffer.baseAddress else { return }
            var index = 0
            while index + 1 < blocks.count {
                var left = blocks[index]
                var right = blocks[index + 1]
                Self.encipher(state, &left, &right)
                blocks[index] = left
                blocks[index + 1] = right
                index += 2
            }
        }
    }
}
