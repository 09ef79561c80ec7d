//! End-to-end test of the CS window (고객CS, issue 14 §1, first part): from 주문 the operator
//! presses `o` on an order and works it in the CS window by keys only — 보류 with a reason and
//! 보류해제 (R11), a C/S메모 saved with Ctrl+Enter, a memo macro saved and inserted from the F2
//! list — and a hold placed offline waits in the outbox, is said to wait, and is pushed when the
//! network is back. Against the real server fed by the sandbox, in headless Chromium.
//! Screenshots: `target/e2e/cs-*.png`.

use jumun_core::claim::HoldKind;
use jumun_core::ids::OrderId;
use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::app::{network, order};
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders, open_status_tab, press, text_of};
use jumun_e2e::webdriver::Session;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Types `text` into the first element matching `css` (as keys, so the app sees input events).
fn type_into(browser: &Session, css: &str, text: &str) {
    let field = browser.wait_for(css, WAIT).expect("the field").remove(0);
    browser.send_keys(&field, text).expect("type");
}

fn held_lines(browser: &Session, id: u64) -> Vec<Option<HoldKind>> {
    order(browser, OrderId(id))
        .expect("the order is held")
        .lines
        .iter()
        .map(|l| l.hold.as_ref().map(|h| h.kind))
        .collect()
}

/// On 주문's 상품준비 tab, the first order: opened in the CS window with `o`; its 관리번호.
fn open_a_preparing_order_in_cs(browser: &Session) -> u64 {
    open_status_tab(browser, "상품준비");
    browser
        .wait_until("an order in 상품준비", WAIT, |b| {
            Ok(b.execute(
                "return [...document.querySelectorAll('table.order-table tbody tr[data-id]')]\
                 .some(r => r.textContent.includes('상품준비'));",
                vec![],
            )?
            .as_bool()
            .unwrap_or(false))
        })
        .expect("an order in 상품준비");
    let id = browser
        .execute(
            "return Number(document.querySelector('table.order-table tbody tr[data-id]').dataset.id);",
            vec![],
        )
        .expect("the first row")
        .as_u64()
        .expect("an id");
    press(browser, "o", false);
    browser
        .wait_until("the CS window", WAIT, |b| {
            Ok(text_of(b, ".cs-facts").contains(&id.to_string()))
        })
        .unwrap_or_else(|e| panic!("o opens the CS window: {e}; {}", text_of(browser, "main")));
    id
}

#[test]
fn an_order_is_held_released_and_memoed_in_the_cs_window_by_keys() {
    let console = open_orders("cs-window");
    let browser = &console.browser;

    let id = open_a_preparing_order_in_cs(browser);
    assert!(held_lines(browser, id).iter().all(Option::is_none));
    assert!(browser
        .current_url()
        .expect("url")
        .ends_with(&format!("/cs?order={id}")));
    browser
        .screenshot(&artifacts().join("cs-window.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "고객CS");

    // h: 보류 needs a reason; Enter without one says so and changes nothing.
    press(browser, "h", false);
    let field = browser
        .wait_for(".small-dialog input", WAIT)
        .expect("h opens 보류")
        .remove(0);
    browser.send_keys(&field, "\u{E007}").expect("Enter");
    browser
        .wait_until("the reason is asked for", WAIT, |b| {
            Ok(text_of(b, ".small-dialog .error-state").contains("보류 사유"))
        })
        .expect("a hold with no reason is refused");
    assert!(held_lines(browser, id).iter().all(Option::is_none));
    browser
        .send_keys(&field, "주소 확인 중\u{E007}")
        .expect("a reason and Enter");
    browser
        .wait_until("every line held", WAIT, |b| {
            Ok(b.find_all(".small-dialog")?.is_empty()
                && held_lines(b, id)
                    .iter()
                    .all(|h| *h == Some(HoldKind::Operator)))
        })
        .expect("the whole order is held");
    browser
        .wait_until("the lines show the hold", WAIT, |b| {
            Ok(text_of(b, ".cs-lines tbody").contains("주소 확인 중"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "the window shows the hold and its reason: {e}; it shows {:?}",
                text_of(browser, ".cs-window")
            )
        });
    browser
        .screenshot(&artifacts().join("cs-hold.png"))
        .expect("save a screenshot");

    // u: 보류해제, confirmed with Enter.
    press(browser, "u", false);
    let button = browser
        .wait_for(".small-dialog button[type=submit]", WAIT)
        .expect("u opens 보류해제")
        .remove(0);
    browser.send_keys(&button, "\u{E007}").expect("Enter");
    browser
        .wait_until("released", WAIT, |b| {
            Ok(held_lines(b, id).iter().all(Option::is_none))
        })
        .expect("the hold is released");

    // m, a memo, Ctrl+Enter.
    press(browser, "m", false);
    type_into(
        browser,
        ".memo-editor textarea",
        "고객 요청: 부재 시 경비실",
    );
    type_into(browser, ".memo-editor textarea", "\u{E009}\u{E007}");
    browser
        .wait_until("the memo is saved", WAIT, |b| {
            Ok(order(b, OrderId(id)).is_some_and(|o| {
                o.memos
                    .iter()
                    .any(|m| m.text == "고객 요청: 부재 시 경비실")
            }))
        })
        .expect("the memo is on the order");
    browser
        .wait_until("the memo is listed", WAIT, |b| {
            Ok(text_of(b, ".memos").contains("고객 요청: 부재 시 경비실"))
        })
        .expect("the window lists the memo");

    // A macro: the text, F2, a name, saved; then F2 and its number insert it.
    type_into(browser, ".memo-editor textarea", "배송 지연 안내 문자 발송");
    press(browser, "F2", false);
    type_into(browser, ".macro-list input", "지연안내\u{E007}");
    browser
        .wait_until("the macro is listed", WAIT, |b| {
            Ok(text_of(b, ".macro-list ol").contains("지연안내"))
        })
        .expect("the macro is saved");
    browser
        .screenshot(&artifacts().join("cs-macros.png"))
        .expect("save a screenshot");
    browser
        .execute(
            "const a = document.querySelector('.memo-editor textarea'); a.value = ''; \
             a.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            vec![],
        )
        .expect("clear the memo");
    browser
        .execute(
            "document.querySelector('.macro-list').dispatchEvent(\
             new KeyboardEvent('keydown', { key: '1', bubbles: true })); return true;",
            vec![],
        )
        .expect("press 1 in the macro list");
    browser
        .wait_until("the macro is inserted", WAIT, |b| {
            Ok(b.execute(
                "return document.querySelector('.memo-editor textarea').value;",
                vec![],
            )?
            .as_str()
                == Some("배송 지연 안내 문자 발송"))
        })
        .expect("1 inserts the first macro");

    // Offline: a hold waits in the outbox and the screen says so; back online it is pushed.
    network(browser, true);
    press(browser, "h", false);
    type_into(browser, ".small-dialog input", "오프라인 보류\u{E007}");
    browser
        .wait_until("held offline", WAIT, |b| {
            Ok(held_lines(b, id)
                .iter()
                .all(|h| *h == Some(HoldKind::Operator)))
        })
        .expect("the hold is taken offline");
    browser
        .wait_until("the screen says it waits", WAIT, |b| {
            Ok(text_of(b, ".cs-screen .sync-note").contains("전송 대기"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "the wait is shown: {e}; head {}",
                text_of(browser, ".screen-head")
            )
        });
    browser
        .screenshot(&artifacts().join("cs-offline.png"))
        .expect("save a screenshot");
    network(browser, false);
    browser
        .wait_until("pushed", Duration::from_secs(60), |b| {
            Ok(!text_of(b, ".cs-screen .screen-head").contains("전송 대기"))
        })
        .expect("the hold is pushed when the network is back");
    // The pushes tried while the network was cut are the only errors Chromium may log.
    let errors: Vec<_> = browser
        .console_errors()
        .expect("console")
        .into_iter()
        .filter(|e| !e.message.contains("ERR_INTERNET_DISCONNECTED"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_cancel_is_previewed_then_saved_and_a_return_before_shipping_is_refused_with_its_reason() {
    let console = open_orders("cs-claim");
    let browser = &console.browser;
    let id = open_a_preparing_order_in_cs(browser);

    // r on an order not shipped: the engine refuses, the dialog says why, nothing changes.
    press(browser, "r", false);
    let dialog = browser
        .wait_for(".claim-dialog select", WAIT)
        .expect("r opens 반품")
        .remove(0);
    browser
        .wait_until("ids taken", WAIT, |b| {
            Ok(b.find_all(".claim-dialog .error-state")?.is_empty())
        })
        .expect("no error");
    browser
        .send_keys(&dialog, "\u{E009}\u{E007}")
        .expect("Ctrl+Enter");
    browser
        .wait_until("the refusal", WAIT, |b| {
            Ok(text_of(b, ".claim-dialog .error-state").contains("처리할 수 없습니다"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "a return before shipping is refused: {e}; {}",
                text_of(browser, ".claim-dialog")
            )
        });
    browser
        .screenshot(&artifacts().join("cs-return-refused.png"))
        .expect("save a screenshot");
    let before = order(browser, OrderId(id)).expect("held");
    assert!(before.lines.iter().all(|l| l.claim.is_none()));
    // Esc goes back from the answer to the form, and a second Esc closes the dialog.
    for _ in 0..2 {
        browser
            .execute(
                "document.querySelector('.claim-dialog').dispatchEvent(\
                 new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); return true;",
                vec![],
            )
            .expect("Esc");
    }
    browser
        .wait_until("closed", WAIT, |b| {
            Ok(b.find_all(".claim-dialog")?.is_empty())
        })
        .expect("Esc closes the dialog");

    // c: 취소 of the whole order, previewed, then saved with Enter.
    press(browser, "c", false);
    let dialog = browser
        .wait_for(".claim-dialog select", WAIT)
        .expect("c opens 취소")
        .remove(0);
    browser
        .send_keys(&dialog, "\u{E009}\u{E007}")
        .expect("Ctrl+Enter");
    browser
        .wait_until("the preview", WAIT, |b| {
            Ok(text_of(b, ".claim-preview").contains("저장하면"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "the cancel is previewed: {e}; {}",
                text_of(browser, ".claim-dialog")
            )
        });
    browser
        .screenshot(&artifacts().join("cs-cancel-preview.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "고객CS (취소 미리보기)");
    // Still nothing saved.
    assert!(order(browser, OrderId(id))
        .expect("held")
        .lines
        .iter()
        .all(|l| l.claim.is_none()));
    browser.send_keys(&dialog, "\u{E007}").expect("Enter");
    browser
        .wait_until("cancelled", WAIT, |b| {
            Ok(b.find_all(".claim-dialog")?.is_empty()
                && order(b, OrderId(id)).is_some_and(|o| {
                    o.lines
                        .iter()
                        .all(|l| l.claim_state == jumun_core::order::ClaimState::Cancelled)
                }))
        })
        .expect("every line is cancelled");
    browser
        .wait_until("the window shows it", WAIT, |b| {
            Ok(text_of(b, ".cs-claims").contains("취소"))
        })
        .expect("the claim is listed");
    browser
        .screenshot(&artifacts().join("cs-cancelled.png"))
        .expect("save a screenshot");

    // 철회 of a cancel the operator completed: the engine refuses (R12), the window says why,
    // and the lines stay cancelled.
    browser
        .execute(
            "document.querySelector('.cs-claims button.link').click(); return true;",
            vec![],
        )
        .expect("click 철회");
    browser
        .wait_until("the refusal", WAIT, |b| {
            Ok(text_of(b, ".cs-window .error-state").contains("철회할 수 없습니다"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "a closed cancel is not withdrawn: {e}; {}",
                text_of(browser, ".cs-window")
            )
        });
    assert!(order(browser, OrderId(id))
        .expect("held")
        .lines
        .iter()
        .all(|l| l.claim_state == jumun_core::order::ClaimState::Cancelled));
}
