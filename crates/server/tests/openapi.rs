//! `GET /api/openapi.json` over real HTTP: an OpenAPI 3.x document that covers every route the
//! API serves, with the bearer requirement on every endpoint but `health` and `auth/login`.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::{call, TestServer};

/// Every `/api` path the server answers, by method.
const ENDPOINTS: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/me"),
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("post", "/api/ids"),
    ("post", "/api/ops"),
    ("get", "/api/changes"),
    ("get", "/api/connections"),
    ("post", "/api/connections"),
    ("patch", "/api/connections/{id}"),
    ("post", "/api/connections/{id}/collect"),
    ("get", "/api/connections/{id}/runs"),
    ("get", "/api/malformed"),
    ("get", "/api/dashboard"),
    ("get", "/api/openapi.json"),
];

/// The endpoints anyone may call.
const OPEN: &[&str] = &["/api/health", "/api/auth/login", "/api/openapi.json"];

fn start() -> TestServer {
    TestServer::temporary(|config| config.demo = false)
}

fn document(server: &TestServer) -> Value {
    let (status, content_type, body) = call("get", &format!("{}/api/openapi.json", server.base));
    assert_eq!(status, 200, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    serde_json::from_str(&body).unwrap()
}

/// `(method, path)` of every operation of a document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if item.get(method).is_some() {
                found.insert((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[test]
fn the_document_is_openapi_3_and_lists_every_route_the_router_has() {
    let server = start();
    let doc = document(&server);
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "{version}");
    assert!(doc["info"]["title"].is_string());

    let served = operations(&doc);
    let expected: BTreeSet<_> = ENDPOINTS
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(served, expected);
    // The same router the server runs, built in-process, documents the same operations.
    let built = serde_json::to_value(jumun_server::api::openapi()).unwrap();
    assert_eq!(operations(&built), served);
    let relative = jumun_server::api::routes().into_openapi();
    let relative: BTreeSet<_> = relative
        .paths
        .paths
        .keys()
        .map(|path| format!("{}{path}", jumun_server::api::PREFIX))
        .collect();
    let documented: BTreeSet<_> = served.iter().map(|(_, path)| path.clone()).collect();
    assert_eq!(relative, documented);

    // Operation ids name operations for client generators: one each, never shared.
    let mut ids = BTreeSet::new();
    for (method, path) in &served {
        let id = doc["paths"][path][method]["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(
            ids.insert(id.to_owned()),
            "{method} {path}: operationId {id} is taken"
        );
    }
}

#[test]
fn every_documented_operation_is_routed() {
    let server = start();
    let doc = document(&server);
    for (method, path) in operations(&doc) {
        let url = format!("{}{}", server.base, path.replace("{id}", "1"));
        let (status, _, body) = call(&method, &url);
        // Without a token a protected endpoint answers 401; the open ones answer for
        // themselves. Never the API's fallbacks (404 no endpoint, 405 wrong method).
        assert!(
            status != 404 && status != 405,
            "{method} {path}: {status} {body}"
        );
        if !OPEN.contains(&path.as_str()) {
            assert_eq!(status, 401, "{method} {path}: {body}");
        }
        // Every answer the endpoint gave is a documented one.
        let responses = &doc["paths"][&path][&method]["responses"];
        assert!(
            responses.get(status.to_string()).is_some(),
            "{method} {path}: {status} is not documented"
        );
    }
}

#[test]
fn protected_operations_need_the_bearer_scheme_and_errors_share_one_schema() {
    let server = start();
    let doc = document(&server);
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");

    let error = &doc["components"]["schemas"]["ApiErrorBody"];
    let mut fields: Vec<_> = error["properties"]
        .as_object()
        .expect("ApiErrorBody properties")
        .keys()
        .cloned()
        .collect();
    fields.sort();
    assert_eq!(fields, ["code", "message"]);

    for (method, path) in operations(&doc) {
        let operation = &doc["paths"][&path][&method];
        let security = operation.get("security").cloned().unwrap_or(Value::Null);
        if OPEN.contains(&path.as_str()) {
            assert!(
                security.is_null() || security == serde_json::json!([]),
                "{method} {path} is open: {security}"
            );
        } else {
            assert_eq!(
                security,
                serde_json::json!([{"bearer": []}]),
                "{method} {path}"
            );
            let unauthorized = &operation["responses"]["401"]["content"]["application/json"];
            assert_eq!(
                unauthorized["schema"]["$ref"], "#/components/schemas/ApiErrorBody",
                "{method} {path}"
            );
        }
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path}: no success response"
        );
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ApiErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn request_bodies_and_parameters_are_described() {
    let server = start();
    let doc = document(&server);
    let body_schema = |method: &str, path: &str| {
        let schema =
            &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "{method} {path}: no JSON request body");
        resolve(&doc, schema).clone()
    };

    let login = body_schema("post", "/api/auth/login");
    for field in ["store", "login", "password"] {
        assert_eq!(
            login["properties"][field]["type"], "string",
            "login.{field}: {login}"
        );
    }
    let mut required: Vec<_> = login["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort();
    assert_eq!(required, ["login", "password", "store"]);

    for (method, path) in [
        ("post", "/api/users"),
        ("post", "/api/ids"),
        ("post", "/api/ops"),
        ("post", "/api/connections"),
        ("patch", "/api/connections/{id}"),
    ] {
        body_schema(method, path);
    }
    let push = body_schema("post", "/api/ops");
    let op = resolve(&doc, &push["properties"]["ops"]["items"]);
    for field in ["key", "at", "command"] {
        assert!(!op["properties"][field].is_null(), "ops item {field}: {op}");
    }

    let params = |method: &str, path: &str| -> BTreeSet<(String, String)> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|p| {
                        (
                            p["in"].as_str().unwrap().to_owned(),
                            p["name"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let set = |items: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        params("get", "/api/changes"),
        set(&[("query", "since"), ("query", "limit")])
    );
    assert_eq!(
        params("get", "/api/connections/{id}/runs"),
        set(&[("path", "id"), ("query", "limit")])
    );
    assert_eq!(
        params("patch", "/api/connections/{id}"),
        set(&[("path", "id")])
    );
    assert_eq!(
        params("post", "/api/connections/{id}/collect"),
        set(&[("path", "id")])
    );
    assert_eq!(params("get", "/api/malformed"), set(&[("query", "limit")]));
}
