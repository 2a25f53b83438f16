import Foundation
import Network

/// A Zebra on the network: the label's ZPL (written by the core, `unitLabel`) goes as bytes to
/// the printer's raw port, 9100 on every Zebra, and nothing comes back. Bluetooth Zebras on iOS
/// need Zebra's MFi SDK (ExternalAccessory); the sample prints over the network only.
struct NetworkLabelPrinter {
    let host: String
    var port: UInt16 = 9100
    var timeout: TimeInterval = 5

    /// The printer in the words of a message.
    var name: String { "\(host):\(port)" }

    /// The printer the operator typed: a host, with an optional port.
    init(address: String) {
        let typed = address.trimmingCharacters(in: .whitespaces)
        if let colon = typed.lastIndex(of: ":"), let port = UInt16(typed[typed.index(after: colon)...]) {
            host = String(typed[..<colon])
            self.port = port
        } else {
            host = typed
        }
    }

    /// Sends `zpl` whole, then closes; throws when the printer cannot be reached in time.
    func send(_ zpl: Data) async throws {
        let connection = NWConnection(host: NWEndpoint.Host(host), port: NWEndpoint.Port(rawValue: port) ?? 9100, using: .tcp)
        defer { connection.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let done = ResumeOnce(continuation)
            connection.stateUpdateHandler = { state in
                switch state {
                case .ready:
                    connection.send(content: zpl, isComplete: true, completion: .contentProcessed { error in
                        if let error { done.resume(throwing: error) } else { done.resume() }
                    })
                // `waiting` is how a refused or unreachable printer shows: it would retry forever.
                case let .failed(error), let .waiting(error):
                    done.resume(throwing: error)
                default:
                    break
                }
            }
            connection.start(queue: .global(qos: .userInitiated))
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                done.resume(throwing: PrinterTimedOut(seconds: Int(timeout)))
            }
        }
    }
}

struct PrinterTimedOut: LocalizedError {
    let seconds: Int
    var errorDescription: String? { "no answer within \(seconds) s" }
}

/// A continuation resumed by whichever comes first: sent, failed, or timed out.
private final class ResumeOnce: @unchecked Sendable {
    private var continuation: CheckedContinuation<Void, Error>?
    private let lock = NSLock()

    init(_ continuation: CheckedContinuation<Void, Error>) { self.continuation = continuation }

    func resume(throwing error: Error? = nil) {
        lock.lock()
        let waiting = continuation
        continuation = nil
        lock.unlock()
        if let error { waiting?.resume(throwing: error) } else { waiting?.resume() }
    }
}
