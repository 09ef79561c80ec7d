//! Which Rust toolchain builds the browser app.
//!
//! The normal way is rustup's `wasm32-unknown-unknown` target. Where rustup cannot download it
//! (a machine with no internet but Debian's package mirror), the fallback is Debian's
//! `rustc-web` toolchain with the standard library built from source (`-Z build-std`) and LLVM's
//! `wasm-ld` — the recipe in the project's TOOLCHAIN notes. `JUMUN_WASM_TOOLCHAIN=rustup|debian`
//! forces one or the other.

use crate::fail;
use crate::run::{on_path, Cmd, TaskResult};
use crate::system::apt_install;
use std::ffi::OsString;

/// The wasm target triple.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Debian packages of the fallback toolchain.
const DEBIAN_PACKAGES: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "lld-19"];

/// LLVM's wasm linker from `lld-19`.
const DEBIAN_WASM_LD: &str = "/usr/lib/llvm-19/bin/wasm-ld";

/// The name the Debian toolchain is linked under in rustup.
const LINKED_NAME: &str = "web";

/// How wasm code is compiled on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmToolchain {
    /// rustup's own wasm32 target on the default toolchain.
    Rustup,
    /// Debian's rustc-web with build-std and wasm-ld.
    DebianWeb,
}

impl WasmToolchain {
    /// Environment for every cargo (and trunk) invocation that compiles for wasm.
    pub fn wasm_env(self) -> Vec<(String, OsString)> {
        match self {
            WasmToolchain::Rustup => Vec::new(),
            WasmToolchain::DebianWeb => vec![
                ("RUSTUP_TOOLCHAIN".into(), LINKED_NAME.into()),
                ("RUSTC_BOOTSTRAP".into(), "1".into()),
                ("CARGO_UNSTABLE_BUILD_STD".into(), "std,panic_abort".into()),
                (
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER".into(),
                    DEBIAN_WASM_LD.into(),
                ),
            ],
        }
    }

    /// Whether clippy is available for wasm builds (Debian's web toolchain ships none).
    pub fn has_clippy(self) -> bool {
        match self {
            WasmToolchain::Rustup => true,
            WasmToolchain::DebianWeb => Cmd::new("cargo")
                .envs(&self.wasm_env())
                .args(["clippy", "--version"])
                .succeeds(),
        }
    }
}

fn rustup_has_wasm_target() -> bool {
    Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_some_and(|out| out.lines().any(|l| l.trim() == WASM_TARGET))
}

/// Finds (and installs if needed) a toolchain that can compile for wasm.
pub fn ensure_wasm_toolchain() -> TaskResult<WasmToolchain> {
    let forced = std::env::var("JUMUN_WASM_TOOLCHAIN").ok();
    match forced.as_deref() {
        Some("debian") => return ensure_debian(),
        Some("rustup") | None => {}
        Some(other) => {
            return Err(fail!(
                "JUMUN_WASM_TOOLCHAIN={other:?}: use `rustup` or `debian`"
            ))
        }
    }
    let has_rustup = on_path("rustup").is_some();
    if has_rustup && rustup_has_wasm_target() {
        println!("wasm toolchain: rustup's {WASM_TARGET} target is installed");
        return Ok(WasmToolchain::Rustup);
    }
    if has_rustup {
        println!("wasm toolchain: installing rustup's {WASM_TARGET} target (the normal way)");
        if Cmd::new("rustup")
            .args(["target", "add", WASM_TARGET])
            .run()
            .is_ok()
            && rustup_has_wasm_target()
        {
            return Ok(WasmToolchain::Rustup);
        }
        println!("wasm toolchain: rustup could not install {WASM_TARGET}; falling back to Debian's rustc-web");
    }
    if forced.as_deref() == Some("rustup") {
        return Err(fail!(
            "JUMUN_WASM_TOOLCHAIN=rustup but rustup's {WASM_TARGET} target is not available"
        ));
    }
    ensure_debian()
}

fn ensure_debian() -> TaskResult<WasmToolchain> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !crate::system::deb_installed(p))
        .collect();
    if !missing.is_empty() {
        apt_install(&missing, "Debian's rustc-web toolchain builds the wasm app where rustup's target cannot be downloaded")?;
    }
    if !std::path::Path::new(DEBIAN_WASM_LD).is_file() {
        return Err(fail!(
            "{DEBIAN_WASM_LD} is missing although lld-19 is installed; reinstall lld-19"
        ));
    }
    let linked = Cmd::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_some_and(|out| {
            out.lines()
                .any(|l| l.split_whitespace().next() == Some(LINKED_NAME))
        });
    if !linked {
        println!(
            "wasm toolchain: linking Debian's toolchain in /usr into rustup as `{LINKED_NAME}`"
        );
        Cmd::new("rustup")
            .args(["toolchain", "link", LINKED_NAME, "/usr"])
            .run()?;
    }
    println!("wasm toolchain: Debian rustc-web (+{LINKED_NAME}) with build-std and wasm-ld");
    Ok(WasmToolchain::DebianWeb)
}
