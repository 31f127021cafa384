import UpbondLogin
import XCTest

/// The UPBOND user API: profile and the email flows, including EMAIL_007.
final class UserApiTests: EmulatorTestCase {
    func testProfileOfTheSignedInUser() async throws {
        let (client, tokens, userId) = try await emulator.signedInUser()
        let profile = try await client.userProfile(accessToken: tokens.accessToken, userId: userId)
        XCTAssertEqual(profile.id, userId)
        XCTAssertEqual(profile.email, Emulator.user)
        XCTAssertEqual(profile.emailVerified, true)
    }

    func testWrongCurrentPasswordIsEmail007WithoutThePassword() async throws {
        let (client, tokens, userId) = try await emulator.signedInUser()
        let password = "not-the-password-123"
        let error = await expectError {
            try await client.changeEmail(
                accessToken: tokens.accessToken, userId: userId, newEmail: "new@example.com", currentPassword: password)
        }
        guard case .emailPasswordRejected(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(info.code, "EMAIL_007")
        XCTAssertFalse(info.isRetryable)
        XCTAssertFalse(info.resolution.isEmpty)
        XCTAssertFalse("\(error!) \(String(reflecting: error!))".contains(password))
    }

    func testEmailChangeCompletesWithTheEmailedCode() async throws {
        let (client, tokens, userId) = try await emulator.signedInUser()
        try await client.changeEmail(
            accessToken: tokens.accessToken, userId: userId, newEmail: "renamed@example.com",
            currentPassword: Emulator.password)
        let outbox = try await emulator.hook("/_emulator/outbox", method: "GET") as? [[String: Any]] ?? []
        let mail = try XCTUnwrap(outbox.last { $0["to"] as? String == "renamed@example.com" })
        let code = try XCTUnwrap(mail["code"] as? String)
        let wrong = await expectError { try await client.verifyEmail(accessToken: tokens.accessToken, userId: userId, code: "000000") }
        guard case .emailOperationFailed = wrong else { return XCTFail("\(String(describing: wrong))") }
        try await client.verifyEmail(accessToken: tokens.accessToken, userId: userId, code: code)
        let profile = try await client.userProfile(accessToken: tokens.accessToken, userId: userId)
        XCTAssertEqual(profile.email, "renamed@example.com")
    }
}
