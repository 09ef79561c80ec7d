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
