//! The security headers on every answer: a Content-Security-Policy that lets the page run only
//! the app's own script and wasm, and the usual hardening headers.
//!
//! Marketplace text (names, addresses, memos, product options) is data, never markup; the app
//! renders it as text. The policy is defence in depth for the day a bug renders some of it as
//! HTML: an injected `<script>`, `onerror=` attribute or `javascript:` URL does not run, and
//! nothing can be sent to another origin.
//!
//! ```text
//! default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-…'; style-src 'self';
//! img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self';
//! object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'
//! ```
//!
//! - **Scripts**: the app's files (`'self'`), compiling its wasm (`'wasm-unsafe-eval'`, which
//!   allows `WebAssembly` compilation and no JavaScript `eval`), and the inline
//!   `<script type="module">` that Trunk writes into `dist/index.html` to load the wasm, allowed
//!   by the SHA-256 of its exact text. Hashes rather than `'unsafe-inline'` (which would let
//!   injected scripts run too) and rather than an external loader: Trunk 0.21 always inlines
//!   its loader (`inject_scripts = false` would mean writing our own loader that names the
//!   content-hashed file names of each build), and a nonce would mean rewriting every
//!   `index.html` served, which the service worker caches. The hashes are read from
//!   `index.html` at start and again each time it is served (see [`add`]), so a rebuilt app
//!   gets its own hashes without a restart.
//! - **Styles**: the app's stylesheet only, and no `style="…"` attribute (`style-src-attr` is
//!   not relaxed). The app sets none; a component that needs an inline style (a virtualised
//!   list's row offsets, say) sets it with Leptos' `style:top=…` form, which goes through the
//!   CSSOM (`element.style.setProperty`) that CSP does not restrict, and never with a
//!   `style="…"` string, which Leptos writes as an attribute and the browser would refuse.
//! - **Everything else**: same origin only (the API, the service worker, the manifest, icons;
//!   `data:` images for CSS), no plugins, no `<base>`, forms post only here, and no framing
//!   (`frame-ancestors 'none'`, with `X-Frame-Options: DENY` for older browsers).
//!
//! With it: `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`. The headers go
//! on every answer (one layer over the whole router): the page and the service worker script
//! need them, and on JSON they are harmless.

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The policy up to the inline scripts' hashes, which end `script-src`, and after them.
const BEFORE_HASHES: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const AFTER_HASHES: &str = "; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
     worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy for a page whose inline scripts are `scripts` (their text).
pub fn content_security_policy<'a>(scripts: impl IntoIterator<Item = &'a str>) -> String {
    let mut policy = BEFORE_HASHES.to_owned();
    for script in scripts {
        policy.push(' ');
        policy.push_str(&script_hash(script));
    }
    policy.push_str(AFTER_HASHES);
    policy
}

/// The CSP source that allows an inline script with this text: `'sha256-<base64>'` of its
/// bytes, after the line-ending normalisation the browser's HTML parser applies first.
pub fn script_hash(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text of each inline `<script>` of an HTML document (one without a `src` attribute), as
/// the browser hashes it. Comments are skipped; a script's text ends at the first `</script`,
/// as in HTML.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            at = match rest.find("-->") {
                Some(end) => start + end + 3,
                None => break,
            };
            continue;
        }
        let Some(tag) = script_start_tag(rest) else {
            at = start + 1;
            continue;
        };
        let text_start = start + tag.len;
        let text_end = find_ascii_case_insensitive(&html[text_start..], "</script")
            .map_or(html.len(), |end| text_start + end);
        if !tag.has_src {
            scripts.push(&html[text_start..text_end]);
        }
        at = text_end;
    }
    scripts
}

/// A `<script …>` start tag: its length, and whether it names a `src`.
struct ScriptTag {
    len: usize,
    has_src: bool,
}

/// Reads the `<script …>` start tag at the beginning of `rest`, if there is one.
fn script_start_tag(rest: &str) -> Option<ScriptTag> {
    const OPEN: &str = "<script";
    let bytes = rest.as_bytes();
    if bytes.len() < OPEN.len() || !bytes[..OPEN.len()].eq_ignore_ascii_case(OPEN.as_bytes()) {
        return None;
    }
    let mut i = OPEN.len();
    // `<scripts>` or `<script-x>` is another element.
    if !matches!(
        bytes.get(i),
        Some(b'>' | b'/') | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
    ) {
        return None;
    }
    let mut has_src = false;
    loop {
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => {
                return Some(ScriptTag {
                    len: i + 1,
                    has_src,
                })
            }
            Some(_) => {}
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        has_src |= bytes[name_start..i].eq_ignore_ascii_case(b"src");
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end = rest[i + 1..].find(quote as char)?;
                i += end + 2;
            }
            _ => {
                while bytes
                    .get(i)
                    .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                {
                    i += 1;
                }
            }
        }
    }
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The security headers for the app in one `dist` directory (see the module doc): the policy
/// follows its `index.html`.
#[derive(Clone)]
pub struct SecurityHeaders {
    index_html: Arc<PathBuf>,
    /// The policy of the `index.html` last read.
    policy: Arc<RwLock<HeaderValue>>,
}

impl SecurityHeaders {
    /// Reads `dist_dir/index.html` for its inline scripts. Without a readable one the server
    /// still starts, API only: the policy then allows no inline script, and the reason is logged.
    pub fn for_dist(dist_dir: &Path) -> Self {
        let index_html = dist_dir.join("index.html");
        let html = match std::fs::read_to_string(&index_html) {
            Ok(html) => html,
            Err(error) => {
                // A missing app is logged by the start already.
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(
                        file = %index_html.display(),
                        %error,
                        "cannot read the built app's index.html: the app will not open in the \
                         browser until it is readable (the API works without it)"
                    );
                }
                String::new()
            }
        };
        Self {
            index_html: Arc::new(index_html),
            policy: Arc::new(RwLock::new(policy_for(&html))),
        }
    }

    /// The Content-Security-Policy header as it stands.
    pub fn policy(&self) -> HeaderValue {
        match self.policy.read() {
            Ok(policy) => policy.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The policy of `index.html` as it is now on disk (the page just served), kept for the
    /// answers that follow; the last one if it cannot be read.
    async fn read_again(&self) -> HeaderValue {
        let html = match tokio::fs::read_to_string(self.index_html.as_path()).await {
            Ok(html) => html,
            Err(error) => {
                tracing::warn!(
                    file = %self.index_html.display(),
                    %error,
                    "cannot read the built app's index.html again; its last policy stays"
                );
                return self.policy();
            }
        };
        let policy = policy_for(&html);
        let mut current = match self.policy.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *current != policy {
            tracing::info!(
                file = %self.index_html.display(),
                "the built app changed: its Content-Security-Policy follows"
            );
            *current = policy.clone();
        }
        policy
    }
}

fn policy_for(html: &str) -> HeaderValue {
    // Hashes are base64 and the rest is ASCII: always a valid header value.
    HeaderValue::from_str(&content_security_policy(inline_scripts(html)))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; script-src 'self'"))
}

/// The middleware that puts the security headers on every answer (see the module doc). A page
/// of the app (`index.html`, for any path not under `/api/` that answers HTML, or its
/// `304 Not Modified`) gets the policy of the `index.html` on disk, read again, so a rebuilt
/// app is served with its own hashes without a restart; the other answers get the policy last
/// read.
pub async fn add(State(headers): State<SecurityHeaders>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let page = !api
        && (response.status() == StatusCode::NOT_MODIFIED
            || response
                .headers()
                .get(CONTENT_TYPE)
                .is_some_and(|value| value.as_bytes().starts_with(b"text/html")));
    let policy = if page {
        headers.read_again().await
    } else {
        headers.policy()
    };
    let answer = response.headers_mut();
    answer.insert(CONTENT_SECURITY_POLICY, policy);
    answer.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    answer.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    answer.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunks_loader_is_found_and_scripts_with_src_are_not() {
        let html = "<!DOCTYPE html><html><head>\n\
            <script type=\"module\">\nimport init from '/app.js';\nawait init();\n</script>\n\
            <script src=\"/other.js\" defer></script>\n\
            <link rel=\"modulepreload\" href=\"/app.js\"></head><body></body></html>";
        assert_eq!(
            inline_scripts(html),
            ["\nimport init from '/app.js';\nawait init();\n"]
        );
    }

    #[test]
    fn tags_are_read_without_regard_to_case_quotes_or_lookalikes() {
        let html = "<SCRIPT TYPE='module' data-x=\"a > b\">one()</ScRiPt>\
            <scripts>not a script</scripts>\
            <script data-src=x>two()</script>\
            <script\tSRC=/x.js></script>\
            <script>three()";
        assert_eq!(inline_scripts(html), ["one()", "two()", "three()"]);
    }

    #[test]
    fn scripts_in_comments_are_not_scripts() {
        let html = "<!-- <script>old()</script> --><script>now()</script><!-- <script>";
        assert_eq!(inline_scripts(html), ["now()"]);
    }

    #[test]
    fn a_script_hash_is_the_base64_sha256_of_its_text_with_lf_line_endings() {
        // echo -n 'alert(1)' | openssl sha256 -binary | base64
        assert_eq!(
            script_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        assert_eq!(script_hash("a\r\nb\rc"), script_hash("a\nb\nc"));
    }

    #[test]
    fn the_policy_names_each_inline_script_and_allows_nothing_inline_otherwise() {
        let policy = content_security_policy(["a()", "b()"]);
        assert!(policy.starts_with("default-src 'self'; "), "{policy}");
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' {} {};",
                script_hash("a()"),
                script_hash("b()")
            )),
            "{policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
        assert_eq!(
            content_security_policy([]),
            policy.replace(
                &format!(" {} {}", script_hash("a()"), script_hash("b()")),
                ""
            )
        );
    }
}
