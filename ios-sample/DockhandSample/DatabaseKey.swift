import Foundation
import Security

/// The device database's key: a random 256-bit key made on first start and kept in the Keychain,
/// readable after the first unlock since boot and never synced or backed up to another device.
/// Losing it (a wiped device) loses the database: unsynced work must be synced before that.
enum DatabaseKey {
    private static let service = "io.dockhand.sample"
    private static let account = "database-key"

    static func load() throws -> String {
        if let key = try read() { return key }
        let key = generateDatabaseKey()
        let item: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
            kSecValueData as String: Data(key.utf8),
        ]
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw KeychainError(status: status) }
        return key
    }

    private static func read() throws -> String? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
        ]
        var found: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &found)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = found as? Data else { throw KeychainError(status: status) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Opens the encrypted device database; a plain file left by an earlier version of the app is
    /// encrypted first (replaced only once the encrypted copy is whole).
    static func openDevice(path: String, deviceId: String) throws -> Device {
        let key = try load()
        if isPlainSqlite(path) {
            try changeDatabaseKey(path: path, currentKey: nil, newKey: key)
        }
        return try Device.open(path: path, deviceId: deviceId, encryptionKey: key)
    }

    private static func isPlainSqlite(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return handle.readData(ofLength: 16) == Data("SQLite format 3\0".utf8)
    }
}

struct KeychainError: Error, CustomStringConvertible {
    let status: OSStatus
    var description: String { "the Keychain refused the database key (OSStatus \(status))" }
}
