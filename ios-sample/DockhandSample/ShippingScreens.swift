import SwiftUI

// Outbound, as thin as the other screens: cartons and pallets built, packed and labelled at
// staging, then loaded at the door and shipped. Scans gathered, the core decides.

/// The site's address on every label; a real app reads it from its configuration (ship-to from the ERP).
private let shipFrom = ["dockhand sample DC", "Dock 1"]

private func word(_ unit: HandlingUnit) -> String { "\(String(describing: unit.kind)) \(unit.lpn)" }

private func shown(_ lines: [MovedLine]) -> String { lines.map { "\($0.baseQuantity) \($0.sku)" }.joined(separator: ", ") }

/// Staging label, tote, carton or pallet, goods: cartons and pallets built, packed, labelled.
struct PackView: View {
    enum Mode: Hashable { case pack, takeOut, consolidate }

    /// What a scan at the packing table is.
    enum Scanned { case goods(String), place(String), unit(HandlingUnit) }

    @EnvironmentObject var model: AppModel
    @State var staging: String?
    /// The order of loose goods; a scanned tote or unit fills it in.
    @State var order = ""
    /// The tote goods come out of; none: loose at staging.
    @State var tote: String?
    /// The carton or pallet in hand.
    @State var unit: HandlingUnit?
    @State var mode = Mode.pack
    @State var packs: Int64 = 1
    @State var printer = UserDefaults.standard.string(forKey: "printer") ?? ""
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            Text(prompt)
            TextField("Order (loose goods)", text: $order).padding(.horizontal)
            Stepper("Packs: \(packs)", value: $packs, in: 1...9999).padding(.horizontal)
            HStack {
                Button("New carton") { Task { await build(.carton, order: order) } }
                Button("New pallet") { Task { await build(.pallet, order: order) } }
                Button("Mixed pallet") { Task { await build(.pallet, order: nil) } }
            }
            if let unit {
                Picker("Next scan", selection: $mode) {
                    Text("Pack").tag(Mode.pack)
                    Text("Take out").tag(Mode.takeOut)
                    Text("Empty into").tag(Mode.consolidate)
                }.pickerStyle(.segmented).padding(.horizontal)
                HStack {
                    Button("Break up") { Task { await breakUp(unit) } }
                    Button("Done") { self.unit = nil; mode = .pack }
                }
                HStack {
                    TextField("Printer IP address", text: $printer)
                        .onChange(of: printer) { UserDefaults.standard.set($0, forKey: "printer") }
                    Button("Print label") { Task { await printLabel(unit) } }.disabled(printer.isEmpty)
                }.padding(.horizontal)
            }
            ScanInput { raw in Task { await scanned(raw) } }
            FeedbackLine(feedback: feedback)
            Spacer()
        }
    }

    private var prompt: String {
        guard let unit else {
            return staging.map { "At \($0): scan a tote, a carton or pallet, or build one" }
                ?? "Scan the staging location's label, a tote, or a carton or pallet"
        }
        switch mode {
        case .takeOut: return "Scan the goods to take out of \(word(unit))"
        case .consolidate: return "Scan the \(String(describing: unit.kind)) to empty \(word(unit)) into"
        case .pack: return "\(word(unit)): scan goods \(tote.map { "from tote \($0)" } ?? "loose"), or cartons onto a pallet"
        }
    }

    func scanned(_ raw: String) async {
        let result = await model.run { device -> Scanned in
            do {
                switch try device.resolveScan(raw: raw) {
                case let .goods(sku, _, _, _, _, _, _, _): return .goods(sku)
                case let .location(code): return .place(code)
                case .pallet: return .unit(try device.handlingUnit(lpn: raw))
                }
            } catch let DockhandError.Validation(code, _) where code == "unreadable_scan" {
                // A tote's own label is no barcode the catalog reads: it may still name a unit.
                return .unit(try device.handlingUnit(lpn: raw))
            }
        }
        switch result {
        case let .failure(f):
            feedback = f
        case let .success(.place(code)):
            staging = code; unit = nil; tote = nil; mode = .pack
            feedback = Feedback(text: "At \(code): scan a tote, a carton or pallet, or build one", tone: .ok)
        case let .success(.unit(found)) where found.kind == .tote:
            tote = found.lpn; staging = found.location
            if !found.orderRef.isEmpty { order = found.orderRef }
            feedback = Feedback(text: "Tote \(found.lpn) for \(found.orderRef): " + (unit.map { "scan its goods into \(word($0))" } ?? "build a carton or scan one"), tone: .ok)
        case let .success(.unit(found)):
            if let held = unit, mode == .consolidate {
                await send({ try $0.consolidateUnits(opId: $1, operator: $2, from: held.lpn, into: found.lpn) }) { done in
                    "\(word(held)) emptied into \(word(done.unit)): \(shown(done.lines))"
                }
            } else if let held = unit, held.kind == .pallet, found.kind == .carton, mode == .pack {
                await send({ try $0.nestUnit(opId: $1, operator: $2, carton: found.lpn, pallet: held.lpn) }) { done in
                    "\(word(found)) is on \(word(done.unit)): scan the next carton"
                }
            } else {
                unit = found; staging = found.location; mode = .pack
                if !found.orderRef.isEmpty { order = found.orderRef }
                feedback = Feedback(text: "\(word(found)) (\(String(describing: found.status)) at \(found.location))", tone: .ok)
            }
        case let .success(.goods(sku)):
            guard let held = unit else {
                feedback = Feedback(text: "That is \(sku): scan the carton or pallet to pack it into, or build one", tone: .error)
                return
            }
            let (goods, quantity, from) = (Goods(barcode: raw), packs, tote)
            switch mode {
            case .pack:
                await send({ try $0.packGoods(request: PackRequest(opId: $1, operator: $2, lpn: held.lpn, fromTote: from, goods: goods, quantity: quantity)) }) { done in
                    "Packed \(shown(done.lines)) \(from.map { "from tote \($0)" } ?? "loose") into \(word(held))"
                }
            case .takeOut:
                await send({ try $0.unpackUnit(opId: $1, operator: $2, lpn: held.lpn, goods: goods, quantity: quantity) }) { done in
                    "Took \(shown(done.lines)) out of \(word(held)): loose at \(held.location)"
                }
            case .consolidate:
                feedback = Feedback(text: "That is \(sku): scan the \(String(describing: held.kind)) to empty \(word(held)) into", tone: .error)
            }
        }
    }

    func build(_ kind: UnitKind, order: String?) async {
        guard let at = staging ?? unit?.location else {
            feedback = Feedback(text: "Scan the staging location's label first", tone: .warning)
            return
        }
        let forOrder = order.flatMap { $0.isEmpty ? nil : $0 }
        await send({ try $0.buildUnit(opId: $1, operator: $2, kind: kind, orderRef: forOrder, location: at) }) { done in
            "\(word(done.unit)) built\(done.unit.orderRef.isEmpty ? "" : " for \(done.unit.orderRef)"): print its label"
        }
    }

    func breakUp(_ held: HandlingUnit) async {
        await send({ try $0.unpackUnit(opId: $1, operator: $2, lpn: held.lpn, goods: nil, quantity: 0) }) { done in
            "\(word(held)) broken up: \(shown(done.lines))\(done.cartons.isEmpty ? "" : " cartons \(done.cartons.joined(separator: ", ")) off it")"
        }
        if feedback?.tone == .ok { unit = nil }
    }

    /// The core writes the label; the printer only carries its bytes.
    func printLabel(_ held: HandlingUnit) async {
        let to = NetworkLabelPrinter(address: printer)
        switch await model.run({ try $0.unitLabel(lpn: held.lpn, shipFrom: shipFrom, shipTo: []) }) {
        case let .failure(f):
            feedback = f
        case let .success(label):
            do {
                try await to.send(Data(label.zpl.utf8))
                feedback = Feedback(text: "Label of \(word(held)) sent to printer \(to.name)", tone: .ok)
            } catch {
                feedback = Feedback(text: "Printer \(to.name) did not take the label of \(word(held)) (\(error.localizedDescription)): nothing was printed. Check it is on and in reach, then print again", tone: .error)
            }
        }
    }

    /// Runs one packing command in the operator's name; the unit it names is now in hand.
    private func send(_ call: @escaping (Device, String, String) throws -> PackingDone, said: @escaping (PackingDone) -> String) async {
        let (op, who) = (model.opId(), model.operatorId)
        switch await model.run({ try call($0, op, who) }) {
        case let .success(done):
            unit = done.unit; mode = .pack; packs = 1
            feedback = Feedback(text: said(done), tone: .ok)
        case let .failure(f):
            feedback = f
        }
    }
}

/// The order, the door's label, each carton and pallet, then ship.
struct LoadView: View {
    @EnvironmentObject var model: AppModel
    @State var order = ""
    /// The dock door and what its label read (the proof of presence every load carries).
    @State var door: (code: String, scan: String)?
    @State var loaded: [String] = []
    @State var shipped: ShipmentDone?
    @State var feedback: Feedback?

    var body: some View {
        VStack {
            TextField("Order to load", text: $order)
                .padding(.horizontal)
                .onChange(of: order) { _ in door = nil; loaded = []; shipped = nil }
            Text(prompt)
            ScanInput { raw in Task { await scanned(raw) } }
            if let door, shipped == nil {
                Button("Ship order \(order) from \(door.code)") { Task { await ship() } }
            }
            FeedbackLine(feedback: feedback)
            List(loaded, id: \.self) { Text("Loaded \($0)") }
        }
    }

    private var prompt: String {
        if order.isEmpty { return "Type the order to load" }
        if shipped != nil { return "Order \(order) has shipped" }
        guard let door else { return "Order \(order): scan the dock door's label" }
        return "Order \(order) at \(door.code): scan each carton and pallet, then ship"
    }

    func scanned(_ raw: String) async {
        guard !order.isEmpty, shipped == nil else {
            feedback = Feedback(text: shipped == nil ? "Type the order to load first" : "Order \(order) has shipped: type the next order", tone: .warning)
            return
        }
        // A unit's label that is no barcode the catalog reads (a tote's) still goes to the core.
        let scan = try? await model.run({ try $0.resolveScan(raw: raw) }).get()
        if case let .location(code) = scan {
            door = (code, raw)
            feedback = Feedback(text: prompt, tone: .ok)
            return
        }
        guard let door else {
            feedback = Feedback(text: "Scan the dock door's label first", tone: .error)
            return
        }
        if case let .goods(sku, _, _, _, _, _, _, _) = scan {
            feedback = Feedback(text: "That is \(sku): scan the label of its carton or pallet", tone: .error)
            return
        }
        let (op, who, order) = (model.opId(), model.operatorId, order)
        switch await model.run({ try $0.loadUnit(opId: op, operator: who, orderRef: order, door: door.code, doorScan: door.scan, lpn: raw) }) {
        case let .success(done):
            loaded += [done.unit.lpn] + done.cartons
            let cartons = done.cartons.isEmpty ? "" : " with \(done.cartons.count) carton(s)"
            feedback = Feedback(text: "Loaded \(word(done.unit))\(cartons) (\(shown(done.lines))) at \(done.unit.location)", tone: .ok)
        case let .failure(f):
            feedback = f
        }
    }

    func ship() async {
        guard let door else { return }
        let (op, who, order) = (model.opId(), model.operatorId, order)
        switch await model.run({ try $0.shipOrder(opId: op, operator: who, orderRef: order, door: door.code, doorScan: door.scan) }) {
        case let .success(done):
            shipped = done
            feedback = Feedback(text: "Order \(done.orderRef) shipped from \(done.door): \(done.units.count) unit(s), \(shown(done.lines))", tone: .ok)
        case let .failure(f):
            feedback = f
        }
    }
}
