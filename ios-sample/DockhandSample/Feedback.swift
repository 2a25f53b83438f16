import SwiftUI

enum Tone { case ok, warning, error
    var color: Color { switch self { case .ok: .green; case .warning: .orange; case .error: .red } }
}

/// One line for the operator after a command.
struct Feedback: Error {
    var text: String
    var tone: Tone
    /// The command waits for a supervisor's badge and PIN.
    var needsSupervisor = false

    init(text: String, tone: Tone) { self.text = text; self.tone = tone }

    /// The core's sentence names the values ("location A-01-05 is blocked"); nothing was recorded.
    init(_ error: DockhandError) {
        switch error {
        case let .Validation(_, reason), let .NotFound(_, reason): self.init(text: reason, tone: .error)
        case let .Conflict(_, reason): self.init(text: reason, tone: .warning)
        case let .NeedsSupervisor(_, reason):
            self.init(text: reason + ". Ask a supervisor to approve.", tone: .warning)
            needsSupervisor = true
        case let .Storage(_, reason): self.init(text: "The device could not save: \(reason). Nothing was recorded.", tone: .error)
        case let .Network(_, reason, transient):
            self.init(text: transient ? "No connection to the hub. Your work is kept and will be sent later." : reason, tone: .warning)
        }
    }
}

struct SyncBar {
    var text: String
    var tone: Tone

    init(text: String, tone: Tone) { self.text = text; self.tone = tone }

    init(_ s: SyncStatus) {
        let pending = s.pending == 1 ? "1 scan to send" : "\(s.pending) scans to send"
        switch (s.state, s.rejected) {
        case (_, let r) where r > 0: self.init(text: "\(r) refused by the hub — see Exceptions", tone: .error)
        case (.syncing, _): self.init(text: "Sending… \(pending)", tone: .ok)
        case (.offline, _): self.init(text: "Offline — \(pending), kept on this device", tone: .warning)
        case (.error, _): self.init(text: s.lastError ?? "Sync stopped", tone: .error)
        default: self.init(text: s.pending > 0 ? pending : "All sent", tone: s.pending > 0 ? .warning : .ok)
        }
    }
}

struct SyncBarView: View {
    let bar: SyncBar
    var body: some View {
        Text(bar.text).foregroundStyle(bar.tone.color).frame(maxWidth: .infinity, alignment: .leading).padding(8)
    }
}

struct FeedbackLine: View {
    let feedback: Feedback?
    var body: some View {
        if let f = feedback {
            Text(f.text).foregroundStyle(.white).padding(10).frame(maxWidth: .infinity, alignment: .leading).background(f.tone.color)
        }
    }
}
