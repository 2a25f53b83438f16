import SwiftUI

// Thin screens: each scan goes to one dockhand call; the core decides, the screen shows the result
// or the refusal's sentence. (The Android sample's logic module holds the fuller screen flows.)

struct ReceivingView: View {
    @EnvironmentObject var model: AppModel
    @State var receiptId = "ASN-1001"
    @State var dock = "DOCK-01"
    @State var packs: Int64 = 1
    @State var lines: [ReceiptLine] = []
    @State var feedback: Feedback?
    /// A receive that needs a supervisor (over-receipt, short-dated lot), retried as is with approval.
    @State var waiting: ReceiveRequest?

    var body: some View {
        VStack {
            Text("Receipt \(receiptId) at \(dock)")
            Stepper("Packs per scan: \(packs)", value: $packs, in: 1...999).padding(.horizontal)
            ScanInput { raw in Task { await receive(raw) } }
            FeedbackLine(feedback: feedback)
            if let pending = waiting {
                ApprovalForm { approval in
                    var approved = pending
                    approved.approval = approval
                    Task { await send(approved) }
                }
            }
            List(lines, id: \.lineNo) { line in Text("\(line.lineNo). \(line.sku): \(line.received) / \(line.expected)") }
        }
        .task {
            let id = receiptId
            if case let .success(r) = await model.run({ try $0.receipt(receiptId: id) }) { lines = r.lines }
        }
    }

    func receive(_ raw: String) async {
        await send(ReceiveRequest(opId: model.opId(), operator: model.operatorId, receiptId: receiptId, dock: dock,
                                  goods: Goods(barcode: raw), quantity: packs))
    }

    func send(_ request: ReceiveRequest) async {
        let receiptId = receiptId
        switch await model.run({ (try $0.receive(request: request), try $0.receipt(receiptId: receiptId).lines) }) {
        case let .success((got, now)):
            lines = now
            waiting = nil
            feedback = Feedback(text: "Received \(got.baseQuantity) \(got.sku) (line \(got.lineNo): \(got.lineReceived) of \(got.lineExpected))", tone: .ok)
        case let .failure(f):
            feedback = f
            // Still waiting after a refused approval (wrong PIN); the PIN is not kept.
            var retry = request
            retry.approval = nil
            waiting = (f.needsSupervisor || request.approval != nil) ? retry : nil
        }
    }
}

struct PutawayView: View {
    @EnvironmentObject var model: AppModel
    @State var dock = "DOCK-01"
    @State var task: PutawayTask?
    @State var goods: Goods?
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            Text(task.map { "Take \($0.onDock) \($0.sku) to \($0.suggestion.location)" } ?? "Scan goods on \(dock)")
            ScanInput { raw in Task { await scanned(raw) } }
            FeedbackLine(feedback: feedback)
            Spacer()
        }
    }

    func scanned(_ raw: String) async {
        guard let task, let goods else {
            let g = Goods(barcode: raw)
            let dock = dock
            switch await model.run({ try $0.suggestPutaway(fromLocation: dock, goods: g, lpn: nil) }) {
            case let .success(t): self.task = t; self.goods = g; feedback = nil
            case let .failure(f): feedback = f
            }
            return
        }
        // The destination is what its label resolves to; the label as scanned goes to the core,
        // which alone decides whether it proves presence.
        guard case let .success(.location(code)) = await model.run({ try $0.resolveScan(raw: raw) }) else {
            feedback = Feedback(text: "Scan the label of \(task.suggestion.location)", tone: .error)
            return
        }
        guard code == task.suggestion.location else {
            feedback = Feedback(text: "Wrong location \(code): put these goods in \(task.suggestion.location)", tone: .error)
            return
        }
        let (op, who, dock) = (model.opId(), model.operatorId, dock)
        let result = await model.run { device -> PutawayConfirmed in
            try device.confirmPutaway(request: PutawayRequest(
                opId: op, operator: who, fromLocation: dock, goods: goods,
                quantity: task.onDock / task.basePerScan, to: code, locationScan: raw))
        }
        switch result {
        case let .success(done): feedback = Feedback(text: "Put away \(done.baseQuantity) \(done.sku) in \(done.to)", tone: .ok); self.task = nil; self.goods = nil
        case let .failure(f): feedback = f
        }
    }
}

struct PickingView: View {
    @EnvironmentObject var model: AppModel
    @State var tasks: [String] = []
    @State var taskId: String?
    @State var pick: PickInstruction?
    /// What the scanner read on the pick location's label: the proof of presence the pick carries.
    @State var locationScan: String?
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            if let pick, let taskId, let locationScan {
                Text("\(taskId): take \(pick.quantity) \(pick.unit) \(pick.sku) from \(pick.location)")
                ScanInput { raw in Task { await confirm(raw, pick: pick, taskId: taskId, locationScan: locationScan) } }
            } else if let pick {
                Text("Go to \(pick.location) and scan its label")
                ScanInput { raw in Task { await arrived(raw, pick: pick) } }
            } else {
                List(tasks, id: \.self) { id in Button(id) { Task { await open(id) } } }
            }
            FeedbackLine(feedback: feedback)
        }
        .task { if case let .success(t) = await model.run({ try $0.openPickTasks() }) { tasks = t.map { $0.id } } }
    }

    func open(_ id: String) async {
        switch await model.run({ try $0.nextPick(taskId: id) }) {
        case let .success(p): taskId = id; pick = p
        case let .failure(f): feedback = f
        }
    }

    func arrived(_ raw: String, pick: PickInstruction) async {
        guard case let .success(.location(code)) = await model.run({ try $0.resolveScan(raw: raw) }), code == pick.location else {
            feedback = Feedback(text: "Go to \(pick.location) and scan its label", tone: .error)
            return
        }
        locationScan = raw
        feedback = nil
    }

    func confirm(_ raw: String, pick: PickInstruction, taskId: String, locationScan: String) async {
        let (op, who) = (model.opId(), model.operatorId)
        let result = await model.run { device -> PickInstruction? in
            guard case let .goods(_, _, _, perScan, _, _, _, _) = try device.resolveScan(raw: raw) else {
                throw DockhandError.Validation(code: "not_goods", reason: "Scan the goods of \(pick.sku)")
            }
            _ = try device.confirmPick(request: PickRequest(
                opId: op, operator: who, taskId: taskId, allocationId: pick.allocationId,
                locationScan: locationScan, goods: Goods(barcode: raw), quantity: pick.quantity / perScan))
            return try device.nextPick(taskId: taskId)
        }
        switch result {
        case let .success(next): self.pick = next; self.locationScan = nil; feedback = Feedback(text: next == nil ? "Task complete" : "Next: \(next!.location)", tone: .ok)
        case let .failure(f): feedback = f
        }
    }
}

struct CountingView: View {
    @EnvironmentObject var model: AppModel
    @State var tasks: [CountTask] = []
    @State var sheet: CountSheet?
    @State var lines: [CountedGoods] = []
    @State var location: String?
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            if let sheet {
                Text("Count \(sheet.locations.joined(separator: ", ")) — \(lines.count) scans")
                ScanInput { raw in scanned(raw, sheet: sheet) }
                Button("Submit count") { Task { await submit(sheet) } }.disabled(lines.isEmpty)
            } else {
                List(tasks, id: \.id) { t in Button(t.id) { Task { await start(t.id) } } }
            }
            FeedbackLine(feedback: feedback)
        }
        .task { if case let .success(t) = await model.run({ try $0.openCountTasks() }) { tasks = t } }
    }

    func start(_ id: String) async {
        let (op, who) = (model.opId(), model.operatorId)
        switch await model.run({ try $0.startCount(opId: op, operator: who, taskId: id) }) {
        case let .success(s): sheet = s
        case let .failure(f): feedback = f
        }
    }

    func scanned(_ raw: String, sheet: CountSheet) {
        if sheet.locations.contains(raw) { location = raw; return }
        guard let location else { feedback = Feedback(text: "Scan the location label first", tone: .error); return }
        lines.append(CountedGoods(location: location, goods: Goods(barcode: raw), quantity: 1))
    }

    func submit(_ sheet: CountSheet) async {
        let (op, who, lines) = (model.opId(), model.operatorId, lines)
        switch await model.run({ try $0.submitCount(opId: op, operator: who, taskId: sheet.taskId, lines: lines) }) {
        case let .success(done): lines = []; feedback = Feedback(text: "Count: \(done.outcome)", tone: done.outcome == .noVariance || done.outcome == .adjusted ? .ok : .warning)
        case let .failure(f): feedback = f
        }
    }
}

struct ReturnsView: View {
    @EnvironmentObject var model: AppModel
    @State var returnId = "RMA-\(Int.random(in: 10000...99999))"
    @State var scanned: [ReturnedGoods] = []
    @State var received: Return?
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            Text("Return \(returnId)")
            if let received {
                List(received.lines, id: \.lineNo) { line in
                    HStack {
                        Text("\(line.lineNo). \(line.sku) × \(line.quantity)")
                        if line.outcome == nil {
                            Button("Restock") { Task { await inspect(line.lineNo, .restock) } }
                            Button("Damaged") { Task { await inspect(line.lineNo, .damaged) } }
                        } else { Text("\(String(describing: line.outcome!))") }
                    }
                }
            } else {
                ScanInput { raw in scanned.append(ReturnedGoods(lineNo: Int64(scanned.count + 1), goods: Goods(barcode: raw), quantity: 1)) }
                Button("Receive \(scanned.count) lines") { Task { await receive() } }.disabled(scanned.isEmpty)
            }
            FeedbackLine(feedback: feedback)
        }
    }

    func receive() async {
        let request = ReturnRequest(opId: model.opId(), operator: model.operatorId, returnId: returnId, reference: returnId,
                                    customer: "walk-in", location: "RET-01", lines: scanned)
        switch await model.run({ try $0.receiveReturn(request: request) }) {
        case let .success(r): received = r
        case let .failure(f): feedback = f
        }
    }

    func inspect(_ lineNo: Int64, _ outcome: InspectionOutcome) async {
        let request = InspectionRequest(opId: model.opId(), operator: model.operatorId, returnId: returnId, lineNo: lineNo,
                                        outcome: outcome, reasonCode: "inspected")
        let returnId = returnId
        switch await model.run({ _ = try $0.inspectReturn(request: request); return try $0.customerReturn(returnId: returnId) }) {
        case let .success(r): received = r
        case let .failure(f): feedback = f
        }
    }
}

struct SyncView: View {
    @EnvironmentObject var model: AppModel
    @State var exceptions: [OutboxEvent] = []
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            SyncBarView(bar: model.syncBar)
            Button("Sync now") { Task { await syncNow() } }
            FeedbackLine(feedback: feedback)
            List(exceptions, id: \.seq) { e in Text("#\(e.seq) \(e.eventType) by \(e.operator): \(e.rejectReason ?? e.rejectCode ?? "")") }
        }
        .task { await refresh() }
    }

    func syncNow() async {
        do {
            let report = try await model.sync.syncNow()
            feedback = Feedback(text: "Sent \(report.acknowledged), received \(report.pulled) updates", tone: .ok)
        } catch let error as DockhandError {
            feedback = Feedback(error)
        } catch {
            feedback = Feedback(text: "\(error)", tone: .error)
        }
        await refresh()
    }

    func refresh() async {
        if case let .success(list) = await model.run({ try $0.exceptions() }) { exceptions = list }
    }
}

/// Badge scan, then PIN: nobody works on the handheld without signing in.
struct SignInView: View {
    @EnvironmentObject var model: AppModel
    @State var badge = ""
    @State var pin = ""
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            Text(badge.isEmpty ? "Scan your badge" : "Badge \(badge): type your PIN")
            ScanInput { raw in badge = raw.trimmingCharacters(in: .whitespaces) }
            SecureField("PIN", text: $pin).keyboardType(.numberPad).padding(.horizontal)
            Button("Sign in") {
                let (b, p) = (badge, pin)
                pin = ""
                Task { feedback = await model.signIn(badge: b, pin: p) }
            }.disabled(badge.isEmpty || pin.isEmpty)
            FeedbackLine(feedback: feedback)
            Spacer()
        }
    }
}

/// A supervisor's badge and PIN for a command that waits for approval.
struct ApprovalForm: View {
    let approve: (Approval) -> Void
    @State var badge = ""
    @State var pin = ""

    var body: some View {
        VStack {
            TextField("Supervisor badge", text: $badge)
            SecureField("Supervisor PIN", text: $pin).keyboardType(.numberPad)
            Button("Approve") {
                let approval = Approval(badge: badge, pin: pin)
                pin = ""
                approve(approval)
            }.disabled(badge.isEmpty || pin.isEmpty)
        }.padding(.horizontal)
    }
}
