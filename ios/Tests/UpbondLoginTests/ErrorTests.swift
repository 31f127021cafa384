import UpbondLogin
import XCTest

/// The Swift error enum: cases, catalog facts, retry facts, and no secrets in messages.
final class ErrorTests: EmulatorTestCase {
    func testWrongClientSecretIsInvalidClientWithoutTheSecret() async throws {
        let secret = "wrong-secret-value-42"
        let client = try emulator.serviceClient(secret: secret)
        let error = await expectError { try await client.clientCredentials() }
        guard case .invalidClient(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(info.code, "invalid_client")
        XCTAssertEqual(info.status, 401)
        XCTAssertFalse(info.isRetryable)
        XCTAssertFalse(info.resolution.isEmpty)
        XCTAssertFalse(info.causes.isEmpty)
        XCTAssertEqual(error?.recoverySuggestion, info.resolution.first)
        for text in [String(describing: error!), String(reflecting: error!), error!.localizedDescription] {
            XCTAssertTrue(text.contains("invalid_client"), text)
            XCTAssertFalse(text.contains(secret), text)
        }
    }

    func testRateLimitCarriesRetryAfter() async throws {
        let client = try emulator.serviceClient(maxAttempts: 1)
        _ = try await client.discover()
        try await emulator.hook("/_emulator/faults", [
            "path": "/oauth/token", "times": 1, "status": 429, "retry_after": "42",
            "body": #"{"error":"rate_limit_exceeded","error_description":"Too many requests. Please try again later."}"#,
        ])
        let error = await expectError { try await client.clientCredentials() }
        guard case .rateLimited(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(info.status, 429)
        XCTAssertTrue(info.isRetryable)
        XCTAssertEqual(info.retryAfter, .seconds(42))
        XCTAssertEqual(error?.retryAfter, .seconds(42))
    }

    func testBrokenSocialProviderNamesItsCode() async throws {
        try await emulator.hook("/_emulator/social", ["provider": "kakao", "broken": true])
        let client = try emulator.nativeClient()
        let (url, pending) = try await client.beginAuthorization(AuthorizationOptions(provider: .kakao))
        XCTAssertEqual(query(url)["provider"], "kakao")
        let callback = try await emulator.authorize(url)
        let error = await expectError { try await client.completeAuthorization(pending, callbackURL: callback) }
        guard case .socialProvider(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(info.code, "KOE101")
        XCTAssertEqual(info.provider, "kakao")
    }

    func testInvalidConfigurationIsConfigError() {
        XCTAssertThrowsError(try UpbondClient(issuer: "", clientId: Emulator.nativeClient)) { error in
            guard case UpbondLoginError.config(let info) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(info.code, "invalid_config")
        }
    }

    func testUnknownUserCodeIsRejectedLocally() {
        XCTAssertThrowsError(try normalizeUserCode(input: "??"))
        XCTAssertEqual(try normalizeUserCode(input: " abcd efgh"), "ABCD-EFGH")
    }

    func testCatalogExplainsEveryCode() throws {
        let entries = catalog()
        XCTAssertGreaterThan(entries.count, 20)
        for code in ["invalid_client", "EMAIL_007", "KOE101", "rate_limit_exceeded", "expired_token", "not_signed_in"] {
            let entry = try XCTUnwrap(explain(code: code.lowercased()), code)
            XCTAssertEqual(entry.code, code)
            XCTAssertFalse(entry.resolution.isEmpty, code)
        }
        XCTAssertNil(explain(code: "no_such_code"))
    }
}
