//! A throwaway PostgreSQL cluster for the test run, so the server's tests also run against
//! PostgreSQL: Debian's `postgresql` package (installed when missing and allowed), `initdb` into a
//! temporary directory, started on a free loopback port, stopped and deleted when the run ends.
//! When none can be had, the run says so and why, and goes on with SQLite alone.

use crate::run::{on_path, Cmd};
use crate::system::{apt_install, is_root};
use std::path::{Path, PathBuf};

/// A running test cluster; stopped and deleted on drop.
pub struct TestCluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres_user: bool,
    /// An admin URL (user `jumun`, trust authentication on loopback, database `postgres`).
    pub url: String,
    /// The server's version line, for the log.
    pub version: String,
}

/// Starts a throwaway cluster, or says why it cannot.
pub fn start_test_cluster() -> Result<TestCluster, String> {
    let bin = match server_bin_dir() {
        Some(bin) => bin,
        None => {
            let installed = apt_install(
                &["postgresql"],
                "the server's tests also run against PostgreSQL (a throwaway cluster)",
            );
            // The package's own default cluster may fail to start in a container, which fails
            // the install; its programs are all this needs.
            match (server_bin_dir(), installed) {
                (Some(bin), _) => bin,
                (None, Err(err)) => return Err(err.to_string()),
                (None, Ok(())) => return Err("the postgresql package installed no initdb".into()),
            }
        }
    };
    // PostgreSQL refuses to run as root; Debian's package brings the `postgres` user for it.
    let as_postgres_user = is_root();
    if as_postgres_user && on_path("runuser").is_none() {
        return Err("running as root, and runuser (util-linux) is missing to start PostgreSQL as the postgres user".into());
    }
    let dir = std::env::temp_dir().join(format!("jumun-test-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cluster = TestCluster {
        dir: dir.clone(),
        bin: bin.clone(),
        as_postgres_user,
        url: String::new(),
        version: String::new(),
    };
    if as_postgres_user {
        let owned = Cmd::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .succeeds();
        if !owned {
            return Err(format!(
                "cannot hand {} to the postgres user",
                dir.display()
            ));
        }
    }
    let data = dir.join("data");
    let initdb = cluster.cmd("initdb").arg("-D").arg(&data).args([
        "-U",
        "jumun",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ]);
    if initdb.output().is_none() {
        return Err(format!("`{}` failed", initdb.display()));
    }
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400",
        dir.display()
    );
    let start = cluster
        .cmd("pg_ctl")
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("server.log"))
        .args(["-w", "-t", "60", "-o"])
        .arg(options)
        .arg("start");
    if start.output().is_none() {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return Err(format!("`{}` failed:\n{log}", start.display()));
    }
    cluster.url = format!("postgres://jumun@127.0.0.1:{port}/postgres");
    cluster.version = Cmd::new(bin.join("postgres"))
        .arg("--version")
        .output()
        .unwrap_or_else(|| "PostgreSQL".into());
    Ok(cluster)
}

impl TestCluster {
    /// One of the server's programs, run as the postgres user when we are root.
    fn cmd(&self, program: &str) -> Cmd {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            Cmd::new("runuser").args(["-u", "postgres", "--"]).arg(path)
        } else {
            Cmd::new(path)
        }
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            let _ = self
                .cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL's programs (`/usr/lib/postgresql/<major>/bin`).
fn server_bin_dir() -> Option<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}
