//! The uniffi bindings generator, built from the same uniffi version as the library
//! (`uniffi/Cargo.toml`; one `Cargo.lock` for the workspace).
//!
//! Generate from the built (unstripped) library in library mode, for example:
//! `cargo run -p mynasign-bindgen -- generate --library target/debug/libmynasign_ffi.so --language kotlin --out-dir out --config uniffi/bindgen.toml`
fn main() {
    uniffi::uniffi_bindgen_main()
}
