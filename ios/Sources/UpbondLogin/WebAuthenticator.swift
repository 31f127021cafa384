// The browser sign-in for Apple platforms (authorization code flow with PKCE through
// ASWebAuthenticationSession). Compiled only where AuthenticationServices exists; NOT built or
// tested on Linux (see README.md).
#if canImport(AuthenticationServices) && (os(iOS) || os(macOS) || os(visionOS))
import AuthenticationServices
import Foundation
#if canImport(UIKit)
import UIKit
#elseif canImport(AppKit)
import AppKit
#endif

/// Runs the authorization code flow in the system's authentication browser
/// (`ASWebAuthenticationSession`, RFC 8252 section 6) and exchanges the code.
@MainActor
public final class WebAuthenticator: NSObject, ASWebAuthenticationPresentationContextProviding {
    /// How the issuer's redirect comes back to the app.
    public enum Callback: Sendable {
        /// A private-use URI scheme, e.g. `com.example.app` for `com.example.app:/callback`.
        case customScheme(String)
        /// A universal link (`https://host/path`) of the app's associated domains
        /// (iOS 17.4+, macOS 14.4+).
        case universalLink(host: String, path: String)
    }

    /// Whether to use a private browser session that shares no cookies with Safari (no
    /// single sign-on, and no "wants to sign in" prompt).
    public var prefersEphemeralSession: Bool
    private let anchor: @MainActor () -> ASPresentationAnchor
    private var current: ASWebAuthenticationSession?

    /// An authenticator presenting over `anchor` (default: the key window).
    public init(
        prefersEphemeralSession: Bool = false,
        anchor: @escaping @MainActor () -> ASPresentationAnchor = WebAuthenticator.keyWindow
    ) {
        self.prefersEphemeralSession = prefersEphemeralSession
        self.anchor = anchor
    }

    /// Signs in: opens the authorization URL, waits for the callback and exchanges the code.
    /// Throws ``UpbondLoginError/cancelled(_:)`` when the user closes the window and
    /// `CancellationError` when the task is cancelled.
    public func signIn(
        client: UpbondClient,
        callback: Callback,
        options: AuthorizationOptions = AuthorizationOptions()
    ) async throws -> TokenSet {
        let (url, pending) = try await client.beginAuthorization(options)
        let callbackURL = try await open(url, callback: callback)
        return try await client.completeAuthorization(pending, callbackURL: callbackURL)
    }

    /// Opens `url` (an authorization or logout URL) and returns the callback URL.
    public func open(_ url: URL, callback: Callback) async throws -> URL {
        do {
            return try await present(url, callback: callback)
        } catch UpbondLoginError.cancelled where Task.isCancelled {
            throw CancellationError()
        }
    }

    private func present(_ url: URL, callback: Callback) async throws -> URL {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // @Sendable: the browser may call back on any thread, so no actor isolation.
                let done: @Sendable (URL?, Error?) -> Void = { url, error in
                    if let url {
                        continuation.resume(returning: url)
                    } else {
                        continuation.resume(throwing: Self.translate(error))
                    }
                }
                let session: ASWebAuthenticationSession
                switch callback {
                case .customScheme(let scheme):
                    session = ASWebAuthenticationSession(url: url, callbackURLScheme: scheme, completionHandler: done)
                case .universalLink(let host, let path):
                    guard #available(iOS 17.4, macOS 14.4, *) else {
                        continuation.resume(throwing: UpbondLoginError.notSupported(.local(
                            code: "not_supported_by_issuer",
                            "universal link callbacks need iOS 17.4 / macOS 14.4; use a custom scheme")))
                        return
                    }
                    session = ASWebAuthenticationSession(url: url, callback: .https(host: host, path: path), completionHandler: done)
                }
                session.presentationContextProvider = self
                session.prefersEphemeralWebBrowserSession = prefersEphemeralSession
                current = session
                if !session.start() {
                    continuation.resume(throwing: UpbondLoginError.cancelled(.local(
                        code: "cancelled", "the authentication browser could not start")))
                }
            }
        } onCancel: {
            Task { @MainActor [weak self] in self?.current?.cancel() }
        }
    }

    /// The window to present over.
    public nonisolated func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        MainActor.assumeIsolated { anchor() }
    }

    /// The app's key window.
    public static func keyWindow() -> ASPresentationAnchor {
        #if canImport(UIKit)
        let windows = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }.flatMap(\.windows)
        return windows.first(where: \.isKeyWindow) ?? ASPresentationAnchor()
        #else
        return NSApplication.shared.keyWindow ?? ASPresentationAnchor()
        #endif
    }

    private nonisolated static func translate(_ error: Error?) -> Error {
        if let error = error as? ASWebAuthenticationSessionError, error.code == .canceledLogin {
            return UpbondLoginError.cancelled(.local(code: "cancelled", "the user closed the sign-in window"))
        }
        return UpbondLoginError.other(.local(
            code: "browser_failed", "the authentication browser failed: \(error.map { "\($0)" } ?? "no callback URL")"))
    }
}
#endif
