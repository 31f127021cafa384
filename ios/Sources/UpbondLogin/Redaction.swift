// Records that hold secrets print without them: `print`, string interpolation, `debugPrint`,
// `dump` and XCTest failure messages show `[REDACTED]` instead of tokens, codes and verifiers.

private let redacted = "[REDACTED]"

private func describe(_ type: String, _ fields: KeyValuePairs<String, Any?>) -> String {
    let parts = fields.map { name, value in "\(name): \(value.map { "\($0)" } ?? "nil")" }
    return "\(type)(\(parts.joined(separator: ", ")))"
}

private func mask(_ secret: String?) -> String? { secret.map { _ in redacted } }

/// A record whose `description` leaves its secrets out; `debugDescription` and `dump` use it too.
public protocol RedactedDescription: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension RedactedDescription {
    /// Same as `description`.
    public var debugDescription: String { self.description }
    /// One child, the redacted description, for `dump`.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": self.description]) }
}

extension TokenSet: RedactedDescription {
    /// The token set with every token replaced by `[REDACTED]`.
    public var description: String {
        describe("TokenSet", [
            "accessToken": redacted, "refreshToken": mask(refreshToken), "idToken": mask(idToken),
            "expiresAt": expiresAt, "scopes": scopes, "subject": idTokenClaims?.subject,
        ])
    }
}

extension PendingAuthorization: RedactedDescription {
    /// The pending request without its PKCE verifier.
    public var description: String {
        describe("PendingAuthorization", [
            "state": state, "codeVerifier": redacted, "redirectUri": redirectUri,
            "issuer": issuer, "clientId": clientId,
        ])
    }
}

extension DeviceAuthorization: RedactedDescription {
    /// The device authorization without its device code (the user code is meant to be shown).
    public var description: String {
        describe("DeviceAuthorization", [
            "deviceCode": redacted, "userCode": userCode, "verificationUri": verificationUri,
            "expiresAt": expiresAt, "intervalSecs": intervalSecs,
        ])
    }
}

extension SessionRecord: RedactedDescription {
    /// The stored session with every token replaced by `[REDACTED]`.
    public var description: String {
        describe("SessionRecord", [
            "issuer": issuer, "clientId": clientId, "accessToken": redacted,
            "refreshToken": mask(refreshToken), "idToken": mask(idToken), "expiresAt": expiresAt,
            "scopes": scopes, "subject": idTokenClaims?.subject,
        ])
    }
}
