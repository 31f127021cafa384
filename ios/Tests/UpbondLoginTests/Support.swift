import UpbondLogin
import XCTest

/// Clients of the emulator's seed data.
extension Emulator {
    /// The public native client `demo-app` (authorization code, device, refresh).
    func nativeClient(maxAttempts: UInt32? = nil) throws -> UpbondClient {
        try UpbondClient(config: ClientConfig(
            issuer: issuer, clientId: Emulator.nativeClient, redirectUri: Emulator.redirectURI,
            postLogoutRedirectUri: "com.upbond.demo:/signed-out", maxAttempts: maxAttempts, rateBudgets: false))
    }

    /// The confidential client `demo-service` (client credentials).
    func serviceClient(secret: String = Emulator.serviceSecret, maxAttempts: UInt32? = nil) throws -> UpbondClient {
        try UpbondClient(config: ClientConfig(
            issuer: issuer, clientId: Emulator.serviceClient, clientSecret: secret,
            maxAttempts: maxAttempts, rateBudgets: false))
    }

    /// Signs the demo user in with the authorization code flow, approved through the hook.
    func signIn(_ client: UpbondClient, scopes: [String] = []) async throws -> TokenSet {
        let (url, pending) = try await client.beginAuthorization(AuthorizationOptions(scopes: scopes))
        let callback = try await authorize(url)
        return try await client.completeAuthorization(pending, callbackURL: callback)
    }
}

extension Emulator {
    /// The native client with the demo user signed in, its tokens and its user ID (`sub`).
    func signedInUser() async throws -> (client: UpbondClient, tokens: TokenSet, userId: String) {
        let client = try nativeClient()
        let tokens = try await signIn(client)
        return (client, tokens, try XCTUnwrap(tokens.idTokenClaims?.subject))
    }
}

/// Fails unless `call` throws an ``UpbondLoginError``; returns it.
func expectError<T>(
    _ call: () async throws -> T, file: StaticString = #filePath, line: UInt = #line
) async -> UpbondLoginError? {
    do {
        let value = try await call()
        XCTFail("expected an UpbondLoginError, got \(value)", file: file, line: line)
    } catch let error as UpbondLoginError {
        return error
    } catch {
        XCTFail("expected an UpbondLoginError, got \(error)", file: file, line: line)
    }
    return nil
}

/// The query items of a URL, by name.
func query(_ url: URL) -> [String: String] {
    let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
}

/// Collects the elements of a stream in the background, so a test can wait for them without
/// hanging forever when one never comes.
final class Recorder<Element: Sendable>: @unchecked Sendable {
    // All access to `elements` holds `lock`.
    private let lock = NSLock()
    private var elements: [Element] = []
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<Element>) {
        task = Task { [weak self] in
            for await element in stream {
                self?.lock.withLock { self?.elements.append(element) }
            }
        }
    }

    deinit { task?.cancel() }

    /// The first `count` elements, or fewer if they have not all come within 10 seconds (a
    /// guard against hanging; the test's assertion then fails).
    func first(_ count: Int) async -> [Element] {
        for _ in 0..<1000 {
            let now = lock.withLock { elements }
            if now.count >= count { return Array(now.prefix(count)) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return lock.withLock { elements }
    }
}
