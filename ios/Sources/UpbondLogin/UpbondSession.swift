import Foundation

/// Whether a session has tokens, as seen by ``UpbondSession/states()``.
public enum SessionState: Sendable, Hashable {
    /// Tokens are stored (after a sign-in or refresh).
    case signedIn
    /// Nothing is stored.
    case signedOut
    /// The issuer refused the refresh token: the user must sign in again.
    case reauthenticationRequired
}

/// One signed-in user: an access token on demand, refreshed once for all concurrent callers,
/// kept in a ``TokenStore`` (the Keychain on iOS: `KeychainTokenStore`). Thread-safe.
public final class UpbondSession: Sendable {
    /// The client the session refreshes and revokes with.
    public let client: UpbondClient
    /// The generated session this one forwards to.
    public let raw: Session
    private let hub = SessionEventHub()

    /// A session kept in `store`. The store is called on an SDK worker thread and may block.
    public convenience init(client: UpbondClient, store: TokenStore) {
        self.init(client: client, raw: Session(client: client.raw, store: store))
    }

    /// A session kept in memory only (forgotten when the process ends).
    public static func inMemory(client: UpbondClient) -> UpbondSession {
        UpbondSession(client: client, raw: Session.inMemory(client: client.raw))
    }

    /// A session kept in a file (owner-only, replaced atomically), encrypted with AES-256-GCM
    /// when a 32-byte `key` is given.
    public static func inFile(client: UpbondClient, path: String, key: Data? = nil) throws -> UpbondSession {
        let raw = try translatingErrors { try Session.inFile(client: client.raw, path: path, key: key) }
        return UpbondSession(client: client, raw: raw)
    }

    private init(client: UpbondClient, raw: Session) {
        self.client = client
        self.raw = raw
        raw.setListener(listener: hub)
    }

    /// Stores the tokens of a sign-in, replacing any stored session.
    public func signIn(_ tokens: TokenSet) async throws {
        try await translatingErrors { try await raw.signIn(tokens: tokens) }
    }

    /// An access token valid for at least `minimumLifetime`, refreshed when needed. Throws
    /// ``UpbondLoginError/notSignedIn(_:)`` when there is no usable session.
    public func accessToken(minimumLifetime: Duration = .seconds(60)) async throws -> String {
        let seconds = UInt64(max(0, minimumLifetime.components.seconds))
        return try await translatingErrors { try await raw.accessToken(minTtlSecs: seconds) }
    }

    /// The stored session, or `nil` when signed out.
    public func record() async throws -> SessionRecord? {
        try await translatingErrors { try await raw.record() }
    }

    /// Signs out: clears the store, then revokes the tokens at the issuer. Only a failure to
    /// clear the store throws; the result says whether the issuer revoked the tokens.
    @discardableResult
    public func signOut() async throws -> SignOut {
        try await translatingErrors { try await raw.signOut() }
    }

    /// Every session event from now on, until the stream's consumer stops.
    public func events() -> AsyncStream<SessionEvent> {
        hub.subscribe()
    }

    /// The session state: first the current one (read from the store), then every change.
    public func states() -> AsyncStream<SessionState> {
        let events = hub.subscribe()
        return AsyncStream { continuation in
            let task = Task {
                let stored = try? await self.raw.record()
                var last: SessionState = stored == nil ? .signedOut : .signedIn
                continuation.yield(last)
                for await event in events {
                    let state = SessionState(event)
                    if state != last {
                        last = state
                        continuation.yield(state)
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension SessionState {
    init(_ event: SessionEvent) {
        switch event {
        case .signedIn, .refreshed: self = .signedIn
        case .signedOut: self = .signedOut
        case .reauthenticationRequired: self = .reauthenticationRequired
        }
    }
}

/// The one listener a session has, fanning its events out to every subscribed stream.
final class SessionEventHub: SessionListener, @unchecked Sendable {
    // All access to `subscribers` holds `lock`, hence @unchecked Sendable.
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<SessionEvent>.Continuation] = [:]

    func subscribe() -> AsyncStream<SessionEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<SessionEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        lock.withLock { subscribers[id] = continuation }
        return stream
    }

    func onEvent(event: SessionEvent) {
        let current = lock.withLock { Array(subscribers.values) }
        for continuation in current {
            continuation.yield(event)
        }
    }

    deinit {
        for continuation in subscribers.values {
            continuation.finish()
        }
    }
}
