//! Stands for another vendor's Rust SDK (another uniffi library, say) that an app links beside
//! ours: a static library built with fat LTO, as such SDKs ship, so it carries its own copy of
//! Rust's standard library (`rust_eh_personality`, std's statics). Built by test-link.sh with
//! plain `rustc`; not part of the workspace. `--cfg second` builds a second such SDK.

/// Uses the standard library as any SDK does: allocation and a caught panic boundary.
fn answer() -> i32 {
    let v: Vec<i32> = (1..=6).collect();
    std::panic::catch_unwind(|| v.iter().sum::<i32>() * 2).unwrap_or(-1)
}

#[cfg(not(second))]
#[no_mangle]
pub extern "C" fn uniffi_othersdk_fn_func_answer() -> i32 {
    answer()
}

#[cfg(second)]
#[no_mangle]
pub extern "C" fn uniffi_secondsdk_fn_func_answer() -> i32 {
    answer() + 1
}
