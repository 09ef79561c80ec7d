//! Sign-in, sessions, roles and tenancy over real HTTP against the server on a loopback port.

mod support;

use serde_json::{json, Value};
use support::{header, TestServer};

/// A test server and a client of it.
struct Running {
    server: TestServer,
    agent: ureq::Agent,
}

impl std::ops::Deref for Running {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.server
    }
}

/// An HTTP answer: status, the `WWW-Authenticate` header, and the JSON body.
#[derive(Debug)]
struct Reply {
    status: u16,
    challenge: Option<String>,
    json: Value,
}

fn start(demo: bool) -> Running {
    Running {
        server: TestServer::temporary(|config| config.demo = demo),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Some tests send bodies the server refuses unread (415, 422); the server may then
            // close that connection, and a pooled agent would send the next request into it.
            .max_idle_connections(0)
            .build()
            .into(),
    }
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let challenge = header(&response, "www-authenticate");
    let content_type = header(&response, "content-type").unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "status {status}, content type {content_type:?}: {body}"
    );
    Reply {
        status,
        challenge,
        json: serde_json::from_str(&body).unwrap(),
    }
}

impl Running {
    fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        reply(request.call().unwrap())
    }

    fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        reply(request.send_json(body).unwrap())
    }

    /// A GET with a raw `Authorization` header value.
    fn get_with_authorization(&self, path: &str, authorization: &str) -> Reply {
        reply(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", authorization)
                .call()
                .unwrap(),
        )
    }

    /// Signs in and returns the token.
    fn login(&self, store: &str, login: &str, password: &str) -> String {
        let reply = self.post(
            "/api/auth/login",
            None,
            json!({"store": store, "login": login, "password": password}),
        );
        assert_eq!(reply.status, 200, "{login}@{store}: {:?}", reply.json);
        reply.json["token"].as_str().unwrap().to_owned()
    }

    fn logins(&self, token: &str) -> Vec<String> {
        let reply = self.get("/api/users", Some(token));
        assert_eq!(reply.status, 200, "{:?}", reply.json);
        reply.json["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.json);
    assert_eq!(reply.json["code"], code, "{:?}", reply.json);
    assert!(
        !reply.json["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{:?}",
        reply.json
    );
}

#[test]
fn the_demo_owner_signs_in_and_me_says_who_it_is() {
    let server = start(true);
    let reply = server.post(
        "/api/auth/login",
        None,
        json!({"store": "demo", "login": "demo", "password": "demo1234"}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    let token = reply.json["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert!(reply.json["expires_at"].as_str().is_some());
    assert_eq!(reply.json["user"]["login"], "demo");
    assert_eq!(reply.json["user"]["name"], "데모 대표");
    assert_eq!(reply.json["user"]["role"], "owner");
    assert!(reply.json["user"].get("password_hash").is_none());
    assert_eq!(
        reply.json["store"],
        json!({"code": "demo", "name": "데모 상점"})
    );

    let me = server.get("/api/me", Some(token));
    assert_eq!(me.status, 200, "{:?}", me.json);
    assert_eq!(me.json["user"]["login"], "demo");
    assert_eq!(me.json["user"]["role"], "owner");
    assert_eq!(me.json["store"]["code"], "demo");
    assert_eq!(me.json["expires_at"], reply.json["expires_at"]);

    let operator = server.login("demo", "operator", "operator1234");
    let me = server.get("/api/me", Some(&operator));
    assert_eq!(me.json["user"]["role"], "operator");
}

#[test]
fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let server = start(true);
    let mut answers = Vec::new();
    for (store, login, password) in [
        ("demo", "demo", "wrong-password"),
        ("demo", "nobody", "demo1234"),
        ("nowhere", "demo", "demo1234"),
    ] {
        let reply = server.post(
            "/api/auth/login",
            None,
            json!({"store": store, "login": login, "password": password}),
        );
        assert_error(&reply, 401, "bad_credentials");
        assert_eq!(reply.challenge.as_deref(), Some("Bearer"));
        answers.push(reply.json);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
}

#[test]
fn without_the_demo_flag_there_is_no_demo_store() {
    let server = start(false);
    let reply = server.post(
        "/api/auth/login",
        None,
        json!({"store": "demo", "login": "demo", "password": "demo1234"}),
    );
    assert_error(&reply, 401, "bad_credentials");
}

#[test]
fn data_endpoints_refuse_missing_malformed_and_unknown_tokens() {
    let server = start(false);
    for path in ["/api/me", "/api/users"] {
        let reply = server.get(path, None);
        assert_error(&reply, 401, "unauthorized");
        assert_eq!(reply.challenge.as_deref(), Some("Bearer"));
        for authorization in [
            "Bearer",
            "Bearer garbage",
            "Basic ZGVtbzpkZW1vMTIzNA==",
            &format!("Bearer {}", "0".repeat(64)),
        ] {
            let reply = server.get_with_authorization(path, authorization);
            assert_error(&reply, 401, "unauthorized");
        }
    }
    let reply = server.post(
        "/api/users",
        None,
        json!({"login": "x", "name": "x", "role": "viewer", "password": "password"}),
    );
    assert_error(&reply, 401, "unauthorized");
    assert_error(
        &server.post("/api/auth/logout", None, json!({})),
        401,
        "unauthorized",
    );
}

#[test]
fn logout_revokes_that_token_only() {
    let server = start(true);
    let first = server.login("demo", "demo", "demo1234");
    let second = server.login("demo", "demo", "demo1234");
    assert_ne!(first, second);

    let reply = server.post("/api/auth/logout", Some(&first), json!({}));
    assert_eq!(reply.status, 200, "{:?}", reply.json);
    assert_eq!(reply.json["logged_out"], true);

    assert_error(&server.get("/api/me", Some(&first)), 401, "unauthorized");
    assert_error(
        &server.post("/api/auth/logout", Some(&first), json!({})),
        401,
        "unauthorized",
    );
    assert_eq!(server.get("/api/me", Some(&second)).status, 200);
}

#[test]
fn the_owner_creates_users_who_can_then_sign_in() {
    let server = start(true);
    let owner = server.login("demo", "demo", "demo1234");
    let reply = server.post(
        "/api/users",
        Some(&owner),
        json!({"login": "Packer", "name": "포장 담당", "role": "viewer", "password": "packing-123"}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.json);
    assert_eq!(reply.json["login"], "packer");
    assert_eq!(reply.json["name"], "포장 담당");
    assert_eq!(reply.json["role"], "viewer");
    assert_eq!(server.logins(&owner), ["demo", "operator", "packer"]);

    let packer = server.login("demo", "packer", "packing-123");
    assert_eq!(
        server.get("/api/me", Some(&packer)).json["user"]["role"],
        "viewer"
    );

    let again = server.post(
        "/api/users",
        Some(&owner),
        json!({"login": "packer", "name": "또", "role": "viewer", "password": "packing-123"}),
    );
    assert_error(&again, 409, "login_taken");
    let short = server.post(
        "/api/users",
        Some(&owner),
        json!({"login": "kim", "name": "김", "role": "viewer", "password": "short"}),
    );
    assert_error(&short, 422, "invalid_input");
    assert!(short.json["message"].as_str().unwrap().contains("password"));
    let bad_role = server.post(
        "/api/users",
        Some(&owner),
        json!({"login": "kim", "name": "김", "role": "admin", "password": "password-1"}),
    );
    assert_error(&bad_role, 422, "invalid_input");
}

#[test]
fn viewers_and_operators_cannot_create_users() {
    let server = start(true);
    let owner = server.login("demo", "demo", "demo1234");
    let created = server.post(
        "/api/users",
        Some(&owner),
        json!({"login": "looker", "name": "보기 전용", "role": "viewer", "password": "looking-123"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.json);
    let viewer = server.login("demo", "looker", "looking-123");
    let operator = server.login("demo", "operator", "operator1234");
    let new_user =
        json!({"login": "sneaky", "name": "몰래", "role": "owner", "password": "sneaky-123"});

    assert_error(
        &server.post("/api/users", Some(&viewer), new_user.clone()),
        403,
        "forbidden",
    );
    assert_error(
        &server.post("/api/users", Some(&operator), new_user),
        403,
        "forbidden",
    );
    // Viewers do not see the user list; operators do.
    assert_error(&server.get("/api/users", Some(&viewer)), 403, "forbidden");
    assert_eq!(server.logins(&operator), ["demo", "looker", "operator"]);
}

#[test]
fn a_store_never_sees_or_changes_another_store() {
    let server = start(false);
    server.create_store("alpha", "알파 대표");
    server.create_store("bravo", "브라보 대표");
    let alpha = server.login("alpha", "boss", "boss-password");
    let bravo = server.login("bravo", "boss", "boss-password");

    // Each owner is told their own store, though both are called `boss`.
    assert_eq!(
        server.get("/api/me", Some(&alpha)).json["store"]["code"],
        "alpha"
    );
    assert_eq!(
        server.get("/api/me", Some(&bravo)).json["store"]["code"],
        "bravo"
    );
    assert_eq!(
        server.get("/api/me", Some(&bravo)).json["user"]["name"],
        "브라보 대표"
    );

    // A user created by alpha's owner lands in alpha, whatever the request says.
    let created = server.post(
        "/api/users",
        Some(&alpha),
        json!({"login": "kim", "name": "알파 김", "role": "operator", "password": "alpha-kim-1"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.json);
    let aimed_at_bravo = server.post(
        "/api/users",
        Some(&alpha),
        json!({"store": "bravo", "login": "lee", "name": "이", "role": "owner", "password": "bravo-lee-1"}),
    );
    assert_error(&aimed_at_bravo, 422, "invalid_input");

    assert_eq!(server.logins(&alpha), ["boss", "kim"]);
    assert_eq!(server.logins(&bravo), ["boss"]);

    // Alpha's users cannot sign in to bravo, and bravo can have its own `kim`.
    for (login, password) in [("kim", "alpha-kim-1"), ("lee", "bravo-lee-1")] {
        let reply = server.post(
            "/api/auth/login",
            None,
            json!({"store": "bravo", "login": login, "password": password}),
        );
        assert_error(&reply, 401, "bad_credentials");
    }
    let bravo_kim = server.post(
        "/api/users",
        Some(&bravo),
        json!({"login": "kim", "name": "브라보 김", "role": "viewer", "password": "bravo-kim-1"}),
    );
    assert_eq!(bravo_kim.status, 201, "{:?}", bravo_kim.json);
    let alpha_kim = server.login("alpha", "kim", "alpha-kim-1");
    let me = server.get("/api/me", Some(&alpha_kim));
    assert_eq!(me.json["user"]["name"], "알파 김");
    assert_eq!(me.json["store"]["code"], "alpha");
    assert_error(
        &server.post(
            "/api/auth/login",
            None,
            json!({"store": "alpha", "login": "kim", "password": "bravo-kim-1"}),
        ),
        401,
        "bad_credentials",
    );
    assert_eq!(server.logins(&alpha), ["boss", "kim"]);
    assert_eq!(server.logins(&bravo), ["boss", "kim"]);
}

#[test]
fn bad_requests_get_json_errors() {
    let server = start(false);
    // Not JSON at all.
    let answer = reply(
        server
            .agent
            .post(format!("{}/api/auth/login", server.base))
            .header("content-type", "text/plain")
            .send("store=demo")
            .unwrap(),
    );
    assert_error(&answer, 415, "unsupported_media_type");
    // JSON without the password.
    let answer = server.post(
        "/api/auth/login",
        None,
        json!({"store": "demo", "login": "demo"}),
    );
    assert_error(&answer, 422, "invalid_input");
    // Broken JSON.
    let answer = reply_of_raw_json(&server, "{\"store\":");
    assert_error(&answer, 400, "bad_request");
    // A known path with the wrong method.
    let answer = server.get("/api/auth/login", None);
    assert_error(&answer, 405, "method_not_allowed");
}

fn reply_of_raw_json(server: &Running, body: &str) -> Reply {
    reply(
        server
            .agent
            .post(format!("{}/api/auth/login", server.base))
            .header("content-type", "application/json")
            .send(body)
            .unwrap(),
    )
}
