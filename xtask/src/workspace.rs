//! The repository: where things are, what Cargo.lock pins, and whether the app needs rebuilding.

use crate::fail;
use crate::run::TaskResult;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Paths of the repository.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The repository root (where Cargo.toml and Trunk.toml are).
    pub root: PathBuf,
}

/// What the app's build depends on: a change in any of these means `dist/` is stale.
const APP_INPUTS: &[&str] = &[
    "src",
    "style",
    "public",
    "index.html",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
    "crates/core/src",
    "crates/core/data",
    "crates/core/Cargo.toml",
    "crates/protocol/src",
    "crates/protocol/Cargo.toml",
    "crates/export/src",
    "crates/export/Cargo.toml",
    // The core's readers are derived by it (CompactDeserialize).
    "crates/derive/src",
    "crates/derive/Cargo.toml",
    // Its wasm32 rustflags (Leptos' erase_components) shape the app's build.
    ".cargo/config.toml",
    // Writes dist/sw.js's precache list.
    "xtask/src/precache.rs",
];

/// Written into `dist/` after a successful release build.
const BUILD_STAMP: &str = ".jumun-build-stamp";

impl Workspace {
    /// The workspace that contains this xtask.
    pub fn locate() -> Self {
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf();
        Self { root }
    }

    /// A path inside the repository.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The shared target directory.
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.path("target"))
    }

    /// The built app.
    pub fn dist_dir(&self) -> PathBuf {
        self.path("dist")
    }

    /// The exact version of `package` in Cargo.lock.
    pub fn locked_version(&self, package: &str) -> TaskResult<String> {
        let lock_path = self.path("Cargo.lock");
        let lock = std::fs::read_to_string(&lock_path)
            .map_err(|e| fail!("cannot read {}: {e}", lock_path.display()))?;
        let wanted = format!("name = \"{package}\"");
        let mut lines = lock.lines();
        while let Some(line) = lines.next() {
            if line.trim() == wanted {
                if let Some(version) = lines
                    .next()
                    .and_then(|l| l.trim().strip_prefix("version = \""))
                    .and_then(|v| v.strip_suffix('"'))
                {
                    return Ok(version.to_owned());
                }
            }
        }
        Err(fail!("{package} is not in {}", lock_path.display()))
    }

    /// True if `dist` holds a release build newer than every input of the app.
    pub fn app_is_up_to_date(&self, dist: &Path) -> bool {
        let Ok(built) = std::fs::metadata(dist.join(BUILD_STAMP)).and_then(|m| m.modified()) else {
            return false;
        };
        APP_INPUTS
            .iter()
            .filter_map(|input| newest_modification(&self.path(input)))
            .all(|changed| changed <= built)
    }

    /// Records that `dist` is a complete release build of the current inputs.
    pub fn stamp_app_build(&self, dist: &Path) -> TaskResult {
        std::fs::write(dist.join(BUILD_STAMP), b"built by cargo xtask build\n")?;
        Ok(())
    }

    /// Where `cargo xtask build --test-hooks` puts the app built with its test hooks, the one
    /// the end-to-end tests and the browser benchmarks drive.
    pub fn e2e_dist_dir(&self) -> PathBuf {
        self.target_dir().join("dist-e2e")
    }
}

/// The newest modification time of a file or of anything below a directory.
fn newest_modification(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest_modification(&entry.path()))
        .chain(own)
        .max()
}
