//! Accessibility checks of a screen: axe-core (`JUMUN_AXE_JS`, installed by `cargo xtask test`)
//! run in the page as it is, its violations reported with the elements they are on.

use crate::required_env;
use crate::webdriver::Session;
use serde::Deserialize;
use std::sync::OnceLock;

/// One rule an element breaks.
#[derive(Debug, Deserialize)]
pub struct Violation {
    /// The rule (`color-contrast`, `label`, …).
    pub id: String,
    /// How much it matters (`minor` … `critical`).
    pub impact: Option<String>,
    /// What the rule asks.
    pub help: String,
    /// CSS selectors of the elements that break it.
    pub targets: Vec<String>,
}

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = required_env("JUMUN_AXE_JS");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read axe-core at {path}: {e}"))
    })
}

/// Runs axe-core on the page as it is now (WCAG 2.1 A and AA rules and best practices) and
/// answers its violations. The script is sent as the body of the executed function, not
/// evaluated from a string, so the page's Content-Security-Policy does not stand in its way.
pub fn violations(browser: &Session) -> Vec<Violation> {
    let script = format!(
        "{}\nreturn axe.run(document, {{ resultTypes: ['violations'] }}).then((r) => JSON.stringify(\
         r.violations.map((v) => ({{ id: v.id, impact: v.impact, help: v.help, \
         targets: v.nodes.map((n) => n.target.join(' ')) }}))));",
        axe_source()
    );
    let answer = browser
        .execute(&script, vec![])
        .unwrap_or_else(|e| panic!("run axe-core: {e}"));
    let text = answer
        .as_str()
        .unwrap_or_else(|| panic!("axe-core answered {answer}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("axe-core's answer ({e}): {text}"))
}

/// Fails the test, listing every violation, if the page breaks any accessibility rule.
pub fn assert_accessible(browser: &Session, screen: &str) {
    let found = violations(browser);
    assert!(
        found.is_empty(),
        "{screen}: axe-core finds {} violation(s):\n{}",
        found.len(),
        found
            .iter()
            .map(|v| format!(
                "- {} ({}): {} — {}",
                v.id,
                v.impact.as_deref().unwrap_or("?"),
                v.help,
                v.targets.join(", ")
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
