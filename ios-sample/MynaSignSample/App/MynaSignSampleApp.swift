import SwiftUI

@main
struct MynaSignSampleApp: App {
    @StateObject private var model = SignViewModel()

    var body: some Scene {
        WindowGroup {
            ContentView(model: model)
        }
    }
}
