//! Templates: validation with the operator's messages, and the JSON the app stores them as.

use jumun_export::{Column, ColumnTemplate, Field, LineSelection, TemplateError, MAX_COLUMNS};

fn template(headers: &[&str]) -> ColumnTemplate {
    ColumnTemplate {
        name: "내 양식".into(),
        columns: headers
            .iter()
            .map(|h| Column::named(h, Field::ProductName))
            .collect(),
        lines: LineSelection::All,
    }
}

#[test]
fn a_template_needs_a_name() {
    let mut t = template(&["상품명"]);
    t.name = "  ".into();
    assert_eq!(t.validate(), Err(TemplateError::EmptyName));
    assert_eq!(
        TemplateError::EmptyName.to_string(),
        "양식 이름을 입력하세요."
    );
}

#[test]
fn a_template_needs_columns_and_at_most_a_sheets_worth() {
    assert_eq!(template(&[]).validate(), Err(TemplateError::NoColumns));
    let headers: Vec<String> = (0..=MAX_COLUMNS).map(|n| format!("열{n}")).collect();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let error = template(&refs).validate().unwrap_err();
    assert_eq!(
        error,
        TemplateError::TooManyColumns {
            count: MAX_COLUMNS + 1
        }
    );
    assert_eq!(
        error.to_string(),
        "열이 16385개입니다. 엑셀 시트에는 16384개까지 넣을 수 있습니다."
    );
    assert_eq!(template(&refs[..MAX_COLUMNS]).validate(), Ok(()));
}

#[test]
fn every_header_is_filled_in_and_distinct() {
    assert_eq!(
        template(&["상품명", " "]).validate(),
        Err(TemplateError::EmptyHeader { position: 2 })
    );
    let error = template(&["수령자", "주소", " 수령자 "])
        .validate()
        .unwrap_err();
    assert_eq!(
        error,
        TemplateError::DuplicateHeader {
            header: "수령자".into(),
            first: 1,
            second: 3
        }
    );
    assert_eq!(
        error.to_string(),
        "1번째 열과 3번째 열의 제목이 똑같이 '수령자'입니다. 열 제목은 서로 달라야 합니다."
    );
    // The same field twice under two headers is fine (some forms repeat the phone).
    let mut t = ColumnTemplate::courier();
    t.columns
        .push(Column::named("연락처2", Field::RecipientPhone));
    assert_eq!(t.validate(), Ok(()));
}

#[test]
fn templates_are_stored_as_this_json() {
    let json = serde_json::to_value(ColumnTemplate::courier()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "name": "택배 송장 양식",
            "columns": [
                {"header": "받는분", "field": "recipient_name"},
                {"header": "받는분 전화번호", "field": "recipient_phone"},
                {"header": "받는분 우편번호", "field": "postcode"},
                {"header": "받는분 주소", "field": "address"},
                {"header": "품목명", "field": "product_and_option"},
                {"header": "수량", "field": "quantity"},
                {"header": "배송메시지", "field": "delivery_memo"},
                {"header": "주문번호", "field": "order_no"}
            ],
            "lines": "shipping"
        })
    );
    for template in ColumnTemplate::builtin() {
        let text = serde_json::to_string(&template).unwrap();
        assert_eq!(
            serde_json::from_str::<ColumnTemplate>(&text).unwrap(),
            template
        );
    }
}

#[test]
fn every_field_has_a_stable_stored_name() {
    // Stored templates name fields by these words: renaming one loses operators' columns.
    let names: Vec<String> = Field::ALL
        .iter()
        .map(|f| {
            serde_json::to_value(f)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "management_no",
            "marketplace",
            "order_no",
            "line_no",
            "product_code",
            "sku",
            "ordered_at",
            "paid_at",
            "registered_at",
            "status",
            "claim_state",
            "hold",
            "product_name",
            "option",
            "product_and_option",
            "quantity",
            "unit_price",
            "option_price",
            "amount",
            "orderer_name",
            "orderer_phone",
            "recipient_name",
            "recipient_phone",
            "recipient_landline",
            "postcode",
            "address",
            "delivery_memo",
            "carrier",
            "tracking_no",
            "invoice_printed_at",
            "shipped_at",
            "delivered_at",
            "confirmed_at",
            "cancelled_at",
            "bundle",
            "memos"
        ]
    );
}

#[test]
fn a_stored_template_without_a_line_selection_exports_every_line() {
    let t: ColumnTemplate = serde_json::from_str(
        r#"{"name":"옛 양식","columns":[{"header":"송장","field":"tracking_no"}]}"#,
    )
    .unwrap();
    assert_eq!(t.lines, LineSelection::All);
    assert!(serde_json::from_str::<ColumnTemplate>(
        r#"{"name":"x","columns":[{"header":"a","field":"no_such_field"}]}"#
    )
    .is_err());
}
