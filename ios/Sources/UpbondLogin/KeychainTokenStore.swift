// The Keychain token store for Apple platforms. Compiled only where the Security framework
// exists; NOT built or tested on Linux (see README.md).
#if canImport(Security)
import Foundation
import Security

/// Keeps the session record in the Keychain as one generic-password item.
///
/// Use one store per account; share it between an app and its extensions with an
/// `accessGroup` (a Keychain Sharing group, e.g. `"ABCDE12345.com.example.shared"`).
public final class KeychainTokenStore: TokenStore, Sendable {
    /// When the item can be read (`kSecAttrAccessible*`). The `ThisDeviceOnly` ones are never
    /// restored to another device from a backup.
    public enum Accessibility: Sendable {
        /// After the first unlock since boot (background refresh works); this device only.
        case afterFirstUnlockThisDeviceOnly
        /// After the first unlock since boot; may move to a new device with a backup.
        case afterFirstUnlock
        /// Only while the device is unlocked; this device only.
        case whenUnlockedThisDeviceOnly
        /// Only while the device is unlocked.
        case whenUnlocked
        /// Only while unlocked and only while a passcode is set; this device only.
        case whenPasscodeSetThisDeviceOnly

        var attribute: CFString {
            switch self {
            case .afterFirstUnlockThisDeviceOnly: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            case .afterFirstUnlock: kSecAttrAccessibleAfterFirstUnlock
            case .whenUnlockedThisDeviceOnly: kSecAttrAccessibleWhenUnlockedThisDeviceOnly
            case .whenUnlocked: kSecAttrAccessibleWhenUnlocked
            case .whenPasscodeSetThisDeviceOnly: kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly
            }
        }
    }

    /// The item's service (`kSecAttrService`).
    public let service: String
    /// The item's account (`kSecAttrAccount`).
    public let account: String
    /// The Keychain access group shared with extensions or other apps, if any.
    public let accessGroup: String?
    /// When the item can be read.
    public let accessibility: Accessibility

    /// A store for the item `service`/`account`; the default service is the bundle ID plus
    /// `.upbond-login`, the default accessibility `afterFirstUnlockThisDeviceOnly` (so that a
    /// background refresh can read it, and it never leaves the device).
    public init(
        service: String = (Bundle.main.bundleIdentifier ?? "app") + ".upbond-login",
        account: String = "session",
        accessGroup: String? = nil,
        accessibility: Accessibility = .afterFirstUnlockThisDeviceOnly
    ) {
        self.service = service
        self.account = account
        self.accessGroup = accessGroup
        self.accessibility = accessibility
    }

    /// The stored record, or `nil` when there is none.
    public func load() throws -> Data? {
        var query = itemQuery()
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess: return item as? Data
        case errSecItemNotFound: return nil
        default: throw KeychainError(operation: "read", status: status)
        }
    }

    /// Replaces the stored record (updates the item, or adds it the first time).
    public func save(record: Data) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: record,
            kSecAttrAccessible as String: accessibility.attribute,
        ]
        var status = SecItemUpdate(itemQuery() as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let item = itemQuery().merging(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw KeychainError(operation: "write", status: status) }
    }

    /// Removes the stored record; succeeds when there is none.
    public func delete() throws {
        let status = SecItemDelete(itemQuery() as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw KeychainError(operation: "delete", status: status)
        }
    }

    private func itemQuery() -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            // On macOS: the iOS-style data protection keychain, which honours access groups.
            kSecUseDataProtectionKeychain as String: true,
        ]
        if let accessGroup { query[kSecAttrAccessGroup as String] = accessGroup }
        return query
    }
}

/// A Keychain call failed; the session reports it as a `storage_error`.
public struct KeychainError: Error, Sendable, CustomStringConvertible {
    /// `read`, `write` or `delete`.
    public let operation: String
    /// The Security framework's status code.
    public let status: OSStatus

    /// The operation, status and the system's explanation of it.
    public var description: String {
        let reason = SecCopyErrorMessageString(status, nil).map { $0 as String } ?? "unknown error"
        return "Keychain \(operation) failed (OSStatus \(status): \(reason))"
    }
}
#endif
