import SwiftUI

// Moving stored stock, as thin as the other screens: scans gathered, the core decides.

/// Source label, goods or pallet, destination label: a move in three scans.
struct MoveView: View {
    @EnvironmentObject var model: AppModel
    /// The source location and what its label read (the proof of presence the move carries).
    @State var source: (code: String, scan: String)?
    @State var pallet: String?
    @State var goods: Goods?
    @State var packs: Int64 = 1
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            Text(prompt)
            if goods != nil { Stepper("Packs to move: \(packs)", value: $packs, in: 1...9999).padding(.horizontal) }
            ScanInput { raw in Task { await scanned(raw) } }
            FeedbackLine(feedback: feedback)
            Spacer()
        }
    }

    private var prompt: String {
        guard let source else { return "Scan the location to take goods from" }
        if goods != nil { return "Scan the destination" }
        if let pallet { return "Pallet \(pallet) at \(source.code): goods to take off, or the destination" }
        return "At \(source.code): scan goods or a pallet"
    }

    func scanned(_ raw: String) async {
        guard case let .success(scan) = await model.run({ try $0.resolveScan(raw: raw) }) else {
            feedback = Feedback(text: "Cannot read \(raw)", tone: .error)
            return
        }
        switch (source, scan) {
        case (nil, .location(let code)):
            source = (code, raw); pallet = nil; goods = nil; packs = 1; feedback = nil
        case (nil, _):
            feedback = Feedback(text: "Scan the label of the location to take goods from", tone: .error)
        case (.some, .pallet(let sscc)) where goods == nil:
            pallet = sscc
        case (.some, .goods) where goods == nil:
            goods = Goods(barcode: raw)
        case (.some(let from), .location(let to)) where goods != nil || pallet != nil:
            await confirm(from: from, to: to, toScan: raw)
        default:
            feedback = Feedback(text: "Scan the goods (or a pallet), then the destination", tone: .error)
        }
    }

    func confirm(from: (code: String, scan: String), to: String, toScan: String) async {
        let request = MoveRequest(
            opId: model.opId(), operator: model.operatorId, fromLocation: from.code, fromScan: from.scan,
            goods: goods, lpn: pallet, quantity: goods == nil ? 0 : packs, to: to, toScan: toScan)
        switch await model.run({ try $0.confirmMove(request: request) }) {
        case let .success(done):
            feedback = Feedback(text: "Moved \(done.baseQuantity) from \(done.from) to \(done.to)", tone: .ok)
            source = nil; pallet = nil; goods = nil; packs = 1
        case let .failure(f):
            feedback = f
        }
    }
}

/// A supervisor's decision on held goods: location, goods, outcome, destination when they stay,
/// then badge and PIN.
struct ReleaseView: View {
    @EnvironmentObject var model: AppModel
    @State var location: (code: String, scan: String)?
    @State var pallet: String?
    @State var goods: Goods?
    @State var outcome: InspectionOutcome = .restock
    @State var packs: Int64 = 1
    @State var reasonCode = ""
    @State var destination: (code: String, scan: String)?
    @State var feedback: Feedback?

    private var leaves: Bool { outcome == .scrap || outcome == .returnToVendor }

    var body: some View {
        VStack {
            Text(location.map { "Held goods at \($0.code)" } ?? "Scan the location holding the goods")
            if goods != nil {
                Picker("Decision", selection: $outcome) {
                    Text("Available").tag(InspectionOutcome.restock)
                    Text("Quarantine").tag(InspectionOutcome.quarantine)
                    Text("Damaged").tag(InspectionOutcome.damaged)
                    Text("Scrap").tag(InspectionOutcome.scrap)
                    Text("Return to vendor").tag(InspectionOutcome.returnToVendor)
                }
                Stepper("Packs: \(packs)", value: $packs, in: 1...9999).padding(.horizontal)
                TextField("Reason code", text: $reasonCode).padding(.horizontal)
                if leaves || destination != nil {
                    ApprovalForm { approval in Task { await release(approval) } }
                } else {
                    Text("Scan the destination's label")
                }
            }
            ScanInput { raw in Task { await scanned(raw) } }
            FeedbackLine(feedback: feedback)
            Spacer()
        }
    }

    func scanned(_ raw: String) async {
        guard case let .success(scan) = await model.run({ try $0.resolveScan(raw: raw) }) else {
            feedback = Feedback(text: "Cannot read \(raw)", tone: .error)
            return
        }
        switch (location, goods, scan) {
        case (nil, _, .location(let code)): location = (code, raw); pallet = nil; goods = nil; destination = nil
        case (.some, nil, .pallet(let sscc)): pallet = sscc
        case (.some, nil, .goods): goods = Goods(barcode: raw)
        case (.some, .some, .location(let code)) where !leaves: destination = (code, raw)
        default: feedback = Feedback(text: "Scan the location, the held goods, then the destination", tone: .error)
        }
    }

    func release(_ approval: Approval) async {
        guard let location, let goods else { return }
        let request = ReleaseRequest(
            opId: model.opId(), operator: model.operatorId, location: location.code, locationScan: location.scan,
            goods: goods, lpn: pallet, quantity: packs, outcome: outcome, to: leaves ? nil : destination?.code,
            toScan: leaves ? nil : destination?.scan, reasonCode: reasonCode, approval: approval)
        switch await model.run({ try $0.releaseStock(request: request) }) {
        case let .success(done):
            feedback = Feedback(text: "\(done.baseQuantity) \(done.sku): \(done.to.map { "to \($0)" } ?? "left inventory")", tone: .ok)
            self.location = nil; pallet = nil; self.goods = nil; destination = nil
        case let .failure(f):
            feedback = f
        }
    }
}
