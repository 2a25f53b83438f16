import SwiftUI
import Vision
import VisionKit

/// VisionKit's DataScannerViewController for barcodes; each new code goes to `onScan`. GS1 codes
/// get their symbology identifier back (`]d2`, `]C1`, `]Q3`) so dockhand reads their elements.
struct ScannerView: UIViewControllerRepresentable {
    let onScan: (String) -> Void

    static var isAvailable: Bool { DataScannerViewController.isSupported && DataScannerViewController.isAvailable }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode(symbologies: [.dataMatrix, .gs1DataBar, .code128, .ean13, .ean8, .upce, .itf14, .qr])],
            qualityLevel: .balanced, recognizesMultipleItems: false, isHighlightingEnabled: true)
        scanner.delegate = context.coordinator
        try? scanner.startScanning()
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(onScan: onScan) }

    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let onScan: (String) -> Void
        init(onScan: @escaping (String) -> Void) { self.onScan = onScan }

        func dataScanner(_ scanner: DataScannerViewController, didAdd items: [RecognizedItem], allItems: [RecognizedItem]) {
            for case let .barcode(code) in items {
                guard let payload = code.payloadStringValue else { continue }
                onScan(Self.normalised(payload, code.observation.symbology))
            }
        }

        /// VisionKit drops the leading FNC1 of GS1 symbols; element strings start with an AI.
        static func normalised(_ payload: String, _ symbology: VNBarcodeSymbology) -> String {
            let gs1 = payload.contains("\u{1d}") || payload.range(of: #"^(00\d{18}|0[12]\d{14})"#, options: .regularExpression) != nil
            guard gs1 else { return payload }
            switch symbology {
            case .dataMatrix: return "]d2" + payload
            case .code128: return "]C1" + payload
            case .qr: return "]Q3" + payload
            default: return payload
            }
        }
    }
}

/// The camera when available, and a field for a damaged label (or the simulator).
struct ScanInput: View {
    let onScan: (String) -> Void
    @State private var typed = ""

    var body: some View {
        VStack {
            if ScannerView.isAvailable { ScannerView(onScan: onScan).frame(height: 220) }
            HStack {
                TextField("Type a code", text: $typed).textFieldStyle(.roundedBorder).onSubmit(submit)
                Button("Enter", action: submit).disabled(typed.isEmpty)
            }.padding(.horizontal)
        }
    }

    private func submit() { onScan(typed.trimmingCharacters(in: .whitespaces)); typed = "" }
}
