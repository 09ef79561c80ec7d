//! The build and test tools: trunk, wasm-bindgen-cli, wasm-opt, Chromium and ChromeDriver,
//! axe-core.
//!
//! Each is checked by version and installed only when missing or wrong, into the user's own
//! cargo and npm locations so a second run reuses them.

use crate::fail;
use crate::run::{on_path, Cmd, TaskResult};
use crate::system::{apt_install, deb_installed};
use crate::workspace::Workspace;
use std::path::PathBuf;

/// Trunk's version. 0.22 needs a newer rustc than this project's machines have.
pub const TRUNK_VERSION: &str = "0.21.14";

/// binaryen's version, from npm (Debian's binaryen 108 makes modules Chromium rejects).
pub const BINARYEN_VERSION: &str = "129";

/// Where npm installs our tools: the user's own prefix, reused across runs.
pub fn npm_prefix() -> PathBuf {
    home().join(".local")
}

/// Where cargo installs binaries.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// Puts the user's cargo and npm binary folders first on PATH for this process and its children,
/// so the tools installed here are the ones used.
pub fn prepend_tool_paths() {
    let mut paths = vec![cargo_bin(), npm_prefix().join("bin")];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    if let Ok(joined) = std::env::join_paths(paths) {
        // Safe here: xtask is single-threaded when it sets up its environment.
        unsafe { std::env::set_var("PATH", joined) };
    }
}

fn version_of(program: &str, flag: &str) -> Option<String> {
    on_path(program)?;
    Cmd::new(program).arg(flag).output()
}

/// A cargo install that must not be affected by the wasm toolchain's variables.
fn cargo_install() -> Cmd {
    Cmd::new("cargo")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC_BOOTSTRAP")
        .env_remove("CARGO_UNSTABLE_BUILD_STD")
        .arg("install")
}

/// Trunk, at [`TRUNK_VERSION`].
pub fn ensure_trunk() -> TaskResult {
    let want = format!("trunk {TRUNK_VERSION}");
    if version_of("trunk", "--version").as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    println!("set-up: installing trunk {TRUNK_VERSION} (builds and bundles the browser app; about 11 minutes on 2 cores, once)");
    cargo_install()
        .args(["trunk", "--version", TRUNK_VERSION, "--locked"])
        .run()
}

/// wasm-bindgen-cli at exactly the version in Cargo.lock (the two must match to the patch).
pub fn ensure_wasm_bindgen(workspace: &Workspace) -> TaskResult<String> {
    let version = workspace.locked_version("wasm-bindgen")?;
    let want = format!("wasm-bindgen {version}");
    if version_of("wasm-bindgen", "--version").as_deref() == Some(want.as_str())
        && on_path("wasm-bindgen-test-runner").is_some()
    {
        return Ok(version);
    }
    println!("set-up: installing wasm-bindgen-cli {version} (must equal the wasm-bindgen crate in Cargo.lock; about 4 minutes, once)");
    let locked = cargo_install()
        .args(["wasm-bindgen-cli", "--version", &version, "--locked"])
        .run();
    if locked.is_err() {
        // A registry mirror may lack a dependency version that the crate's own lock file names.
        println!("set-up: retrying wasm-bindgen-cli without --locked");
        cargo_install()
            .args(["wasm-bindgen-cli", "--version", &version])
            .run()?;
    }
    Ok(version)
}

/// binaryen's wasm-opt at [`BINARYEN_VERSION`], from npm.
pub fn ensure_wasm_opt() -> TaskResult {
    let want = format!("wasm-opt version {BINARYEN_VERSION}");
    if version_of("wasm-opt", "--version").is_some_and(|v| v.starts_with(&want)) {
        return Ok(());
    }
    if on_path("npm").is_none() {
        return Err(fail!(
            "wasm-opt {BINARYEN_VERSION} is needed and npm is missing. Install Node.js and npm (e.g. `sudo apt-get install -y nodejs npm`), then run this command again."
        ));
    }
    println!("set-up: installing binaryen@{BINARYEN_VERSION} from npm into {} (its wasm-opt shrinks the app)", npm_prefix().display());
    Cmd::new("npm")
        .args(["install", "--global", "--no-audit", "--no-fund", "--prefix"])
        .arg(npm_prefix())
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .run()?;
    match version_of("wasm-opt", "--version") {
        Some(v) if v.starts_with(&want) => Ok(()),
        other => Err(fail!(
            "after installing binaryen, `wasm-opt --version` says {other:?}; expected {want}"
        )),
    }
}

/// The browser the tests drive.
#[derive(Debug, Clone)]
pub struct Browser {
    /// Chromium's executable.
    pub chromium: PathBuf,
    /// ChromeDriver's executable (same major version as Chromium).
    pub chromedriver: PathBuf,
    /// axe-core's `axe.min.js`, the accessibility checker the end-to-end tests run in each
    /// screen.
    pub axe: PathBuf,
}

/// axe-core's version, from npm: the accessibility rules the end-to-end tests check.
pub const AXE_VERSION: &str = "4.10.3";

/// axe-core at [`AXE_VERSION`] in the user's npm prefix: answers its `axe.min.js`.
fn ensure_axe() -> TaskResult<PathBuf> {
    let package = npm_prefix().join("lib/node_modules/axe-core");
    let script = package.join("axe.min.js");
    let installed = std::fs::read_to_string(package.join("package.json"))
        .ok()
        .is_some_and(|json| json.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    if installed && script.is_file() {
        return Ok(script);
    }
    if on_path("npm").is_none() {
        return Err(fail!(
            "axe-core {AXE_VERSION} is needed by the end-to-end tests and npm is missing. Install Node.js and npm (e.g. `sudo apt-get install -y nodejs npm`), then run this command again."
        ));
    }
    println!(
        "set-up: installing axe-core@{AXE_VERSION} from npm into {} (the end-to-end tests check every screen's accessibility with it)",
        npm_prefix().display()
    );
    Cmd::new("npm")
        .args(["install", "--global", "--no-audit", "--no-fund", "--prefix"])
        .arg(npm_prefix())
        .arg(format!("axe-core@{AXE_VERSION}"))
        .run()?;
    if script.is_file() {
        Ok(script)
    } else {
        Err(fail!(
            "after installing axe-core, {} is missing",
            script.display()
        ))
    }
}

const CJK_FONT_PACKAGE: &str = "fonts-noto-cjk";

/// Chromium, ChromeDriver and a Korean font (so screenshots show Hangul), from Debian.
pub fn ensure_browser() -> TaskResult<Browser> {
    let find = || Some((on_path("chromium")?, on_path("chromedriver")?));
    let mut missing = Vec::new();
    if find().is_none() {
        missing.extend(["chromium", "chromium-driver"]);
    }
    if !deb_installed(CJK_FONT_PACKAGE) && on_path("dpkg-query").is_some() {
        missing.push(CJK_FONT_PACKAGE);
    }
    if !missing.is_empty() {
        apt_install(
            &missing,
            "the browser tests run in headless Chromium through ChromeDriver",
        )?;
    }
    let (chromium, chromedriver) = find().ok_or_else(|| {
        fail!("chromium and chromedriver are still not on PATH after installing them")
    })?;
    Ok(Browser {
        chromium,
        chromedriver,
        axe: ensure_axe()?,
    })
}
