import UpbondLogin
import XCTest

/// A test case with its own emulator (rate limits off), stopped after each test.
class EmulatorTestCase: XCTestCase {
    var emulator: Emulator!

    override func setUp() async throws {
        emulator = try Emulator()
        try await emulator.disableRateLimits()
    }

    override func tearDown() {
        emulator?.stop()
    }
}
