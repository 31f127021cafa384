import Foundation
import UpbondLogin
import XCTest

/// A logger written in Swift, collecting what the SDK logs.
final class CollectingLogger: Logger, @unchecked Sendable {
    // All access to `lines` holds `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func log(level: LogLevel, target: String, message: String) {
        lock.withLock { lines.append("\(level) \(target) \(message)") }
    }
}

/// Debug logging through a Swift logger shows the requests but never a secret.
final class LoggingTests: EmulatorTestCase {
    override func tearDown() {
        setLogger(logger: nil)
        setDebug(enabled: false)
        super.tearDown()
    }

    func testDebugLogsNameTheRequestsButNoSecret() async throws {
        let logger = CollectingLogger()
        setLogger(logger: logger)
        setDebug(enabled: true)
        let client = try emulator.nativeClient()
        let tokens = try await emulator.signIn(client)
        let refreshed = try await client.refresh(refreshToken: tokens.refreshToken!)
        let service = try emulator.serviceClient()
        _ = try await service.clientCredentials()

        let text = logger.all.joined(separator: "\n")
        XCTAssertTrue(text.contains("/oauth/token"), text)
        let secrets = [tokens.accessToken, tokens.refreshToken!, tokens.idToken!, refreshed.accessToken,
                       refreshed.refreshToken!, Emulator.serviceSecret]
        for secret in secrets {
            XCTAssertFalse(text.contains(secret), "a secret reached the log")
        }
    }
}
