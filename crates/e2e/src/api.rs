//! The server's API and the sandbox, as the end-to-end tests use them: start the real server fed
//! by the sandbox marketplace, sign in, call endpoints, collect now.

use crate::processes::{start_sandbox_with, start_server_with, RunningSandbox, RunningServer};
use crate::required_env;
use jumun_protocol::auth::{LoginRequest, LoginResponse};
use jumun_protocol::connections::{ConnectionInfo, RunRecord};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// The sandbox's seed: its orders are a pure function of it.
pub const SANDBOX_SEED: u64 = 1;

/// The sandbox marketplace, then the real server with the demo store fed by it (`--demo
/// --demo-marketplaces URL`), both on free ports, both with their data in `data_dir`.
pub fn start_sandboxed_server(data_dir: &Path, dist_dir: &Path) -> (RunningSandbox, RunningServer) {
    start_sandboxed_server_with(data_dir, dist_dir, &[])
}

/// [`start_sandboxed_server`] with more of the sandbox's flags.
pub fn start_sandboxed_server_with(
    data_dir: &Path,
    dist_dir: &Path,
    sandbox_flags: &[&str],
) -> (RunningSandbox, RunningServer) {
    let sandbox = start_sandbox_with(
        &PathBuf::from(required_env("JUMUN_SANDBOX_BIN")),
        SANDBOX_SEED,
        data_dir,
        sandbox_flags,
    );
    let server = start_server_with(
        &PathBuf::from(required_env("JUMUN_SERVER_BIN")),
        data_dir,
        dist_dir,
        &["--demo", "--demo-marketplaces", &sandbox.base_url],
    );
    (sandbox, server)
}

/// POSTs `body` and decodes the answer as `T`.
pub fn post<T: DeserializeOwned>(
    base: &str,
    path: &str,
    token: Option<&str>,
    body: impl Serialize,
) -> T {
    let mut request = ureq::post(&format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .send_json(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
        .body_mut()
        .read_json()
        .unwrap_or_else(|e| panic!("POST {path}: not the expected answer: {e}"))
}

/// GETs `path` and decodes the answer as `T`.
pub fn get<T: DeserializeOwned>(base: &str, path: &str, token: Option<&str>) -> T {
    let mut request = ureq::get(&format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .call()
        .unwrap_or_else(|e| panic!("GET {base}{path}: {e}"))
        .body_mut()
        .read_json()
        .unwrap_or_else(|e| panic!("GET {base}{path}: not the expected answer: {e}"))
}

/// Signs in to the demo store through the API; answers the token.
pub fn login(base: &str, user: &str, password: &str) -> String {
    let answer: LoginResponse = post(
        base,
        "/api/auth/login",
        None,
        LoginRequest {
            store: "demo".into(),
            login: user.into(),
            password: password.into(),
        },
    );
    answer.token
}

/// Collects a marketplace's connection now (`POST /api/connections/{id}/collect`) and checks
/// the run did not fail; answers the connection's base URL.
pub fn collect_now(
    base: &str,
    token: &str,
    connections: &[ConnectionInfo],
    marketplace: &str,
) -> String {
    let connection = connections
        .iter()
        .find(|c| c.marketplace == marketplace)
        .unwrap_or_else(|| panic!("the demo store has a {marketplace} connection"));
    let run: RunRecord = post(
        base,
        &format!("/api/connections/{}/collect", connection.id),
        Some(token),
        json!({}),
    );
    assert!(run.error.is_none(), "{marketplace} collected: {run:?}");
    connection.base_url.clone()
}
