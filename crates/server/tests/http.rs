//! The server over real HTTP on a loopback port: health, the app's static files with the
//! single-page-app fallback, and JSON errors for unknown API paths.

use jumun_server::config::ServerConfig;
use jumun_server::Server;
use std::path::Path;

struct Running {
    base: String,
    _dirs: tempfile::TempDir,
}

async fn start() -> Running {
    let dirs = tempfile::tempdir().unwrap();
    let dist = dirs.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>주문</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app.js"), "console.log('app')").unwrap();
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dirs.path().join("data"),
        database_url: jumun_server::db::testing::database_url(&dirs.path().join("data")),
        dist_dir: dist,
        demo: false,
        sandbox: None,
        secret_key: None,
    };
    let server = Server::bind(&config).await.unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    tokio::spawn(server.run());
    Running { base, _dirs: dirs }
}

fn get(url: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap();
    (status, content_type, body)
}

async fn fetch(url: String) -> (u16, String, String) {
    tokio::task::spawn_blocking(move || get(&url))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_ok_with_the_migrated_schema() {
    let server = start().await;
    let (status, content_type, body) = fetch(format!("{}/api/health", server.base)).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn app_routes_fall_back_to_index_html_and_files_are_served() {
    let server = start().await;
    for path in ["/", "/orders", "/cs"] {
        let (status, _, body) = fetch(format!("{}{path}", server.base)).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<title>주문</title>"), "{path}: {body}");
    }
    let (status, content_type, body) = fetch(format!("{}/app.js", server.base)).await;
    assert_eq!(status, 200);
    assert!(content_type.contains("javascript"), "{content_type}");
    assert_eq!(body, "console.log('app')");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_api_paths_answer_with_a_json_error() {
    let server = start().await;
    let (status, content_type, body) = fetch(format!("{}/api/no-such-thing", server.base)).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn the_database_file_is_created_under_the_data_dir_unless_database_url_names_postgres() {
    let server = start().await;
    let data = server._dirs.path().join("data");
    let file = Path::new(&data).join(jumun_server::db::DATABASE_FILE);
    if jumun_server::db::testing::postgres_url().is_some() {
        assert!(!file.exists(), "a SQLite file beside a PostgreSQL database");
    } else {
        assert!(file.is_file());
    }
}
