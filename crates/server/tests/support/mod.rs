//! What the HTTP integration tests share: a client that signs in and speaks JSON.
#![allow(dead_code)]

use serde_json::{json, Value};

/// An HTTP client that reports 4xx/5xx as answers, not errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
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
}
pub mod commands;
pub mod server;

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
