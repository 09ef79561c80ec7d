//! The server over real HTTP on a loopback port: health, the app's static files with the
//! single-page-app fallback, and JSON errors for unknown API paths.

mod support;

use support::{call, TestServer};

/// A server with a small built app in its `dist_dir`.
fn start() -> TestServer {
    TestServer::temporary(|config| {
        config.demo = false;
        std::fs::create_dir_all(&config.dist_dir).unwrap();
        std::fs::write(
            config.dist_dir.join("index.html"),
            "<!doctype html><title>주문</title>",
        )
        .unwrap();
        std::fs::write(config.dist_dir.join("app.js"), "console.log('app')").unwrap();
    })
}

#[test]
fn health_reports_ok_with_the_migrated_schema() {
    let server = start();
    let (status, content_type, body) = call("get", &format!("{}/api/health", server.base));
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok");
    let engine = match jumun_server::db::testing::postgres_url() {
        Some(_) => "postgres",
        None => "sqlite",
    };
    assert_eq!(json["database"]["engine"], engine);
    assert_eq!(
        json["database"]["schema_version"],
        jumun_server::db::migrations::MIGRATIONS.len()
    );
}

#[test]
fn app_routes_fall_back_to_index_html_and_files_are_served() {
    let server = start();
    for path in ["/", "/orders", "/cs"] {
        let (status, _, body) = call("get", &format!("{}{path}", server.base));
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<title>주문</title>"), "{path}: {body}");
    }
    let (status, content_type, body) = call("get", &format!("{}/app.js", server.base));
    assert_eq!(status, 200);
    assert!(content_type.contains("javascript"), "{content_type}");
    assert_eq!(body, "console.log('app')");
}

#[test]
fn unknown_api_paths_answer_with_a_json_error() {
    let server = start();
    let (status, content_type, body) = call("get", &format!("{}/api/no-such-thing", server.base));
    assert_eq!(status, 404);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "not_found");
    assert!(json["message"]
        .as_str()
        .unwrap()
        .contains("/api/no-such-thing"));
}

#[test]
fn the_database_file_is_created_under_the_data_dir_unless_database_url_names_postgres() {
    let server = start();
    let file = server.data_dir.join(jumun_server::db::DATABASE_FILE);
    if jumun_server::db::testing::postgres_url().is_some() {
        assert!(!file.exists(), "a SQLite file beside a PostgreSQL database");
    } else {
        assert!(file.is_file());
    }
}
