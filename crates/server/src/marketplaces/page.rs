//! The adapters' page parser: a marketplace's answer, as bytes, cut into the elements of its list.
//!
//! Any bytes go in and nothing panics. A body comes out either as a [`Page`] — every element of
//! its list either parsed ([`Element`]) or kept as a [`MalformedPayload`] with its raw JSON and
//! why, so `elements + malformed` is the length of the list — or, when no element can be cut out
//! of it (not JSON, no object where the envelope has one, no list where the list must be), as
//! [`AdapterError::Malformed`] with the whole body.
//!
//! Elements are cut out as raw JSON before they are parsed, so one element that is broken in
//! any way a JSON parser can still step over — another type, a missing field, nesting deeper
//! than serde's limit of 128 levels, bytes that are not UTF-8 inside its strings — costs only that
//! element. A body that is not UTF-8 is read with U+FFFD for the bad bytes: an element holding
//! one is kept as malformed rather than collected with altered text, and one outside the
//! elements (where the next page's token is) fails the page.

use super::error::{AdapterError, BodyProblem, ElementError};
use super::{Collected, MalformedPayload};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One element of a page's list in the documented shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Element<W> {
    /// The request and the element's JSON path: `GET https://…/orders?… $.orders[3]`.
    pub at: String,
    /// The element's JSON exactly as the marketplace sent it.
    pub raw: String,
    /// The element, parsed.
    pub wire: W,
}

impl<W> Element<W> {
    /// This element, kept as malformed because of `error`.
    pub fn malformed(&self, error: ElementError) -> MalformedPayload {
        MalformedPayload {
            raw: self.raw.clone(),
            error: error.to_string(),
            at_path: self.at.clone(),
        }
    }
}

/// Elements that make one item together (the product orders or sheets of one order), kept as
/// one malformed payload: their raw JSON as one list, their paths joined with `, ` (a group of one
/// is kept like a single element).
pub fn malformed_group<W>(elements: &[Element<W>], error: ElementError) -> MalformedPayload {
    if let [one] = elements {
        return one.malformed(error);
    }
    let raws: Vec<&str> = elements.iter().map(|e| e.raw.as_str()).collect();
    let paths: Vec<&str> = elements.iter().map(|e| e.at.as_str()).collect();
    MalformedPayload {
        raw: format!("[{}]", raws.join(",")),
        error: error.to_string(),
        at_path: paths.join(", "),
    }
}

/// Normalizes each element on its own into items (none, one or several: the claims of an order);
/// an element that cannot be used goes to `out.malformed` with its raw JSON.
pub(crate) fn collect_each<W, T, I: IntoIterator<Item = T>>(
    elements: Vec<Element<W>>,
    mut normalize: impl FnMut(&W) -> Result<I, ElementError>,
    out: &mut Collected<T>,
) {
    for element in elements {
        match normalize(&element.wire) {
            Ok(items) => out.items.extend(items),
            Err(e) => out.malformed.push(element.malformed(e)),
        }
    }
}

/// Normalizes elements that make one item together (the product orders or sheets of one order):
/// grouped by `key`, groups in first-seen order; a group that cannot be used goes to
/// `out.malformed` as one payload ([`malformed_group`]).
pub(crate) fn collect_groups<W: Clone, K: PartialEq, T>(
    elements: Vec<Element<W>>,
    key: impl Fn(&W) -> K,
    normalize: impl Fn(&[W]) -> Result<T, ElementError>,
    out: &mut Collected<T>,
) {
    let mut groups: Vec<(K, Vec<Element<W>>)> = Vec::new();
    for element in elements {
        let k = key(&element.wire);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, group)) => group.push(element),
            None => groups.push((k, vec![element])),
        }
    }
    for (_, group) in groups {
        let wires: Vec<W> = group.iter().map(|e| e.wire.clone()).collect();
        match normalize(&wires) {
            Ok(item) => out.items.push(item),
            Err(e) => out.malformed.push(malformed_group(&group, e)),
        }
    }
}

/// A page of a marketplace's list, cut into its elements.
#[derive(Debug, Clone)]
pub struct Page<W> {
    /// The answer without its list: where the next page's token, `more` or cursor is.
    pub envelope: Value,
    /// The elements in the documented shape, in page order.
    pub elements: Vec<Element<W>>,
    /// The other elements, each with its raw JSON and why.
    pub malformed: Vec<MalformedPayload>,
}

impl<W> Page<W> {
    /// How many elements the page's list has.
    pub fn len(&self) -> usize {
        self.elements.len() + self.malformed.len()
    }

    /// Whether the page's list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads `body`, the answer to the request `at` (`GET https://…`), and cuts the list at the JSON
/// pointer `list` (`/orders`, `/data`, `/data/lastChangeStatuses`) into elements of type `W`.
/// A missing or `null` list (or a missing or `null` object on the way to it, the body included)
/// is empty.
pub fn read_page<W: DeserializeOwned>(
    body: &[u8],
    list: &str,
    at: &str,
) -> Result<Page<W>, AdapterError> {
    let (text, not_utf8) = match std::str::from_utf8(body) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (String::from_utf8_lossy(body), true),
    };
    let fail = |problem| AdapterError::Malformed {
        at: at.to_owned(),
        problem,
        raw: text.clone().into_owned(),
    };
    // The syntax first, so a body that is not JSON says so rather than "not an object".
    let top: &RawValue = serde_json::from_str(&text)
        .map_err(|source| fail(BodyProblem::NotJson { source, not_utf8 }))?;
    let segments: Vec<&str> = list.split('/').skip(1).collect();
    let path = segments
        .iter()
        .fold("$".to_owned(), |path, segment| format!("{path}.{segment}"));
    let (envelope, items) = cut(top, &segments, "$").map_err(fail)?;
    if not_utf8 && envelope.to_string().contains(char::REPLACEMENT_CHARACTER) {
        return Err(fail(BodyProblem::NotUtf8));
    }
    let mut page = Page {
        envelope,
        elements: Vec::with_capacity(items.len()),
        malformed: Vec::new(),
    };
    for (i, raw) in items.into_iter().enumerate() {
        let at = format!("{at} {path}[{i}]");
        let raw = raw.get();
        let parsed = if not_utf8 && raw.contains(char::REPLACEMENT_CHARACTER) {
            Err(ElementError::NotUtf8)
        } else {
            serde_json::from_str::<W>(raw).map_err(ElementError::Shape)
        };
        match parsed {
            Ok(wire) => page.elements.push(Element {
                at,
                raw: raw.to_owned(),
                wire,
            }),
            Err(error) => page.malformed.push(MalformedPayload {
                raw: raw.to_owned(),
                error: error.to_string(),
                at_path: at,
            }),
        }
    }
    Ok(page)
}

/// Walks `segments` down from the object `raw` (at JSON path `path`): the rest of the object as
/// a [`Value`], and the raw elements of the list.
fn cut<'a>(
    raw: &'a RawValue,
    segments: &[&str],
    path: &str,
) -> Result<(Value, Vec<&'a RawValue>), BodyProblem> {
    if is_null(raw) {
        return Ok((Value::Null, Vec::new()));
    }
    let members: BTreeMap<String, &'a RawValue> =
        serde_json::from_str(raw.get()).map_err(|_| BodyProblem::NotAnObject {
            path: path.to_owned(),
        })?;
    let Some((first, rest)) = segments.split_first() else {
        // An empty pointer names no list: the whole body is the envelope.
        return Ok((to_value(raw)?, Vec::new()));
    };
    let inner_path = format!("{path}.{first}");
    let mut envelope = Map::new();
    let mut items = Vec::new();
    for (key, value) in members {
        if key != *first {
            envelope.insert(key, to_value(value)?);
        } else if rest.is_empty() {
            items = serde_json::from_str::<Option<Vec<_>>>(value.get())
                .map_err(|_| BodyProblem::NotAList {
                    path: inner_path.clone(),
                })?
                .unwrap_or_default();
        } else {
            let (inner, inner_items) = cut(value, rest, &inner_path)?;
            envelope.insert(key, inner);
            items = inner_items;
        }
    }
    Ok((Value::Object(envelope), items))
}

fn is_null(raw: &RawValue) -> bool {
    raw.get().trim() == "null"
}

fn to_value(raw: &RawValue) -> Result<Value, BodyProblem> {
    serde_json::from_str(raw.get()).map_err(|source| BodyProblem::NotJson {
        source,
        not_utf8: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: u32,
        name: String,
    }

    fn read(body: &[u8]) -> Result<Page<Item>, AdapterError> {
        read_page(body, "/data/items", "GET /x")
    }

    #[test]
    fn every_element_is_parsed_or_kept_with_its_raw_json() {
        let body = r#"{"data":{"items":[{"id":1,"name":"셔츠"},{"id":"two","name":"양말"},{"name":"모자"}],"more":{"from":"b"}},"next":1}"#;
        let page = read(body.as_bytes()).unwrap();
        assert_eq!(page.len(), 3);
        assert_eq!(
            page.elements[0].wire,
            Item {
                id: 1,
                name: "셔츠".into()
            }
        );
        assert_eq!(page.elements[0].raw, r#"{"id":1,"name":"셔츠"}"#);
        assert_eq!(page.elements[0].at, "GET /x $.data.items[0]");
        assert_eq!(page.malformed[0].raw, r#"{"id":"two","name":"양말"}"#);
        assert_eq!(page.malformed[0].at_path, "GET /x $.data.items[1]");
        assert!(page.malformed[1].error.contains("missing field `id`"));
        assert_eq!(page.envelope["data"]["more"]["from"], "b");
        assert_eq!(page.envelope["next"], 1);
        assert!(page.envelope["data"].get("items").is_none());
    }

    #[test]
    fn deep_nesting_and_bad_utf8_cost_only_their_element() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let mut body = format!(
            r#"{{"data":{{"items":[{{"id":1,"name":{deep}}},{{"id":2,"name":"X"}},{{"id":3,"name":"ok","extra":{deep}}}]}}}}"#
        )
        .into_bytes();
        let x = body.iter().position(|b| *b == b'X').unwrap();
        body[x] = 0xFF;
        let page = read(&body).unwrap();
        assert_eq!(page.len(), 3);
        assert_eq!(page.malformed[0].at_path, "GET /x $.data.items[0]");
        assert!(page.malformed[0].raw.ends_with("]]]}"));
        assert!(page.malformed[1].error.contains("not UTF-8"));
        assert!(page.malformed[1].raw.contains('\u{FFFD}'));
        // Nesting in a field the adapter does not read is stepped over.
        assert_eq!(page.elements.len(), 1);
        assert_eq!(page.elements[0].wire.id, 3);
    }

    #[test]
    fn a_body_without_the_envelope_fails_whole_with_its_raw_body() {
        let problem = |body: &[u8]| match read(body) {
            Err(AdapterError::Malformed { problem, raw, .. }) => {
                assert_eq!(raw, String::from_utf8_lossy(body));
                problem.to_string()
            }
            other => panic!("expected Malformed, got {other:?}"),
        };
        assert!(problem(b"<html>502</html>").starts_with("not JSON"));
        assert!(problem(br#"{"data":{"items":[{"id":1,"#).starts_with("not JSON"));
        assert_eq!(problem(b"[1,2]"), "$ is not a JSON object");
        assert_eq!(problem(br#"{"data":7}"#), "$.data is not a JSON object");
        assert_eq!(
            problem(br#"{"data":{"items":"many"}}"#),
            "$.data.items is not a list"
        );
        assert!(problem(b"{\"data\":{\"items\":[]},\"next\":\"\xFF\"}").contains("not UTF-8"));
        assert!(problem(b"{\"data\":\xFF}").contains("not UTF-8"));
    }

    #[test]
    fn a_missing_or_null_list_is_empty() {
        for body in [
            &b"null"[..],
            br#"{}"#,
            br#"{"data":null}"#,
            br#"{"data":{}}"#,
            br#"{"data":{"items":null}}"#,
        ] {
            let page = read(body).unwrap();
            assert!(page.is_empty(), "{}", String::from_utf8_lossy(body));
        }
    }
}
