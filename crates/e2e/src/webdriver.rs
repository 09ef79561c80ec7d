//! A small W3C WebDriver client: just what the end-to-end tests need, over plain HTTP to a
//! ChromeDriver on loopback.

use base64::Engine as _;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What went wrong talking to the browser.
#[derive(Debug, thiserror::Error)]
pub enum WebDriverError {
    /// The HTTP exchange with ChromeDriver failed.
    #[error("webdriver transport: {0}")]
    Transport(#[from] ureq::Error),
    /// ChromeDriver answered with an error.
    #[error("webdriver {command}: {error}: {message}")]
    Command {
        command: String,
        error: String,
        message: String,
    },
    /// The answer did not have the expected shape.
    #[error("webdriver {command}: unexpected answer {answer}")]
    Unexpected { command: String, answer: Value },
    /// A wait ran out.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
    /// A screenshot could not be written.
    #[error("screenshot: {0}")]
    Screenshot(String),
}

/// Result of a WebDriver call.
pub type WdResult<T> = Result<T, WebDriverError>;

/// A reference to an element on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    /// The message, with its source.
    pub message: String,
}

/// A browser session. Closed (and the browser quit) on drop.
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

impl Session {
    /// Starts headless Chromium through the driver at `driver_url` with console logging on.
    pub fn start(driver_url: &str, chromium: &Path, args: &[String]) -> WdResult<Self> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": chromium, "args": args },
                    "goog:loggingPrefs": { "browser": "ALL" }
                }
            }
        });
        let answer = send(
            &agent,
            "POST",
            &format!("{driver_url}/session"),
            Some(capabilities),
            "new session",
        )?;
        let id = answer["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError::Unexpected {
                command: "new session".into(),
                answer: answer.clone(),
            })?;
        Ok(Self {
            agent,
            base: format!("{driver_url}/session/{id}"),
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
        send(
            &self.agent,
            method,
            &format!("{}{path}", self.base),
            body,
            path,
        )
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) -> WdResult<()> {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// The current URL.
    pub fn current_url(&self) -> WdResult<String> {
        string(self.call("GET", "/url", None)?, "url")
    }

    /// The document's title.
    pub fn title(&self) -> WdResult<String> {
        string(self.call("GET", "/title", None)?, "title")
    }

    /// All elements matching a CSS selector (possibly none).
    pub fn find_all(&self, css: &str) -> WdResult<Vec<Element>> {
        let answer = self.call(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        let list = answer
            .as_array()
            .ok_or_else(|| WebDriverError::Unexpected {
                command: format!("find {css}"),
                answer: answer.clone(),
            })?;
        Ok(list
            .iter()
            .filter_map(|e| e[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_owned()))
            .collect())
    }

    /// The visible text of an element.
    pub fn text(&self, element: &Element) -> WdResult<String> {
        string(
            self.call("GET", &format!("/element/{}/text", element.0), None)?,
            "text",
        )
    }

    /// An attribute of an element.
    pub fn attribute(&self, element: &Element, name: &str) -> WdResult<Option<String>> {
        let answer = self.call(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            None,
        )?;
        Ok(answer.as_str().map(str::to_owned))
    }

    /// Clicks an element.
    pub fn click(&self, element: &Element) -> WdResult<()> {
        self.call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .map(drop)
    }

    /// Types `keys` into an element as real key presses (WebDriver's Element Send Keys: the
    /// element takes the focus first). Special keys are WebDriver's code points, e.g.
    /// `"\u{E009}\u{E007}"` for Ctrl+Enter (a modifier holds until the call ends).
    pub fn send_keys(&self, element: &Element, keys: &str) -> WdResult<()> {
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": keys })),
        )
        .map(drop)
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until at least one element matches `css`, and returns the matches.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> WdResult<Vec<Element>> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.find_all(css)?;
            if !found.is_empty() {
                return Ok(found);
            }
            if Instant::now() > deadline {
                return Err(WebDriverError::Timeout(timeout, format!("`{css}`")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `check` returns true.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Self) -> WdResult<bool>,
    ) -> WdResult<()> {
        let deadline = Instant::now() + timeout;
        while !check(self)? {
            if Instant::now() > deadline {
                return Err(WebDriverError::Timeout(timeout, what.to_owned()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Signs in through the console's form (상점 코드, 아이디, 비밀번호) once it shows.
    pub fn sign_in(&self, store: &str, login: &str, password: &str) -> WdResult<()> {
        self.wait_for("form.login-form", Duration::from_secs(30))?;
        self.execute(
            "const set = (n, v) => { const i = document.querySelector(`input[name=${n}]`); \
             i.value = v; i.dispatchEvent(new Event('input', { bubbles: true })); }; \
             set('store', arguments[0]); set('login', arguments[1]); set('password', arguments[2]); \
             document.querySelector('form.login-form button[type=submit]').click(); return true;",
            vec![store.into(), login.into(), password.into()],
        )?;
        self.wait_until("signed in", Duration::from_secs(30), |b| {
            Ok(b.find_all("form.login-form")?.is_empty())
        })
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) -> WdResult<()> {
        let encoded = string(self.call("GET", "/screenshot", None)?, "screenshot")?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| WebDriverError::Screenshot(e.to_string()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| WebDriverError::Screenshot(e.to_string()))?;
        }
        std::fs::write(path, png)
            .map_err(|e| WebDriverError::Screenshot(format!("{}: {e}", path.display())))
    }

    /// The browser console entries logged since the last call (ChromeDriver's log endpoint).
    pub fn browser_log(&self) -> WdResult<Vec<LogEntry>> {
        let answer = self.call("POST", "/se/log", Some(json!({ "type": "browser" })))?;
        Ok(answer
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| LogEntry {
                        level: e["level"].as_str().unwrap_or_default().to_owned(),
                        message: e["message"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The console's errors (its `SEVERE` entries) logged since the last call.
    pub fn console_errors(&self) -> WdResult<Vec<LogEntry>> {
        Ok(self
            .browser_log()?
            .into_iter()
            .filter(|e| e.level == "SEVERE")
            .collect())
    }

    /// Sends a Chrome DevTools Protocol command through ChromeDriver.
    pub fn cdp(&self, command: &str, params: Value) -> WdResult<Value> {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": command, "params": params })),
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = send(&self.agent, "DELETE", &self.base, None, "delete session");
    }
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
    command: &str,
) -> WdResult<Value> {
    let mut response = match (method, body) {
        ("GET", _) => agent.get(url).call()?,
        ("DELETE", _) => agent.delete(url).call()?,
        (_, Some(body)) => agent.post(url).send_json(body)?,
        (_, None) => agent.post(url).send_empty()?,
    };
    let answer: Value = response.body_mut().read_json()?;
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if let Some(error) = value.get("error").and_then(Value::as_str) {
        return Err(WebDriverError::Command {
            command: command.to_owned(),
            error: error.to_owned(),
            message: value["message"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    // New-session answers carry the session id inside `value`.
    Ok(if answer.get("sessionId").is_some() {
        answer
    } else {
        value
    })
}

fn string(value: Value, what: &str) -> WdResult<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| WebDriverError::Unexpected {
            command: what.to_owned(),
            answer: value,
        })
}
