import SwiftUI

// Moving stored stock (pick faces replenished from reserve too), as thin as the other screens:
// scans gathered, the core decides.

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

/// Open replenishment tasks, then trips of a reserve label, the goods and the face's label, each a
/// move carrying the task's id. Where to take from, which reserve may be used and what counts as
/// the task's goods and face are the core's; a refusal shows its sentence.
struct ReplenishView: View {
    @EnvironmentObject var model: AppModel
    @State var tasks: [ReplenishmentTask] = []
    /// The task being worked, as it stood after the last trip.
    @State var working: ReplenishmentTask?
    /// Where this trip takes the goods from, as the core suggested it.
    @State var next: ReplenishInstruction?
    /// The reserve location and what its label read (the proof of presence the move carries).
    @State var source: (code: String, scan: String)?
    @State var pallet: String?
    @State var goods: Goods?
    @State var packs: Int64 = 1
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            if let working, let next {
                Text("\(working.id) — \(working.sku) to \(working.location): \(working.moved) of \(working.quantity) brought")
                Text(prompt(next))
                if goods != nil { Stepper("Packs to bring: \(packs)", value: $packs, in: 1...9999).padding(.horizontal) }
                ScanInput { raw in Task { await scanned(raw, next: next) } }
                HStack {
                    Button("Start the trip again") { clearTrip(); feedback = Feedback(text: goTo(next), tone: .ok) }
                    Button("Other task") { Task { await close() } }
                }
            } else {
                List(tasks, id: \.id) { t in
                    Button("\(t.location): \(t.quantity - t.moved) \(t.sku) (\(t.id))") { Task { await open(t.id) } }
                }
            }
            FeedbackLine(feedback: feedback)
            Spacer()
        }
        .task { await load() }
    }

    private func prompt(_ next: ReplenishInstruction) -> String {
        guard let source else { return "Go to \(next.from) and scan its label" }
        if goods != nil { return "Take \(next.sku) to \(next.face); scan its label" }
        if let pallet { return "Scan the \(next.sku) on pallet \(pallet)" }
        return "At \(source.code): scan the \(next.sku)"
    }

    private func goTo(_ next: ReplenishInstruction) -> String {
        let lot = next.lot.isEmpty ? "" : " lot \(next.lot)"
        return "Go to \(next.from) for \(next.quantity) \(next.sku)\(lot) and scan its label"
    }

    private func clearTrip() { source = nil; pallet = nil; goods = nil; packs = 1 }

    func load() async {
        if case let .success(t) = await model.run({ try $0.openReplenishments() }) { tasks = t }
    }

    /// The first trip of a task, or why there is none (an empty reserve): the task stays listed.
    func open(_ id: String) async {
        switch await model.run({ (try $0.replenishmentTask(taskId: id), try $0.nextReplenishment(taskId: id)) }) {
        case let .success((task, first)):
            working = task; next = first; clearTrip()
            feedback = Feedback(text: goTo(first), tone: .ok)
        case let .failure(f):
            feedback = f
        }
    }

    func close() async {
        working = nil; next = nil; clearTrip(); feedback = nil
        await load()
    }

    func scanned(_ raw: String, next: ReplenishInstruction) async {
        guard case let .success(scan) = await model.run({ try $0.resolveScan(raw: raw) }) else {
            feedback = Feedback(text: "Cannot read \(raw)", tone: .error)
            return
        }
        switch (source, scan) {
        // Another reserve location is the operator's choice: the core judges it with the move.
        case (nil, .location(let code)):
            source = (code, raw)
            feedback = Feedback(text: "At \(code): scan the \(next.sku)", tone: .ok)
        case (nil, _):
            feedback = Feedback(text: "Go to \(next.from) and scan its label", tone: .error)
        case (.some, .pallet(let sscc)) where goods == nil:
            pallet = sscc
        // A GS1 label naming the pallet too (AI 00 beside 01) takes the goods off it.
        case let (.some, .goods(_, _, _, perScan, _, _, _, sscc)) where goods == nil:
            goods = Goods(barcode: raw)
            pallet = pallet ?? sscc
            packs = max(1, next.quantity / perScan)
        case (.some(let from), .location(let to)) where goods != nil:
            await confirm(from: from, to: to, toScan: raw, next: next)
        default:
            feedback = Feedback(text: "Scan the \(next.sku), then the label of \(next.face)", tone: .error)
        }
    }

    /// The trip as a move working the task; then the next trip, or the task done.
    func confirm(from: (code: String, scan: String), to: String, toScan: String, next: ReplenishInstruction) async {
        let request = MoveRequest(
            opId: model.opId(), operator: model.operatorId, fromLocation: from.code, fromScan: from.scan,
            goods: goods, lpn: pallet, quantity: packs, to: to, toScan: toScan, taskId: next.taskId)
        let moved: MoveConfirmed
        switch await model.run({ try $0.confirmMove(request: request) }) {
        case let .success(done): moved = done
        case let .failure(f): feedback = f; return
        }
        clearTrip()
        let brought = "Brought \(moved.baseQuantity) \(next.sku) from \(moved.from) to \(moved.to)"
        guard let now = moved.task, now.status != "done" else {
            feedback = Feedback(text: "\(brought): task \(next.taskId) done", tone: .ok)
            working = nil; self.next = nil
            await load()
            return
        }
        working = now
        let progress = "\(brought) (\(now.moved) of \(now.quantity))"
        let taskId = now.id
        // The move stands even when no next trip can be shown (the reserve ran out meanwhile).
        switch await model.run({ try $0.nextReplenishment(taskId: taskId) }) {
        case let .success(following):
            self.next = following
            feedback = Feedback(text: "\(progress). \(goTo(following))", tone: .ok)
        case let .failure(f):
            working = nil; self.next = nil
            feedback = Feedback(text: "\(progress). \(f.text)", tone: f.tone)
            await load()
        }
    }
}
