import COpenSSL
import Testing

@testable import SSHCrypto

/// Published vectors for the primitives under the packet ciphers and MACs.
@Suite struct PrimitiveVectorTests {
    @Test func chacha20RFC8439Section2_4_2() throws {
        let key = Array(0..<32 as Range<UInt8>)
        let cipher = try #require(AlgorithmCache.chacha20?.pointer)
        let context = try key.withBytes { try CipherContext(cipher: cipher, key: $0, iv: nil, encrypt: true) }
        // libcrypto's ChaCha20 IV is a 32-bit little-endian counter followed by the 96-bit nonce.
        let iv: [UInt8] = [1, 0, 0, 0] + [UInt8](hex: "000000000000004a00000000")
        try iv.withUnsafeBufferPointer { try context.reset(iv: $0.baseAddress!) }
        var text = Array(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
                .utf8)
        try text.withMutableBytes { try context.update($0.baseAddress, $0.baseAddress!, count: $0.count) }
        #expect(
            text.hex
                == "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d"
        )
    }

    @Test func poly1305RFC8439Section2_5_2() throws {
        let key = [UInt8](hex: "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
        let message = Array("Cryptographic Forum Research Group".utf8)
        let poly = try Poly1305Context()
        var tag = [UInt8](repeating: 0, count: 16)
        try key.withUnsafeBufferPointer { keyPointer in
            try message.withBytes { data in
                try tag.withUnsafeMutableBufferPointer {
                    try poly.tag(key: keyPointer.baseAddress!, data, into: $0.baseAddress!)
                }
            }
        }
        #expect(tag.hex == "a8061dc1305136c6c22b8baf0c0127a9")
    }

    /// The GCM specification's test cases 3 and 4 (McGrew and Viega, as NIST's GCM validation uses).
    @Test(arguments: [
        (
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            "",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            "4d5c2af327cd64a62cf35abd2ba6fab4"
        ),
        (
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47"
        ),
    ])
    func aesGCMSpecificationVectors(plain: String, aad: String, cipherText: String, tag: String) throws {
        let key = [UInt8](hex: "feffe9928665731c6d6a8f9467308308")
        let iv = [UInt8](hex: "cafebabefacedbaddecaf888")
        let cipher = try #require(AlgorithmCache.aes128GCM?.pointer)
        let context = try key.withBytes { k in try iv.withBytes { try CipherContext(cipher: cipher, key: k, iv: $0, encrypt: true) } }
        let additional = [UInt8](hex: aad)
        if !additional.isEmpty {
            try additional.withBytes { try context.update(nil, $0.baseAddress!, count: $0.count) }
        }
        var text = [UInt8](hex: plain)
        try text.withMutableBytes { try context.update($0.baseAddress, $0.baseAddress!, count: $0.count) }
        #expect(context.finish())
        var computedTag = [UInt8](repeating: 0, count: 16)
        try computedTag.withMutableBytes { try context.control(EVP_CTRL_GCM_GET_TAG, 16, $0.baseAddress) }
        #expect(text.hex == cipherText)
        #expect(computedTag.hex == tag)
    }

    /// RFC 4231 §4.2 and §4.3.
    @Test(arguments: [
        (
            [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
        ),
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        ),
    ])
    func hmacRFC4231(key: [UInt8], data: [UInt8], sha256: String, sha512: String) throws {
        #expect(try HMAC(digest: .sha256, key: key).authenticate(data).hex == sha256)
        #expect(try HMAC(digest: .sha512, key: key).authenticate(data).hex == sha512)
    }

    /// RFC 2202 test case 2 for the older MACs SSH still offers.
    @Test func hmacRFC2202() throws {
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(try HMAC(digest: .sha1, key: key).authenticate(data).hex == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(try HMAC(digest: .md5, key: key).authenticate(data).hex == "750c783e6ab0b503eaa86e310a5db738")
    }

    /// FIPS 180-4 / RFC 1321 "abc" digests.
    @Test(arguments: [
        (DigestAlgorithm.md5, "900150983cd24fb0d6963f7d28e17f72"),
        (.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (
            .sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        ),
    ])
    func digestsOfABC(algorithm: DigestAlgorithm, expected: String) throws {
        #expect(try algorithm.hash(Array("abc".utf8)).hex == expected)
        var hasher = try DigestHasher(algorithm)
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(try hasher.finalize().hex == expected)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(SecureBytes([9, 9]).constantTimeEquals(SecureBytes([9, 9])))
        #expect(!SecureBytes([9, 9]).constantTimeEquals(SecureBytes([9, 8])))
        #expect(!SecureBytes([1, 2, 3]).description.contains("1"))
    }
}
