//! End-to-end test of issue 12's "a viewer sees no buttons it cannot use": the owner adds a
//! 조회자 (viewer) through the API; signed in as the viewer, the console shows who is signed in
//! and their role, lists and searches the orders the browser holds, selects them — and shows no
//! bulk action, and their keys do nothing. Screenshot: `target/e2e/orders-viewer.png`.

use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::api::{login, post};
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders, press, result_count};
use jumun_protocol::auth::{Role, UserInfo};
use jumun_protocol::users::CreateUser;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_viewer_lists_and_selects_orders_and_sees_no_action_it_cannot_use() {
    let console = open_orders("viewer");
    let (browser, held) = (&console.browser, console.held);
    let owner = login(&console.base, "demo", "demo1234");
    let viewer: UserInfo = post(
        &console.base,
        "/api/users",
        Some(&owner),
        CreateUser {
            login: "viewer.lee".into(),
            name: "이조회".into(),
            role: Role::Viewer,
            password: "viewer-1234".into(),
        },
    );
    assert_eq!(viewer.role, Role::Viewer);

    // The owner, with an order selected, has the bulk actions.
    press(browser, "x", false);
    browser
        .wait_for(".bulk-actions button", WAIT)
        .expect("the owner has the bulk actions");

    // Sign out; sign in as the viewer on the same browser (its store keeps the orders).
    browser
        .execute(
            "document.querySelector('button.logout').click(); return true;",
            vec![],
        )
        .expect("sign out");
    browser
        .sign_in("demo", "viewer.lee", "viewer-1234")
        .expect("the viewer signs in");
    browser
        .wait_until("the list for the viewer", WAIT, |b| {
            Ok(result_count(b) == Some(u64::from(held)))
        })
        .expect("the viewer sees every order the browser holds");
    let header = browser
        .execute(
            "return document.querySelector('header').textContent;",
            vec![],
        )
        .expect("read the header");
    let header = header.as_str().unwrap_or_default();
    assert!(
        header.contains("이조회") && header.contains("조회자"),
        "the header names the viewer and the role: {header}"
    );

    // Selecting works (to read and export); acting does not: no bulk bar, and h asks nothing.
    // x acts on the cursor's row: wait for the rows themselves, not only the count (a loaded
    // machine paints them later).
    browser
        .wait_for("table.order-table tbody tr[data-id]", WAIT)
        .expect("the viewer's rows on screen");
    press(browser, "x", false);
    browser
        .wait_until("one selected", WAIT, |b| {
            Ok(b.find_all(".selection-bar strong")?
                .first()
                .map(|e| b.text(e))
                .transpose()?
                .is_some_and(|t| t == "1건 선택"))
        })
        .expect("x selects for the viewer too");
    press(browser, "h", false);
    assert!(
        browser
            .find_all(".bulk-actions, .bulk-panel")
            .expect("look for bulk controls")
            .is_empty(),
        "a viewer sees no bulk action and its key asks nothing"
    );
    browser
        .screenshot(&artifacts().join("orders-viewer.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (조회자)");
}
