import UpbondLogin
import XCTest

/// Every sign-in flow and token call, end to end against the emulator.
final class FlowTests: EmulatorTestCase {
    override func setUp() async throws {
        try await super.setUp()
        try await emulator.hook("/_emulator/settings", ["device_interval_secs": 1])
    }

    func testDeviceFlowSignsInOnceTheUserApproves() async throws {
        let client = try emulator.nativeClient()
        let emulator = self.emulator!
        let tokens = try await client.signInWithDevice { device in
            XCTAssertTrue(device.verificationUri.hasPrefix(emulator.issuer))
            XCTAssertEqual(try normalizeUserCode(input: device.userCode.lowercased()), device.userCode)
            try await emulator.approveDevice(userCode: device.userCode)
        }
        XCTAssertNotNil(tokens.refreshToken)
        XCTAssertEqual(tokens.idTokenClaims?.audience, [Emulator.nativeClient])
        let info = try await client.userInfo(accessToken: tokens.accessToken)
        XCTAssertEqual(info.email, Emulator.user)
    }

    func testDeniedDeviceAuthorizationIsAccessDenied() async throws {
        let client = try emulator.nativeClient()
        let device = try await client.startDeviceAuthorization()
        try await emulator.approveDevice(userCode: device.userCode, deny: true)
        let error = await expectError { try await client.pollDeviceAuthorization(device) }
        guard case .accessDenied = error else { return XCTFail("\(String(describing: error))") }
    }

    func testExpiredDeviceCodeIsDeviceCodeExpired() async throws {
        let client = try emulator.nativeClient()
        let device = try await client.startDeviceAuthorization()
        try await emulator.hook("/_emulator/device/expire-all")
        let error = await expectError { try await client.pollDeviceAuthorization(device) }
        guard case .deviceCodeExpired(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(info.code, "expired_token")
        XCTAssertTrue(info.requiresReauthentication || !info.isRetryable)
    }

    func testAuthorizationCodeFlowWithPKCE() async throws {
        let client = try emulator.nativeClient()
        let (url, pending) = try await client.beginAuthorization(AuthorizationOptions(loginHint: Emulator.user))
        let params = query(url)
        XCTAssertEqual(params["code_challenge_method"], "S256")
        XCTAssertEqual(params["state"], pending.state)
        XCTAssertEqual(params["login_hint"], Emulator.user)
        XCTAssertEqual(params["redirect_uri"], Emulator.redirectURI)
        // The pending request survives process death as JSON.
        let restored = try pendingAuthorizationFromJson(json: pendingAuthorizationToJson(pending: pending))
        XCTAssertEqual(restored, pending)

        let callback = try await emulator.authorize(url)
        XCTAssertTrue(callback.absoluteString.hasPrefix(Emulator.redirectURI))
        let tokens = try await client.completeAuthorization(restored, callbackURL: callback)
        XCTAssertEqual(tokens.idTokenClaims?.nonce, pending.nonce)
        XCTAssertNotNil(tokens.refreshToken)
    }

    func testCallbackWithAnotherStateIsRejected() async throws {
        let client = try emulator.nativeClient()
        let (url, pending) = try await client.beginAuthorization()
        let callback = try await emulator.authorize(url)
        var parts = try XCTUnwrap(URLComponents(url: callback, resolvingAgainstBaseURL: false))
        parts.queryItems = parts.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: "forged") : $0 }
        let error = await expectError { try await client.completeAuthorization(pending, callbackURL: parts.url!) }
        guard case .stateMismatch = error else { return XCTFail("\(String(describing: error))") }
    }

    func testDeniedAuthorizationIsAccessDenied() async throws {
        let client = try emulator.nativeClient()
        let (url, pending) = try await client.beginAuthorization()
        let callback = try await emulator.authorize(url, deny: true)
        let error = await expectError { try await client.completeAuthorization(pending, callbackURL: callback) }
        guard case .accessDenied = error else { return XCTFail("\(String(describing: error))") }
    }

    func testClientCredentials() async throws {
        let client = try emulator.serviceClient()
        let tokens = try await client.clientCredentials(scopes: ["api:read"])
        XCTAssertEqual(tokens.scopes, ["api:read"])
        XCTAssertNil(tokens.refreshToken)
        XCTAssertNil(tokens.idToken)
    }

    func testRefreshRotatesAndReuseIsRejected() async throws {
        let client = try emulator.nativeClient()
        let first = try await emulator.signIn(client)
        let oldRefresh = try XCTUnwrap(first.refreshToken)
        let second = try await client.refresh(refreshToken: oldRefresh)
        XCTAssertNotEqual(second.accessToken, first.accessToken)
        XCTAssertNotEqual(second.refreshToken, oldRefresh)
        // Reusing a rotated refresh token revokes the family: the user must sign in again.
        let error = await expectError { try await client.refresh(refreshToken: oldRefresh) }
        guard case .invalidGrant(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(info.requiresReauthentication)
        XCTAssertFalse(info.isRetryable)
    }

    func testRevokedAccessTokenIsInvalidAtUserinfo() async throws {
        let client = try emulator.nativeClient()
        let tokens = try await emulator.signIn(client)
        _ = try await client.userInfo(accessToken: tokens.accessToken)
        try await client.revoke(tokens.accessToken, hint: .accessToken)
        let error = await expectError { try await client.userInfo(accessToken: tokens.accessToken) }
        guard case .invalidToken = error else { return XCTFail("\(String(describing: error))") }
        // Revoking an unknown token succeeds (RFC 7009).
        try await client.revoke("not-a-token")
    }

    func testUserInfoAsJSONAndJWT() async throws {
        let (client, tokens, subject) = try await emulator.signedInUser()
        let info = try await client.userInfo(accessToken: tokens.accessToken, expectedSubject: subject)
        XCTAssertEqual(info.subject, subject)
        XCTAssertEqual(info.email, Emulator.user)
        XCTAssertEqual(info.emailVerified, true)
        let claims = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(info.claimsJson.utf8)) as? [String: Any])
        XCTAssertEqual(claims["sub"] as? String, subject)
        let signed = try await client.userInfoJWT(accessToken: tokens.accessToken, expectedSubject: subject)
        XCTAssertEqual(signed.subject, subject)
        let error = await expectError {
            try await client.userInfo(accessToken: tokens.accessToken, expectedSubject: "someone-else")
        }
        guard case .userInfoSubjectMismatch = error else { return XCTFail("\(String(describing: error))") }
    }

    func testLogoutURL() async throws {
        let client = try emulator.nativeClient()
        let tokens = try await emulator.signIn(client)
        let url = try await client.logoutURL(LogoutOptions(idTokenHint: tokens.idToken, state: "bye"))
        XCTAssertTrue(url.absoluteString.hasPrefix(emulator.issuer + "/oauth/logout"))
        let params = query(url)
        XCTAssertEqual(params["id_token_hint"], tokens.idToken)
        XCTAssertEqual(params["post_logout_redirect_uri"], "com.upbond.demo:/signed-out")
        XCTAssertEqual(params["state"], "bye")
    }

    func testDiscoveryAndDoctor() async throws {
        let client = try emulator.nativeClient()
        let document = try await client.discover()
        let discovery = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any]
        XCTAssertEqual(discovery?["issuer"] as? String, emulator.issuer)
        let report = await client.doctor()
        XCTAssertEqual(report.checks.first { $0.name == "discovery" }?.status, .pass)
        XCTAssertGreaterThan(client.metrics.requests, 0)
        XCTAssertTrue(client.supportReport().contains(Emulator.nativeClient))
    }
}
