import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A running `upbond-emulator` process on 127.0.0.1 (binary from `UPBOND_EMULATOR_BIN`, set by
/// scripts/test-swift), with its `/_emulator/` test hooks. Stopped by `stop()` or on deinit.
final class Emulator: @unchecked Sendable {
    let issuer: String
    private let process: Process

    /// Starts the emulator and waits for its `issuer:` line.
    init() throws {
        guard let path = ProcessInfo.processInfo.environment["UPBOND_EMULATOR_BIN"] else {
            throw XCTSkip("UPBOND_EMULATOR_BIN is not set: run the suite with scripts/test-swift")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--port", "0"]
        let stdout = Pipe()
        process.standardOutput = stdout
        // Never the test runner's own stderr or stdin: a child holding them keeps `swift test` waiting.
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first line is exactly `issuer: http://127.0.0.1:PORT`.
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), let b = byte.first, b != 10 {
            line.append(b)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("issuer: ") else {
            process.terminate()
            throw EmulatorError(message: "unexpected first line from the emulator: \(text)")
        }
        issuer = String(text.dropFirst("issuer: ".count))
    }

    deinit { stop() }

    /// Stops the process (idempotent) and waits until it is gone.
    func stop() {
        let pid = process.processIdentifier
        guard pid > 0, kill(pid, 0) == 0 else { return }
        kill(pid, SIGKILL)
        // Reaps it here: Foundation's own bookkeeping (isRunning, waitUntilExit) depends on a run
        // loop that async tests on Linux never run. ECHILD means it was reaped already.
        var status: Int32 = 0
        for _ in 0..<500 {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped == -1 && errno == ECHILD) { return }
            usleep(10_000)
        }
    }

    /// Sends a JSON hook request and returns the decoded JSON answer; fails on a non-2xx answer.
    @discardableResult
    func hook(_ path: String, method: String = "POST", _ body: [String: Any]? = nil) async throws -> Any {
        let (status, json) = try await call(path, method: method, body)
        guard (200..<300).contains(status) else {
            throw EmulatorError(message: "\(method) \(path) answered \(status): \(json)")
        }
        return json
    }

    /// Sends a JSON request and returns the status and the decoded JSON answer (or `NSNull`).
    func call(_ path: String, method: String = "POST", _ body: Any? = nil) async throws -> (Int, Any) {
        var request = URLRequest(url: URL(string: issuer + path)!)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, status) = try await send(request)
        let json = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) ?? NSNull()
        return (status, json)
    }

    /// Approves (or denies) the authorization URL as `email`; returns the callback URL.
    func authorize(_ url: URL, email: String = Emulator.user, deny: Bool = false) async throws -> URL {
        let answer = try await hook("/_emulator/authorize", ["url": url.absoluteString, "email": email, "deny": deny])
        guard let redirect = (answer as? [String: Any])?["redirect_url"] as? String, let callback = URL(string: redirect)
        else { throw EmulatorError(message: "no redirect_url in \(answer)") }
        return callback
    }

    /// Approves (or denies) a device authorization's user code as `email`.
    func approveDevice(userCode: String, email: String = Emulator.user, deny: Bool = false) async throws {
        try await hook("/_emulator/device", ["user_code": userCode, "email": email, "deny": deny])
    }

    /// Turns the server's rate limits off (tests sign in many times).
    func disableRateLimits() async throws {
        try await hook("/_emulator/settings", ["rate_limits": false])
    }

    static let user = "demo-user@example.com"
    static let password = "demo-password"
    static let nativeClient = "demo-app"
    static let redirectURI = "com.upbond.demo:/callback"
    static let serviceClient = "demo-service"
    static let serviceSecret = "demo-service-secret"

    private func send(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
    }
}

struct EmulatorError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
