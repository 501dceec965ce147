import SSHWire
import Testing

@Suite struct WireErrorTests {
    @Test func codesAreDistinct() {
        #expect(WireError.Code.truncated != WireError.Code.lengthTooLarge)
        #expect(WireError(.truncated, "x").description.contains("truncated"))
    }
}
