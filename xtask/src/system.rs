//! Debian packages: check, and install when we may (root with apt-get), or say exactly what to run.

use crate::fail;
use crate::run::{on_path, Cmd, TaskResult};
use std::sync::atomic::{AtomicBool, Ordering};

static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// True if the Debian package is installed.
pub fn deb_installed(package: &str) -> bool {
    Cmd::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_some_and(|s| s.contains("install ok installed"))
}

/// True when running as root.
pub fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .output()
        .is_some_and(|uid| uid == "0")
}

/// Installs Debian packages, explaining why; refreshes the package lists once per run.
pub fn apt_install(packages: &[&str], why: &str) -> TaskResult {
    let list = packages.join(" ");
    println!("set-up: installing {list} — {why}");
    if on_path("apt-get").is_none() || !is_root() {
        return Err(fail!(
            "cannot install {list} here (needs root and apt-get). Run:\n    sudo apt-get update && sudo apt-get install -y {list}\nthen run this command again."
        ));
    }
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        Cmd::new("apt-get").args(["update", "-q"]).run()?;
    }
    Cmd::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-q"])
        .args(packages.iter().copied())
        .run()
}
