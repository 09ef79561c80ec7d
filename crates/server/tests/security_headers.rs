//! The security headers over real HTTP: every answer — the page, a deep link of the app, its
//! files, the API — carries the Content-Security-Policy, whose `script-src` allows the inline
//! loader of the served `index.html` by its SHA-256 and nothing else inline, and follows a
//! rebuilt `index.html` without a restart.

mod support;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use support::{agent, header, TestServer};

/// Trunk's loader, as `trunk build` inlines it into `dist/index.html`.
const LOADER: &str = "\nimport init, * as bindings from '/jumun-0123456789abcdef.js';\n\
    const wasm = await init({ module_or_path: '/jumun-0123456789abcdef_bg.wasm' });\n\
    window.wasmBindings = bindings;\n";

fn index_html(loader: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\">\n  <head>\n    <title>주문</title>\n\
         <!-- <script>not this one</script> -->\n\
         <script type=\"module\">{loader}</script>\n\
         <link rel=\"modulepreload\" href=\"/jumun-0123456789abcdef.js\">\n\
         <script src=\"/external.js\"></script>\n  </head>\n  <body></body>\n</html>\n"
    )
}

/// `'sha256-…'` of `text`, computed here independently of the server's code.
fn expected_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The headers of a GET of `url` (status 200 expected).
fn headers_of(url: &str) -> ureq::http::Response<ureq::Body> {
    let response = agent().get(url).call().unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response
}

/// The sources of one directive of a policy.
fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
    policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
        .split_whitespace()
        .collect()
}

fn policy_of(url: &str) -> String {
    let response = headers_of(url);
    header(&response, "content-security-policy").unwrap_or_else(|| panic!("no CSP on {url}"))
}

#[test]
fn pages_files_and_the_api_carry_the_policy_with_the_loaders_hash() {
    let server = TestServer::temporary(|config| {
        config.demo = false;
        std::fs::create_dir_all(&config.dist_dir).unwrap();
        std::fs::write(config.dist_dir.join("index.html"), index_html(LOADER)).unwrap();
        std::fs::write(config.dist_dir.join("sw.js"), "self.x = 1;").unwrap();
    });
    for path in ["/", "/orders", "/shipping/today", "/sw.js", "/api/health"] {
        let url = format!("{}{path}", server.base);
        let response = headers_of(&url);
        let policy = header(&response, "content-security-policy")
            .unwrap_or_else(|| panic!("no CSP on {path}"));
        assert_eq!(
            directive(&policy, "script-src"),
            ["'self'", "'wasm-unsafe-eval'", &expected_hash(LOADER)],
            "{path}: only the app's files, its wasm and the one inline loader (not the \
             commented-out script, not the external one)"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        for (name, sources) in [
            ("default-src", &["'self'"][..]),
            ("style-src", &["'self'"]),
            ("img-src", &["'self'", "data:"]),
            ("connect-src", &["'self'"]),
            ("worker-src", &["'self'"]),
            ("manifest-src", &["'self'"]),
            ("object-src", &["'none'"]),
            ("base-uri", &["'none'"]),
            ("form-action", &["'self'"]),
            ("frame-ancestors", &["'none'"]),
        ] {
            assert_eq!(directive(&policy, name), sources, "{path}: {name}");
        }
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(header(&response, name).as_deref(), Some(value), "{path}");
        }
    }
}

#[test]
fn a_rebuilt_index_html_is_served_with_its_own_hash() {
    let server = TestServer::temporary(|config| {
        config.demo = false;
        std::fs::create_dir_all(&config.dist_dir).unwrap();
        std::fs::write(config.dist_dir.join("index.html"), index_html(LOADER)).unwrap();
    });
    let before = policy_of(&format!("{}/", server.base));
    assert!(before.contains(&expected_hash(LOADER)), "{before}");

    let rebuilt = LOADER.replace("0123456789abcdef", "fedcba9876543210");
    let dist = server.data_dir.parent().unwrap().join("dist");
    std::fs::write(dist.join("index.html"), index_html(&rebuilt)).unwrap();
    let after = policy_of(&format!("{}/orders", server.base));
    assert!(after.contains(&expected_hash(&rebuilt)), "{after}");
    assert!(!after.contains(&expected_hash(LOADER)), "{after}");
}

#[test]
fn without_a_built_app_the_api_still_answers_and_no_inline_script_is_allowed() {
    let server = TestServer::temporary(|config| config.demo = false);
    let policy = policy_of(&format!("{}/api/health", server.base));
    assert_eq!(
        directive(&policy, "script-src"),
        ["'self'", "'wasm-unsafe-eval'"]
    );
}
