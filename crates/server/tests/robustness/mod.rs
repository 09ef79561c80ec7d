//! Mutations of a recorded marketplace page for the adapters' robustness properties
//! (`tests/adapter_robustness.rs`): what proptest generates ([`mutation`]), how a mutated body is
//! built from the fixture ([`Fixture::mutate`]), and what it must come out as ([`Expect`]).
//!
//! Values that cannot be held in a `serde_json::Value` (nesting 10 000 deep, bytes that are not
//! UTF-8, a lone surrogate escape, numbers past `u64`) are put in as marker strings and spliced
//! into the serialized text, so the test knows every element's exact bytes and their place.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use std::ops::Range;

/// How deep the nesting mutation goes.
const DEEP: usize = 10_000;

/// A value put in place of another.
#[derive(Debug, Clone)]
pub enum Replacement {
    Null,
    Bool(bool),
    Int(i64),
    /// One of [`EDGE_NUMBERS`].
    Edge(Index),
    /// One of [`WORDS`] or [`EDGE_TEXTS`].
    Word(Index),
    Text(String),
    /// `len` characters of `unit` (100 000 and more).
    Huge {
        len: usize,
        unit: char,
    },
    Array(Vec<i64>),
    Object(Vec<(String, String)>),
}

/// Numbers at the edges of the types the wire formats use.
pub const EDGE_NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551615",
    "4294967295",
    "4294967296",
    "255",
    "256",
    "1e300",
    "-1e300",
    "0.5",
    "-0.0",
];

/// The words the adapters look for: statuses, claim types, payment words.
pub const WORDS: &[&str] = &[
    "PAYED",
    "PAYMENT_WAITING",
    "DELIVERING",
    "PURCHASE_DECIDED",
    "CANCELED",
    "CANCEL",
    "ADMIN_CANCEL",
    "RETURN",
    "EXCHANGE",
    "PURCHASE_DECISION_HOLDBACK",
    "PURCHASE_DECISION_REQUEST",
    "CANCEL_REQUEST",
    "CANCEL_DONE",
    "RETURN_REJECT",
    "EXCHANGE_REQUEST",
    "COLLECTING",
    "OK",
    "N00",
    "N10",
    "N20",
    "N40",
    "N50",
    "C00",
    "C40",
    "R10",
    "E11",
    "E50",
    "ACCEPT",
    "INSTRUCT",
    "DEPARTURE",
    "FINAL_DELIVERY",
    "NONE_TRACKING",
    "RELEASE_STOP_UNCHECKED",
    "RETURNS_UNCHECKED",
    "RECEIPT",
    "REJECT",
    "SUCCESS",
    "CUSTOMER",
    "VENDOR",
    "결제완료",
    "입금대기",
    "배송중",
    "구매확정",
    "취소요청",
    "취소요청중",
    "취소거부",
    "반품요청",
    "교환요청",
    "교환철회",
    "교환배송연기안내",
    "paid",
    "bank_transfer",
    "cash",
    "T",
    "F",
];

/// Texts at the edges of what the adapters parse: dates at the calendar's ends (a period added
/// to them overflows), amounts, numbers past `u64`, the exchange-detail arrow, a bcrypt salt.
pub const EDGE_TEXTS: &[&str] = &[
    "2024-03-02T10:00:00+09:00",
    "2024-03-02 10:00:00",
    "2024-03-02",
    "+262142-12-31T23:59:59",
    "+262142-12-31",
    "-262143-01-01T00:00:00",
    "9999-12-31T23:59:59+09:00",
    "2024-02-30T10:00:00",
    "1970-01-01T00:00:00Z",
    "36000.00",
    "-1.5",
    "1e309",
    "18446744073709551616",
    "",
    " ",
    "→",
    "사이즈 교환 → 블랙 / L",
    "\u{FFFD}",
    "$2a$04$abcdefghijklmnopqrstuv",
];

/// A change to one element.
#[derive(Debug, Clone)]
pub enum Change {
    /// The value at a path (the element itself included) replaced.
    Replace { at: Index, with: Replacement },
    /// A number replaced by one of [`EDGE_NUMBERS`] (sums, counts and ids at their limits).
    EdgeNumber { at: Index, edge: Index },
    /// A string replaced by one of [`WORDS`] (the statuses the adapters read, in combinations
    /// the fixtures do not have).
    Word { at: Index, word: Index },
    /// A string replaced by one of [`EDGE_TEXTS`].
    EdgeText { at: Index, text: Index },
    /// A field removed.
    Drop { at: Index },
    /// The element repeated right after itself.
    Duplicate,
    /// The value at a path replaced by arrays (or objects) nested [`DEEP`] levels.
    Deep { at: Index, objects: bool },
    /// Bytes that are not UTF-8 inside a string (the value at the path, or put there).
    BadUtf8 { at: Index, bytes: Vec<u8> },
    /// `\ud800`, a lone surrogate escape, inside a string.
    LoneSurrogate { at: Index },
}

/// What is done to a page.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Changes to one element.
    Element {
        element: Index,
        changes: Vec<Change>,
    },
    /// The body cut after some bytes.
    Truncate { at: Index },
    /// Bytes that are not UTF-8 written over, or into, the body anywhere.
    Damage {
        at: Index,
        bytes: Vec<u8>,
        insert: bool,
    },
    /// The root, an object on the way to the list, or the list replaced.
    Envelope { level: Index, with: Replacement },
}

fn replacement() -> impl Strategy<Value = Replacement> {
    prop_oneof![
        1 => Just(Replacement::Null),
        1 => any::<bool>().prop_map(Replacement::Bool),
        1 => any::<i64>().prop_map(Replacement::Int),
        2 => any::<Index>().prop_map(Replacement::Edge),
        4 => any::<Index>().prop_map(Replacement::Word),
        2 => "[가-힣a-zA-Z0-9 _:./+-]{0,24}".prop_map(Replacement::Text),
        1 => (100_000usize..150_000, prop::sample::select(vec!['가', 'a', '😀']))
            .prop_map(|(len, unit)| Replacement::Huge { len, unit }),
        1 => prop::collection::vec(any::<i64>(), 0..3).prop_map(Replacement::Array),
        // Capitalized keys: never the name of a level of a list's pointer.
        1 => prop::collection::vec(("[A-Z][a-z]{0,7}", "[a-z가-힣]{0,8}"), 0..3).prop_map(Replacement::Object),
    ]
}

fn bad_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        vec![0xFF],
        vec![0xC3],
        vec![0x80],
        vec![0xED, 0xA0, 0x80],
        vec![0xC0, 0x80],
        vec![0xF4, 0x90, 0x80, 0x80],
        vec![0xEA, 0xB0],
    ])
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        8 => (any::<Index>(), replacement()).prop_map(|(at, with)| Change::Replace { at, with }),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, edge)| Change::EdgeNumber { at, edge }),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, word)| Change::Word { at, word }),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, text)| Change::EdgeText { at, text }),
        3 => any::<Index>().prop_map(|at| Change::Drop { at }),
        1 => Just(Change::Duplicate),
        1 => (any::<Index>(), any::<bool>()).prop_map(|(at, objects)| Change::Deep { at, objects }),
        2 => (any::<Index>(), bad_bytes()).prop_map(|(at, bytes)| Change::BadUtf8 { at, bytes }),
        1 => any::<Index>().prop_map(|at| Change::LoneSurrogate { at }),
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        12 => (any::<Index>(), prop::collection::vec(change(), 1..4))
            .prop_map(|(element, changes)| Mutation::Element { element, changes }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<Index>(), bad_bytes(), any::<bool>())
            .prop_map(|(at, bytes, insert)| Mutation::Damage { at, bytes, insert }),
        2 => (any::<Index>(), replacement()).prop_map(|(level, with)| Mutation::Envelope { level, with }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Building the mutated body
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every path in `value`, the value itself first.
fn paths(value: &Value) -> Vec<Vec<Seg>> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < out.len() {
        let path = out[i].clone();
        match get(value, &path) {
            Some(Value::Object(map)) => {
                for key in map.keys() {
                    let mut p = path.clone();
                    p.push(Seg::Key(key.clone()));
                    out.push(p);
                }
            }
            Some(Value::Array(list)) => {
                for n in 0..list.len() {
                    let mut p = path.clone();
                    p.push(Seg::At(n));
                    out.push(p);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn get<'a>(value: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::At(n) => v.get(n),
    })
}

fn get_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k),
        Seg::At(n) => v.get_mut(n),
    })
}

fn pick<T: Clone>(list: &[T], index: &Index) -> Option<T> {
    (!list.is_empty()).then(|| list[index.index(list.len())].clone())
}

/// The replacement as JSON text (edge numbers are written as text: they may not fit a
/// `serde_json::Number`).
fn replacement_text(with: &Replacement) -> String {
    match with {
        Replacement::Null => "null".into(),
        Replacement::Bool(b) => b.to_string(),
        Replacement::Int(n) => n.to_string(),
        Replacement::Edge(i) => pick(EDGE_NUMBERS, i).unwrap_or("0").to_owned(),
        Replacement::Word(i) => {
            let texts: Vec<&str> = WORDS.iter().chain(EDGE_TEXTS).copied().collect();
            Value::from(pick(&texts, i).unwrap_or("")).to_string()
        }
        Replacement::Text(t) => Value::from(t.as_str()).to_string(),
        Replacement::Huge { len, unit } => {
            Value::from(std::iter::repeat_n(*unit, *len).collect::<String>()).to_string()
        }
        Replacement::Array(items) => Value::from(items.clone()).to_string(),
        Replacement::Object(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        )
        .to_string(),
    }
}

/// Text spliced into a serialized element in place of a marker string.
struct Splices(Vec<(String, Vec<u8>)>);

impl Splices {
    /// A fresh marker string for `bytes`; `quoted`: the marker's quotes are replaced too (a
    /// whole value), else only its content (text inside a string).
    fn marker(&mut self, bytes: Vec<u8>, quoted: bool) -> String {
        let marker = format!("\u{1}M{}\u{1}", self.0.len());
        let serialized = Value::from(marker.as_str()).to_string();
        let pattern = if quoted {
            serialized
        } else {
            serialized[1..serialized.len() - 1].to_owned()
        };
        self.0.push((pattern, bytes));
        marker
    }

    fn apply(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        for (pattern, with) in &self.0 {
            bytes = replace_all(&bytes, pattern.as_bytes(), with);
        }
        bytes
    }
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// Replaces one of `element`'s strings (picked from `all` its paths by `at`) with one of `texts`.
fn replace_string(
    element: &mut Value,
    all: Vec<Vec<Seg>>,
    at: &Index,
    texts: &[&str],
    which: &Index,
) {
    let strings: Vec<Vec<Seg>> = all
        .into_iter()
        .filter(|p| get(element, p).is_some_and(Value::is_string))
        .collect();
    if let (Some(path), Some(text)) = (pick(&strings, at), pick(texts, which)) {
        if let Some(target) = get_mut(element, &path) {
            *target = Value::from(text);
        }
    }
}

/// Puts `marker` inside the string at `path` (at a character boundary), or in place of the
/// value there when it is not a string.
fn put_inside_string(element: &mut Value, path: &[Seg], marker: &str) {
    if let Some(target) = get_mut(element, path) {
        *target = match target.as_str() {
            Some(text) => {
                let middle = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(text.chars().count() / 2)
                    .unwrap_or(text.len());
                Value::from(format!("{}{marker}{}", &text[..middle], &text[middle..]))
            }
            None => Value::from(marker),
        };
    }
}

/// One element of the mutated page: its text, and the unmutated element it still is.
#[derive(Debug, Clone)]
pub struct ModelElement {
    /// Its bytes in the body.
    pub text: Vec<u8>,
    /// The index of the unmutated element it still is; `None` when the mutation touched it.
    pub untouched: Option<usize>,
}

/// What a mutated page must come out as.
#[derive(Debug)]
pub enum Expect {
    /// A page of these elements.
    Page(Vec<ModelElement>),
    /// Bytes written into the body. When they left it not UTF-8: outside every element, the
    /// whole body refused; inside one, a page where that element is kept as not UTF-8, or (the
    /// bytes broke its syntax) the body refused. When they happen to make UTF-8 (the start of a
    /// Korean character over another's): a page or the body refused.
    Damaged {
        elements: Vec<ModelElement>,
        hit: Option<usize>,
        not_utf8: bool,
    },
    /// The whole body refused.
    Refused,
}

/// The fixture page, its list taken out.
pub struct Fixture {
    envelope: Value,
    /// The elements of its list.
    pub elements: Vec<Value>,
    list: Vec<String>,
}

impl Fixture {
    pub fn load(name: &str, pointer: &str) -> Self {
        let path = format!(
            "{}/tests/fixtures/marketplaces/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut envelope: Value = serde_json::from_str(&text).expect("fixture JSON");
        let elements = match envelope.pointer_mut(pointer).map(Value::take) {
            Some(Value::Array(list)) => list,
            other => panic!("{name}: no list at {pointer}: {other:?}"),
        };
        let list = pointer.split('/').skip(1).map(str::to_owned).collect();
        Self {
            envelope,
            elements,
            list,
        }
    }

    /// The body with `elements` as the list (`envelope` replaced at `level` by `with`, when
    /// given), and each element's byte range in it.
    pub fn body(
        &self,
        elements: &[Vec<u8>],
        envelope: Option<(usize, &str)>,
    ) -> (Vec<u8>, Vec<Range<usize>>) {
        const LIST: &str = "\u{1}LIST\u{1}";
        let mut root = self.envelope.clone();
        let (parent, last) = self.list.split_at(self.list.len() - 1);
        let mut at = &mut root;
        for key in parent {
            at = at
                .get_mut(key)
                .expect("the fixture has the objects on the way");
        }
        at[&last[0]] = Value::from(LIST);
        let mut splices = Splices(Vec::new());
        if let Some((level, with)) = envelope {
            // Level 0 is the root, then each object on the way, the list last.
            let path: Vec<Seg> = self.list[..level].iter().cloned().map(Seg::Key).collect();
            let marker = splices.marker(with.as_bytes().to_vec(), true);
            *get_mut(&mut root, &path).expect("a level of the pointer") = Value::from(marker);
        }
        let text = root.to_string();
        let list_marker = Value::from(LIST).to_string();
        let Some(start) = text.find(&list_marker) else {
            // The list itself was replaced.
            return (splices.apply(text.into_bytes()), Vec::new());
        };
        let mut body = text.as_bytes()[..start].to_vec();
        body.push(b'[');
        let mut spans = Vec::new();
        for (i, element) in elements.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            spans.push(body.len()..body.len() + element.len());
            body.extend_from_slice(element);
        }
        body.push(b']');
        body.extend_from_slice(&text.as_bytes()[start + list_marker.len()..]);
        (splices.apply(body), spans)
    }

    pub fn texts(&self) -> Vec<Vec<u8>> {
        self.elements
            .iter()
            .map(|e| e.to_string().into_bytes())
            .collect()
    }

    /// Applies `mutation`: the body and what it must come out as.
    pub fn mutate(&self, mutation: &Mutation) -> (Vec<u8>, Expect) {
        let unmutated: Vec<ModelElement> = self
            .texts()
            .into_iter()
            .enumerate()
            .map(|(i, text)| ModelElement {
                text,
                untouched: Some(i),
            })
            .collect();
        match mutation {
            Mutation::Element { element, changes } => {
                let Some(j) = pick(&(0..self.elements.len()).collect::<Vec<_>>(), element) else {
                    let (body, _) = self.body(&[], None);
                    return (body, Expect::Page(Vec::new()));
                };
                let mut model = unmutated;
                model.splice(
                    j..=j,
                    self.change(j, changes)
                        .into_iter()
                        .map(|text| ModelElement {
                            text,
                            untouched: None,
                        }),
                );
                let texts: Vec<Vec<u8>> = model.iter().map(|m| m.text.clone()).collect();
                let (body, _) = self.body(&texts, None);
                (body, Expect::Page(model))
            }
            Mutation::Truncate { at } => {
                let (body, _) = self.body(&self.texts(), None);
                let cut = at.index(body.len());
                (body[..cut].to_vec(), Expect::Refused)
            }
            Mutation::Damage { at, bytes, insert } => {
                let (mut body, spans) = self.body(&self.texts(), None);
                let p = at.index(body.len());
                let end = if *insert {
                    p
                } else {
                    (p + bytes.len()).min(body.len())
                };
                body.splice(p..end, bytes.iter().copied());
                // The element whose bytes hold all the damage: written over within it, or
                // inserted strictly inside it. Only its text changes.
                let hit = spans.iter().position(|s| {
                    if *insert {
                        s.start < p && p < s.end
                    } else {
                        s.start <= p && end <= s.end
                    }
                });
                let mut elements = unmutated;
                if let Some(h) = hit {
                    let grown = spans[h].end + bytes.len() - (end - p);
                    elements[h] = ModelElement {
                        text: body[spans[h].start..grown].to_vec(),
                        untouched: None,
                    };
                }
                let not_utf8 = std::str::from_utf8(&body).is_err();
                (
                    body,
                    Expect::Damaged {
                        elements,
                        hit,
                        not_utf8,
                    },
                )
            }
            Mutation::Envelope { level, with } => {
                let levels = self.list.len() + 1;
                let level = level.index(levels);
                let text = replacement_text(with);
                let (body, spans) = self.body(&self.texts(), Some((level, &text)));
                debug_assert!(spans.is_empty());
                let is_list = level == self.list.len();
                let expect = match with {
                    Replacement::Null => Expect::Page(Vec::new()),
                    Replacement::Object(_) if !is_list => Expect::Page(Vec::new()),
                    Replacement::Array(items) if is_list => Expect::Page(
                        items
                            .iter()
                            .map(|n| ModelElement {
                                text: n.to_string().into_bytes(),
                                untouched: None,
                            })
                            .collect(),
                    ),
                    _ => Expect::Refused,
                };
                (body, expect)
            }
        }
    }

    /// The texts element `j` becomes (more than one when it is duplicated).
    fn change(&self, j: usize, changes: &[Change]) -> Vec<Vec<u8>> {
        let mut element = self.elements[j].clone();
        let mut splices = Splices(Vec::new());
        let mut copies = 1;
        for change in changes {
            let all = paths(&element);
            match change {
                Change::Replace { at, with } => {
                    let path = pick(&all, at).unwrap_or_default();
                    let marker = splices.marker(replacement_text(with).into_bytes(), true);
                    if let Some(target) = get_mut(&mut element, &path) {
                        *target = Value::from(marker);
                    }
                }
                Change::EdgeNumber { at, edge } => {
                    let numbers: Vec<Vec<Seg>> = all
                        .into_iter()
                        .filter(|p| get(&element, p).is_some_and(Value::is_number))
                        .collect();
                    if let Some(path) = pick(&numbers, at) {
                        let text = replacement_text(&Replacement::Edge(*edge));
                        let marker = splices.marker(text.into_bytes(), true);
                        if let Some(target) = get_mut(&mut element, &path) {
                            *target = Value::from(marker);
                        }
                    }
                }
                Change::Word { at, word } => replace_string(&mut element, all, at, WORDS, word),
                Change::EdgeText { at, text } => {
                    replace_string(&mut element, all, at, EDGE_TEXTS, text)
                }
                Change::Drop { at } => {
                    let fields: Vec<Vec<Seg>> = all
                        .into_iter()
                        .filter(|p| matches!(p.last(), Some(Seg::Key(_))))
                        .collect();
                    if let Some(mut path) = pick(&fields, at) {
                        if let Some(Seg::Key(key)) = path.pop() {
                            if let Some(Value::Object(map)) = get_mut(&mut element, &path) {
                                map.remove(&key);
                            }
                        }
                    }
                }
                Change::Duplicate => copies += 1,
                Change::Deep { at, objects } => {
                    let path = pick(&all, at).unwrap_or_default();
                    let deep = if *objects {
                        format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP))
                    } else {
                        format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP))
                    };
                    let marker = splices.marker(deep.into_bytes(), true);
                    if let Some(target) = get_mut(&mut element, &path) {
                        *target = Value::from(marker);
                    }
                }
                Change::BadUtf8 { at, bytes } => {
                    let path = pick(&all, at).unwrap_or_default();
                    let marker = splices.marker(bytes.clone(), false);
                    put_inside_string(&mut element, &path, &marker);
                }
                Change::LoneSurrogate { at } => {
                    let path = pick(&all, at).unwrap_or_default();
                    let marker = splices.marker(br"\ud800".to_vec(), false);
                    put_inside_string(&mut element, &path, &marker);
                }
            }
        }
        vec![splices.apply(element.to_string().into_bytes()); copies]
    }
}
