//! `uniffi-bindgen-swift`: Swift-only generator that can also write the
//! XCFramework-style module map (`--xcframework --module-name ElsonSDKFFI`).

fn main() {
    uniffi::uniffi_bindgen_swift()
}
