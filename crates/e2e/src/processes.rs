//! Child processes that are killed when the test ends, however it ends.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A child process killed on drop.
pub struct ChildGuard {
    child: Child,
    name: String,
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChildGuard {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The name given at start.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A free loopback port (bound then released; good enough for tests on one machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The real `jumun-server` on a loopback port, with its database in `data_dir`.
pub struct RunningServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The process.
    pub process: ChildGuard,
}

/// Starts `jumun-server` on port 0 and waits for the line that says where it listens.
pub fn start_server(binary: &Path, data_dir: &Path, dist_dir: &Path) -> RunningServer {
    start_server_with(binary, data_dir, dist_dir, &[])
}

/// [`start_server`] with more options after the address and directories (for example
/// `["--demo", "--demo-marketplaces", &sandbox.base_url]`).
pub fn start_server_with(
    binary: &Path,
    data_dir: &Path,
    dist_dir: &Path,
    extra_args: &[&str],
) -> RunningServer {
    let mut command = Command::new(binary);
    command
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .arg("--dist-dir")
        .arg(dist_dir)
        .args(extra_args);
    let (process, base_url) =
        start_listening(command, "jumun-server", "jumun-server listening on ");
    RunningServer { base_url, process }
}

/// The sandbox marketplace (`jumun-sandbox`) on a free loopback port.
pub struct RunningSandbox {
    /// `http://127.0.0.1:PORT`: the marketplaces' base, and their directory for
    /// `jumun-server --demo-marketplaces`.
    pub base_url: String,
    /// The process.
    pub process: ChildGuard,
}

/// Starts `jumun-sandbox` with `seed` on port 0, its time zero kept in `data_dir`, and waits for
/// the line that says where it listens.
pub fn start_sandbox(binary: &Path, seed: u64, data_dir: &Path) -> RunningSandbox {
    start_sandbox_with(binary, seed, data_dir, &[])
}

/// [`start_sandbox`] with more of its flags (e.g. `--hostile-every 3`).
pub fn start_sandbox_with(
    binary: &Path,
    seed: u64,
    data_dir: &Path,
    more: &[&str],
) -> RunningSandbox {
    let mut command = Command::new(binary);
    command
        .args([
            "--seed",
            &seed.to_string(),
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data_dir)
        .args(more);
    let (process, base_url) = start_listening(command, "jumun-sandbox", "sandbox listening on ");
    RunningSandbox { base_url, process }
}

/// Spawns `command` and waits up to 30 s for the stdout line `{prefix}{url}`; answers the guard
/// and the URL. The rest of its output is read to the end, so it never blocks on a full pipe.
fn start_listening(mut command: Command, name: &str, prefix: &'static str) -> (ChildGuard, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix(prefix) {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let process = ChildGuard {
        child,
        name: name.into(),
    };
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{name} did not report its address within 30 s"));
    (process, url)
}

/// ChromeDriver on a free loopback port, ready to take sessions.
pub struct RunningDriver {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The process.
    pub process: ChildGuard,
}

/// Starts ChromeDriver and waits until `/status` says it is ready.
pub fn start_chromedriver(binary: &Path) -> RunningDriver {
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let process = ChildGuard {
        child,
        name: "chromedriver".into(),
    };
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = ureq::get(&format!("{url}/status"))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<serde_json::Value>().ok())
            .is_some_and(|v| v["value"]["ready"] == true);
        if ready {
            return RunningDriver { url, process };
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver was not ready within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
