//! What the HTTP integration tests share: the test server ([`server`]), a fake marketplace's
//! listener, a client that signs in and speaks JSON (with the sync calls), the operations the
//! sync tests push ([`commands`]), and the real binary.
#![allow(dead_code)]

pub mod commands;
pub mod server;

#[allow(unused_imports)] // each test uses its part
pub use server::{config, serve, TestServer};

use jumun_server::accounts::token::SessionToken;
use jumun_server::accounts::StoreId;
use serde_json::{json, Value};

/// An HTTP client that reports 4xx/5xx as answers, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `method` (`get`, `post` or `patch`) on `url` without a token: status, content type and
/// body. POST and PATCH send an empty JSON object.
pub fn call(method: &str, url: &str) -> (u16, String, String) {
    let agent = agent();
    let mut response = match method {
        "get" => agent.get(url).call(),
        "post" => agent.post(url).send_json(json!({})),
        "patch" => agent.patch(url).send_json(json!({})),
        other => panic!("no client for {other}"),
    }
    .unwrap();
    let content_type = header(&response, "content-type").unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), content_type, body)
}

/// A response header's value, when it is there and text.
pub fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The status and JSON body of a response.
pub fn reply(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&body)
        .unwrap_or_else(|err| panic!("status {status}, not JSON ({err}): {body}"));
    (status, json)
}

/// A signed-in client of one server.
pub struct Client {
    pub base: String,
    pub token: String,
    pub agent: ureq::Agent,
}

impl Client {
    /// Signs in; panics unless the server says 200.
    pub fn login(base: &str, store: &str, login: &str, password: &str) -> Self {
        let agent = agent();
        let (status, json) = reply(
            agent
                .post(format!("{base}/api/auth/login"))
                .send_json(json!({"store": store, "login": login, "password": password}))
                .unwrap(),
        );
        assert_eq!(status, 200, "{login}@{store}: {json}");
        Self {
            base: base.to_owned(),
            token: json["token"].as_str().unwrap().to_owned(),
            agent,
        }
    }

    /// The demo store's owner.
    pub fn demo(base: &str) -> Self {
        Self::login(base, "demo", "demo", "demo1234")
    }

    /// GET with the bearer token.
    pub fn get(&self, path: &str) -> (u16, Value) {
        reply(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {}", self.token))
                .call()
                .unwrap(),
        )
    }

    /// POST or PATCH a JSON body with the bearer token.
    pub fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let request = match method {
            "PATCH" => self.agent.patch(url),
            _ => self.agent.post(url),
        };
        reply(
            request
                .header("Authorization", auth)
                .send_json(body)
                .unwrap(),
        )
    }

    /// POST a JSON body with the bearer token.
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, body)
    }

    /// Reserves an id block; returns its first id.
    pub fn ids(&self, count: u64) -> u64 {
        let (status, json) = self.post("/api/ids", json!({ "count": count }));
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["len"], count);
        json["start"].as_u64().unwrap()
    }

    /// Pushes operations; returns the per-operation answers.
    pub fn push(&self, ops: Vec<Value>) -> Vec<Value> {
        let count = ops.len();
        let (status, json) = self.post("/api/ops", json!({ "ops": ops }));
        assert_eq!(status, 200, "{json}");
        let results = json["results"].as_array().unwrap().clone();
        assert_eq!(results.len(), count, "one answer per operation: {json}");
        results
    }

    /// Pulls every event after `since`, `limit` per page, following `next` until `more` is
    /// false.
    pub fn pull_all(&self, since: u64, limit: usize) -> (Vec<Value>, u64) {
        let mut events = Vec::new();
        let mut cursor = since;
        loop {
            let (status, page) = self.get(&format!("/api/changes?since={cursor}&limit={limit}"));
            assert_eq!(status, 200, "{page}");
            let batch = page["events"].as_array().unwrap();
            assert!(batch.len() <= limit, "{page}");
            events.extend(batch.iter().cloned());
            cursor = page["next"].as_u64().unwrap();
            if !page["more"].as_bool().unwrap() {
                assert_eq!(cursor, page["head"].as_u64().unwrap(), "{page}");
                return (events, cursor);
            }
            assert_eq!(batch.len(), limit, "a page with more after it is full");
        }
    }

    /// The store's latest seq.
    pub fn head(&self) -> u64 {
        let (status, page) = self.get("/api/changes?limit=1");
        assert_eq!(status, 200, "{page}");
        page["head"].as_u64().unwrap()
    }
}

impl TestServer {
    /// The store id behind a client's session.
    pub fn store_of(&self, client: &Client) -> StoreId {
        let token = SessionToken::parse(&client.token).unwrap();
        self.runtime
            .block_on(self.accounts.authenticate(&token, chrono::Utc::now()))
            .unwrap()
            .store
            .id
    }
}

/// Runs the real `jumun-server` binary with `args`, outside the server's environment (no
/// `JUMUN_DATA_DIR`, no `DATABASE_URL`); returns its exit code, standard output and standard
/// error.
pub fn run_binary<I, S>(args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jumun-server"))
        .args(args)
        .env_remove("JUMUN_DATA_DIR")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
