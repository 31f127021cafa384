import Foundation
import UpbondLogin
import XCTest

/// The shared conformance vectors (tests/vectors/*.json, also run by the Rust and Python
/// suites): each token endpoint answer is served once through the emulator's fault hook while
/// a confidential client asks for client credentials; the Swift result must match the vector.
final class VectorTests: EmulatorTestCase {
    var client: UpbondClient!

    override func setUp() async throws {
        try await super.setUp()
        client = try emulator.serviceClient(maxAttempts: 1)
        _ = try await client.discover()  // so that the fault hits the token request
    }

    func testErrorVectorsGiveTheExpectedErrors() async throws {
        let vectors = try load("errors.json")
        XCTAssertGreaterThanOrEqual(vectors.count, 20)
        for vector in vectors {
            let name = vector["name"] as? String ?? "?"
            let expect = vector["expect"] as? [String: Any] ?? [:]
            try await serve(vector["response"])
            let error = await expectError { try await client.clientCredentials() }
            guard let error else { continue }
            XCTAssertEqual(error.code, expect["code"] as? String, name)
            XCTAssertEqual(error.isRetryable, expect["retryable"] as? Bool, name)
            XCTAssertEqual(error.requiresReauthentication, expect["reauthentication_required"] as? Bool, name)
            let retryAfterMs = (expect["retry_after_ms"] as? NSNumber).map { Duration.milliseconds($0.int64Value) }
            XCTAssertEqual(error.retryAfter, retryAfterMs, name)
            XCTAssertEqual(error.info.status, (expect["status"] as? NSNumber)?.intValue, name)
            if let part = expect["detail_contains"] as? String {
                XCTAssertTrue(error.message.contains(part), "\(name): \(error.message)")
            }
        }
    }

    func testTokenVectorsGiveTheExpectedTokenSets() async throws {
        for vector in try load("tokens.json") {
            let name = vector["name"] as? String ?? "?"
            let expect = vector["expect"] as? [String: Any] ?? [:]
            try await serve(vector["response"])
            let tokens = try await client.clientCredentials()
            XCTAssertEqual(tokens.accessToken, expect["access_token"] as? String, name)
            XCTAssertEqual(tokens.refreshToken, expect["refresh_token"] as? String, name)
            XCTAssertEqual(tokens.scopes, expect["scopes"] as? [String], name)
            let now = UInt64(Date().timeIntervalSince1970)
            let expiresIn = tokens.expiresAt.map { Int($0) - Int(now) }
            switch (expiresIn, (expect["expires_in"] as? NSNumber)?.intValue) {
            case (nil, nil): break
            case let (got?, want?): XCTAssertLessThanOrEqual(abs(got - want), 5, name)
            case let (got, want): XCTFail("\(name): expires_in \(String(describing: got)), expected \(String(describing: want))")
            }
        }
    }

    private func load(_ file: String) throws -> [[String: Any]] {
        guard let dir = ProcessInfo.processInfo.environment["UPBOND_VECTORS_DIR"] else {
            throw XCTSkip("UPBOND_VECTORS_DIR is not set: run the suite with scripts/test-swift")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(file))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(root["vectors"] as? [[String: Any]])
    }

    /// Queues the vector's response once at the token endpoint.
    private func serve(_ response: Any?) async throws {
        let r = try XCTUnwrap(response as? [String: Any])
        var fault: [String: Any] = ["path": "/oauth/token", "times": 1, "status": r["status"] ?? 500, "body": r["body"] ?? ""]
        if let type = r["content_type"] { fault["content_type"] = type }
        if let after = r["retry_after"] { fault["retry_after"] = after }
        try await emulator.hook("/_emulator/faults", fault)
    }
}
