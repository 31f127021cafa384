import Foundation
import UpbondLogin
import XCTest

/// A token store written in Swift, as an app would (the Keychain store works the same way).
final class DictionaryStore: TokenStore, @unchecked Sendable {
    // All access holds `lock`.
    private let lock = NSLock()
    private var data: Data?
    private(set) var saves = 0
    var failing = false

    var stored: Data? { lock.withLock { data } }

    func load() throws -> Data? {
        try lock.withLock {
            if failing { throw StoreFailure() }
            return data
        }
    }

    func save(record: Data) throws {
        try lock.withLock {
            if failing { throw StoreFailure() }
            data = record
            saves += 1
        }
    }

    func delete() throws {
        lock.withLock { data = nil }
    }
}

struct StoreFailure: Error, CustomStringConvertible {
    var description: String { "the disk is full" }
}

/// Sessions over a Swift token store, their event stream and state stream.
final class SessionTests: EmulatorTestCase {
    func testSessionLifecycleOverASwiftStoreWithEvents() async throws {
        let client = try emulator.nativeClient()
        let store = DictionaryStore()
        let session = UpbondSession(client: client, store: store)
        let events = Recorder(session.events())

        let tokens = try await emulator.signIn(client)
        try await session.signIn(tokens)
        let first = await events.first(1)
        XCTAssertEqual(first, [.signedIn])
        let stored = try XCTUnwrap(store.stored)
        XCTAssertTrue(String(decoding: stored, as: UTF8.self).contains(tokens.accessToken))

        // Fresh enough: no refresh.
        let token = try await session.accessToken()
        XCTAssertEqual(token, tokens.accessToken)
        // Asking for more lifetime than the token has left forces one refresh.
        let refreshed = try await session.accessToken(minimumLifetime: .seconds(7200))
        XCTAssertNotEqual(refreshed, tokens.accessToken)
        let second = await events.first(2)
        XCTAssertEqual(second, [.signedIn, .refreshed])
        let record = try await session.record()
        XCTAssertEqual(record?.accessToken, refreshed)
        XCTAssertFalse(String(describing: record!).contains(refreshed))

        let outcome = try await session.signOut()
        XCTAssertTrue(outcome.removed)
        XCTAssertTrue(outcome.revoked, "\(String(describing: outcome.revocationError))")
        let third = await events.first(3)
        XCTAssertEqual(third, [.signedIn, .refreshed, .signedOut])
        XCTAssertNil(store.stored)
        let error = await expectError { try await session.accessToken() }
        guard case .notSignedIn(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(info.requiresReauthentication)
    }

    func testConcurrentCallersShareOneRefresh() async throws {
        let client = try emulator.nativeClient()
        let session = UpbondSession.inMemory(client: client)
        try await session.signIn(try await emulator.signIn(client))
        try await emulator.hook("/_emulator/stats", method: "DELETE")
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try await session.accessToken(minimumLifetime: .seconds(7200)) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(tokens.count, 1)
        let stats = try await emulator.hook("/_emulator/stats", method: "GET") as? [String: Any]
        XCTAssertEqual((stats?["grants"] as? [String: Any])?["refresh_token"] as? Int, 1)
    }

    func testStateStreamStartsWithTheStoredStateAndFollowsChanges() async throws {
        let client = try emulator.nativeClient()
        let session = UpbondSession(client: client, store: DictionaryStore())
        let states = Recorder(session.states())
        let initial = await states.first(1)
        XCTAssertEqual(initial, [.signedOut])
        try await session.signIn(try await emulator.signIn(client))
        let signedIn = await states.first(2)
        XCTAssertEqual(signedIn, [.signedOut, .signedIn])
        try await session.signOut()
        let signedOut = await states.first(3)
        XCTAssertEqual(signedOut, [.signedOut, .signedIn, .signedOut])
    }

    func testRevokedRefreshTokenAsksForReauthentication() async throws {
        let client = try emulator.nativeClient()
        let session = UpbondSession.inMemory(client: client)
        let states = Recorder(session.states())
        _ = await states.first(1)
        try await session.signIn(try await emulator.signIn(client))
        _ = await states.first(2)
        try await emulator.hook("/_emulator/tokens/revoke-all")
        let error = await expectError { try await session.accessToken(minimumLifetime: .seconds(7200)) }
        XCTAssertTrue(error?.requiresReauthentication ?? false, "\(String(describing: error))")
        let all = await states.first(3)
        XCTAssertEqual(all, [.signedOut, .signedIn, .reauthenticationRequired])
    }

    func testEncryptedFileSessionSurvivesANewSessionObject() async throws {
        let client = try emulator.nativeClient()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upbond-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let key = Data(repeating: 7, count: 32)
        let tokens = try await emulator.signIn(client)
        try await UpbondSession.inFile(client: client, path: path, key: key).signIn(tokens)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertFalse(String(decoding: onDisk, as: UTF8.self).contains(tokens.accessToken))
        let reopened = try UpbondSession.inFile(client: client, path: path, key: key)
        let token = try await reopened.accessToken()
        XCTAssertEqual(token, tokens.accessToken)
        let wrongKey = try UpbondSession.inFile(client: client, path: path, key: Data(repeating: 8, count: 32))
        let error = await expectError { try await wrongKey.accessToken() }
        XCTAssertEqual(error?.code, "storage_error", "\(String(describing: error))")
    }

    func testFailingStoreIsStorageError() async throws {
        let client = try emulator.nativeClient()
        let store = DictionaryStore()
        store.failing = true
        let session = UpbondSession(client: client, store: store)
        let tokens = try await emulator.signIn(client)
        let error = await expectError { try await session.signIn(tokens) }
        guard case .storage(let info) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(info.message.contains("the disk is full"), info.message)
    }

    func testSecretsAreRedactedInDescriptions() async throws {
        let client = try emulator.nativeClient()
        let tokens = try await emulator.signIn(client)
        let (_, pending) = try await client.beginAuthorization()
        var dumped = ""
        dump(tokens, to: &dumped)
        for text in [String(describing: tokens), String(reflecting: tokens), "\(tokens)", dumped] {
            XCTAssertFalse(text.contains(tokens.accessToken), text)
            XCTAssertFalse(text.contains(tokens.refreshToken!), text)
            XCTAssertFalse(text.contains(tokens.idToken!), text)
            XCTAssertTrue(text.contains("[REDACTED]"), text)
        }
        XCTAssertFalse(String(describing: pending).contains(pending.codeVerifier))
        let device = try await client.startDeviceAuthorization()
        XCTAssertFalse(String(describing: device).contains(device.deviceCode))
        XCTAssertTrue(String(describing: device).contains(device.userCode))
    }
}
