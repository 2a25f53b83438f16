import SwiftUI

@main
struct DockhandSampleApp: App {
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            NavigationStack {
                VStack(spacing: 0) {
                    SyncBarView(bar: model.syncBar)
                    List {
                        NavigationLink("Receiving") { ReceivingView() }
                        NavigationLink("Putaway") { PutawayView() }
                        NavigationLink("Picking") { PickingView() }
                        NavigationLink("Counting") { CountingView() }
                        NavigationLink("Returns") { ReturnsView() }
                        NavigationLink("Sync & exceptions") { SyncView() }
                    }
                }
                .navigationTitle("dockhand")
            }
            .environmentObject(model)
        }
    }
}
