import Foundation
import SwiftUI

/// One device database and one sync client for the app. dockhand's local commands are fast
/// synchronous SQLite transactions: `run` calls them off the main actor; `syncNow` is async.
@MainActor
final class AppModel: ObservableObject {
    let device: Device
    let sync: SyncClient
    /// Who signed in with badge and PIN (dockhand refuses commands in anyone else's name).
    @Published var signedIn: Operator?
    var operatorId: String { signedIn?.id ?? "" }
    @Published var syncBar = SyncBar(text: "…", tone: .ok)
    private var subscription: Subscription?
    private let tokens: KeychainTokens

    /// Opens the device database and the sync client; a failure (a file made for another device,
    /// a full disk) comes back as the sentence to show instead of crashing the app.
    static func start() -> Result<AppModel, Feedback> {
        let defaults = UserDefaults.standard
        let deviceId = defaults.string(forKey: "device_id") ?? {
            let id = "HH-" + UUID().uuidString.prefix(8)
            defaults.set(id, forKey: "device_id")
            return id
        }()
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let hub = Bundle.main.object(forInfoDictionaryKey: "DockhandHubURL") as? String ?? "http://localhost:8080"
        let tokens = KeychainTokens()
        do {
            // Encrypted at rest with a key kept in the Keychain (DatabaseKey.swift).
            let device = try DatabaseKey.openDevice(path: dir.appendingPathComponent("dockhand.db").path, deviceId: deviceId)
            if (try? device.item(sku: "TOWEL-2P")) == nil { try? device.loadSampleWarehouse() }
            let sync = try SyncClient(device: device, settings: SyncSettings(hubUrl: hub), tokens: tokens)
            return .success(AppModel(device: device, sync: sync, tokens: tokens, deviceId: deviceId))
        } catch let error as DockhandError {
            return .failure(Feedback(error))
        } catch {
            return .failure(Feedback(text: "\(error)", tone: .error))
        }
    }

    private init(device: Device, sync: SyncClient, tokens: KeychainTokens, deviceId: String) {
        self.device = device
        self.sync = sync
        self.tokens = tokens
        signedIn = try? device.signedIn()
        syncBar = SyncBar(sync.status())
        subscription = sync.observe(observer: StatusRelay { [weak self] status in
            Task { @MainActor in self?.syncBar = SyncBar(status) }
        })
        Task {
            if tokens.token == nil, let issued = try? await sync.register(name: deviceId, registrationSecret: nil) {
                tokens.token = issued.token()
            }
            try? sync.start()
        }
    }

    /// Runs a dockhand call off the main actor; a refusal comes back as the operator's message.
    func run<T>(_ call: @escaping (Device) throws -> T) async -> Result<T, Feedback> {
        let device = self.device
        return await Task.detached {
            do { return .success(try call(device)) } catch let error as DockhandError {
                return .failure(Feedback(error))
            } catch {
                return .failure(Feedback(text: "\(error)", tone: .error))
            }
        }.value
    }

    func opId() -> String { UUID().uuidString }

    /// Badge scan + PIN; the PIN is passed through once and never kept.
    func signIn(badge: String, pin: String) async -> Feedback? {
        switch await run({ try $0.signIn(badge: badge, pin: pin) }) {
        case let .success(who):
            signedIn = who
            return nil
        case let .failure(f): return f
        }
    }

    func signOut() async {
        _ = await run({ try $0.signOut() })
        signedIn = nil
    }
}

/// The sync observer is called on dockhand's sync thread.
final class StatusRelay: SyncObserver, @unchecked Sendable {
    private let relay: (SyncStatus) -> Void
    init(_ relay: @escaping (SyncStatus) -> Void) { self.relay = relay }
    func onStatus(status: SyncStatus) throws { relay(status) }
}

/// The device token. A real app keeps it in the Keychain; the sample uses UserDefaults.
final class KeychainTokens: TokenProvider, @unchecked Sendable {
    var token: String? {
        get { UserDefaults.standard.string(forKey: "token") }
        set { UserDefaults.standard.set(newValue, forKey: "token") }
    }
    func currentToken() throws -> String? { token }
    // Called on a background thread after the hub refused the token: ask the app's backend here.
    func refreshToken() throws -> String? { nil }
}
