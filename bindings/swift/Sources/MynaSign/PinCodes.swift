// PINs into the library without a copy on the heap.
//
// A PIN crosses the FFI as a `PinCode`, whose constructor is synchronous and takes the PIN as
// `&[u8]`: uniffi 0.32 passes it by reference (the generated `FfiConverterByRefBytes.lower`
// hands Rust the pointer `Data.withUnsafeBytes` gives, and no `RustBuffer` is allocated). The
// value then lives only in the Rust side's zeroizing `Pin`, used by one flow and wiped when
// that flow ends (or by `wipe()`, or when the `PinCode` is released).

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore
#endif

extension PinCode {
    /// A `PinCode` of `kind` read in place from `bytes` (UTF-8): the `Data` handed to the
    /// generated constructor wraps the array's own storage (`Data(bytesNoCopy:count:deallocator:
    /// .none)`), so no copy is made on the heap. Foundation keeps a value of up to 14 bytes
    /// inline in the `Data` itself (swift-foundation `Data._Representation.init(_:count:)`),
    /// that is on the stack: a PIN passes through such stack copies, which nobody wipes.
    /// Throws `MynaError.InvalidPinFormat` for a wrong format (nothing sent). `bytes` is not
    /// changed: wipe it yourself.
    public static func of(_ kind: PinType, _ bytes: [UInt8]) throws -> PinCode {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else {
                return try PinCode(pin: kind, value: Data())
            }
            // `mutating`: only to satisfy the initializer's type; the Data is never mutated.
            let view = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count,
                deallocator: .none)
            return try PinCode(pin: kind, value: view)
        }
    }
}
