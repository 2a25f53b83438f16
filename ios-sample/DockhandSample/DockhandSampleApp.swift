import SwiftUI

@main
struct DockhandSampleApp: App {
    /// Opened once; a database that cannot be opened shows why instead of crashing.
    private let startup = AppModel.start()

    var body: some Scene {
        WindowGroup {
            switch startup {
            case let .success(model): Home().environmentObject(model)
            case let .failure(problem):
                Text("dockhand cannot start: \(problem.text)").foregroundStyle(.red).padding()
            }
        }
    }
}

struct Home: View {
    @EnvironmentObject var model: AppModel

    var body: some View {
        NavigationStack {
            VStack(spacing: 0) {
                SyncBarView(bar: model.syncBar)
                if let who = model.signedIn {
                    HStack {
                        Text("Signed in: \(who.name)")
                        Spacer()
                        Button("Sign out") { Task { await model.signOut() } }
                    }.padding(.horizontal)
                    work
                } else {
                    SignInView()
                }
            }
            .navigationTitle("dockhand")
        }
    }

    private var work: some View {
                List {
                    NavigationLink("Receiving") { ReceivingView() }
                    NavigationLink("Putaway") { PutawayView() }
                    NavigationLink("Move stock") { MoveView() }
                    NavigationLink("Replenish pick faces") { ReplenishView() }
                    NavigationLink("Release held stock") { ReleaseView() }
                    NavigationLink("Picking") { PickingView() }
                    NavigationLink("Packing & labels") { PackView() }
                    NavigationLink("Loading & shipping") { LoadView() }
                    NavigationLink("Counting") { CountingView() }
                    NavigationLink("Returns") { ReturnsView() }
                    NavigationLink("Sync & exceptions") { SyncView() }
                }
    }
}
