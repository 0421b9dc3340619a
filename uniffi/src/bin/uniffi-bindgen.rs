//! The uniffi bindings generator, built from the same uniffi version as the library.
//!
//! Generate from the built (unstripped) library in library mode, for example:
//! `uniffi-bindgen generate --library target/debug/libmynasign_ffi.so --language kotlin --out-dir out --config uniffi/uniffi.toml`
fn main() {
    uniffi::uniffi_bindgen_main()
}
