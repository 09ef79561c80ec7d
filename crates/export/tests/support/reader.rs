//! A small, strict reader of what the writers produce, independent of the crate's code: a zip
//! reader that checks the local headers against the central directory and every CRC, an XML
//! parser that refuses malformed documents and characters XML 1.0 forbids, and a SpreadsheetML
//! reader that resolves each cell's type and number format.

use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// zip

/// CRC-32 bit by bit (the crate uses a table).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// The archive's entries by name, in the central directory's order, after checking that the
/// end record, the central directory and each local header agree, that the entries lie end to
/// end without gaps or overlaps, and that every entry inflates to its size and CRC.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    // The end record, with no comment: the last 22 bytes.
    assert!(bytes.len() >= 22, "too short for a zip");
    let end = bytes.len() - 22;
    assert_eq!(
        u32_at(bytes, end),
        0x0605_4B50,
        "no end of central directory record"
    );
    assert_eq!(u16_at(bytes, end + 4), 0, "disk number");
    assert_eq!(u16_at(bytes, end + 6), 0, "central directory disk");
    let count = u16_at(bytes, end + 8);
    assert_eq!(
        u16_at(bytes, end + 10),
        count,
        "entries on this disk = total"
    );
    let cd_size = u32_at(bytes, end + 12) as usize;
    let cd_start = u32_at(bytes, end + 16) as usize;
    assert_eq!(u16_at(bytes, end + 20), 0, "comment length");
    assert_eq!(
        cd_start + cd_size,
        end,
        "central directory ends at the end record"
    );

    let mut entries = Vec::new();
    let mut at = cd_start;
    let mut next_local = 0;
    for _ in 0..count {
        assert_eq!(u32_at(bytes, at), 0x0201_4B50, "central header signature");
        let flags = u16_at(bytes, at + 8);
        let method = u16_at(bytes, at + 10);
        let time = u16_at(bytes, at + 12);
        let date = u16_at(bytes, at + 14);
        let crc = u32_at(bytes, at + 16);
        let compressed = u32_at(bytes, at + 20) as usize;
        let size = u32_at(bytes, at + 24) as usize;
        let name_len = u16_at(bytes, at + 28) as usize;
        let extra_len = u16_at(bytes, at + 30) as usize;
        let comment_len = u16_at(bytes, at + 32) as usize;
        let local = u32_at(bytes, at + 42) as usize;
        let name = std::str::from_utf8(&bytes[at + 46..at + 46 + name_len])
            .unwrap()
            .to_owned();
        at += 46 + name_len + extra_len + comment_len;

        assert_eq!(local, next_local, "{name}: entries lie end to end");
        assert_eq!(
            u32_at(bytes, local),
            0x0403_4B50,
            "{name}: local header signature"
        );
        assert_eq!(u16_at(bytes, local + 6), flags, "{name}: flags");
        assert_eq!(flags & 0x0008, 0, "{name}: no data descriptor");
        assert_eq!(u16_at(bytes, local + 8), method, "{name}: method");
        assert_eq!(u16_at(bytes, local + 10), time, "{name}: time");
        assert_eq!(u16_at(bytes, local + 12), date, "{name}: date");
        assert_eq!(u32_at(bytes, local + 14), crc, "{name}: crc");
        assert_eq!(
            u32_at(bytes, local + 18) as usize,
            compressed,
            "{name}: compressed size"
        );
        assert_eq!(u32_at(bytes, local + 22) as usize, size, "{name}: size");
        let local_name_len = u16_at(bytes, local + 26) as usize;
        let local_extra_len = u16_at(bytes, local + 28) as usize;
        assert_eq!(
            &bytes[local + 30..local + 30 + local_name_len],
            name.as_bytes(),
            "local name"
        );
        let data_start = local + 30 + local_name_len + local_extra_len;
        let data = &bytes[data_start..data_start + compressed];
        next_local = data_start + compressed;
        let content = match method {
            0 => data.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec(data)
                .unwrap_or_else(|e| panic!("{name}: does not inflate: {e:?}")),
            other => panic!("{name}: method {other}"),
        };
        assert_eq!(content.len(), size, "{name}: inflated size");
        assert_eq!(crc32(&content), crc, "{name}: CRC");
        assert!(
            !entries.iter().any(|(seen, _)| *seen == name),
            "{name} twice"
        );
        entries.push((name, content));
    }
    assert_eq!(
        next_local, cd_start,
        "the central directory follows the last entry"
    );
    assert_eq!(
        at, end,
        "the central directory holds exactly {count} entries"
    );
    entries
}

// ---------------------------------------------------------------------------------------------
// XML

/// An element: name, attributes in document order, children.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn all(&self, name: &str) -> Vec<&Element> {
        self.elements().filter(|e| e.name == name).collect()
    }

    /// The element's text, children's included.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for node in &self.children {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
            }
        }
        out
    }
}

/// XML 1.0's `Char` production.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Parses a document: an optional declaration, one root element, nothing after it.
pub fn parse_xml(bytes: &[u8]) -> Element {
    let text = std::str::from_utf8(bytes).expect("XML is UTF-8");
    if let Some(bad) = text.chars().find(|c| !is_xml_char(*c)) {
        panic!("XML 1.0 forbids {bad:?}");
    }
    // XML's end-of-line handling, before parsing: a literal CR (alone or before LF) is LF.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut p = Parser { s: &text, pos: 0 };
    if p.rest().starts_with("<?xml") {
        let end = p.rest().find("?>").expect("declaration ends");
        p.pos += end + 2;
    }
    p.skip_ws();
    let root = p.element();
    p.skip_ws();
    assert_eq!(p.pos, text.len(), "nothing after the root element");
    root
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t', '\n']);
        self.pos = self.s.len() - trimmed.len();
    }

    fn name(&mut self) -> String {
        let end = self
            .rest()
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>' || c == '=')
            .expect("name ends");
        assert!(end > 0, "empty name at {}", self.pos);
        let name = self.rest()[..end].to_owned();
        self.pos += end;
        name
    }

    fn expect(&mut self, token: &str) {
        assert!(
            self.rest().starts_with(token),
            "expected {token:?} at {}: {:?}",
            self.pos,
            &self.rest()[..self.rest().len().min(40)]
        );
        self.pos += token.len();
    }

    fn element(&mut self) -> Element {
        self.expect("<");
        let name = self.name();
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.pos += 2;
                return Element {
                    name,
                    attrs,
                    children: Vec::new(),
                };
            }
            if self.rest().starts_with('>') {
                self.pos += 1;
                break;
            }
            let attr = self.name();
            self.skip_ws();
            self.expect("=");
            self.skip_ws();
            let quote = self.rest().chars().next().expect("attribute value");
            assert!(quote == '"' || quote == '\'', "quoted attribute value");
            self.pos += 1;
            let end = self.rest().find(quote).expect("attribute value ends");
            let raw = &self.rest()[..end];
            assert!(!raw.contains('<'), "'<' in an attribute value");
            // Attribute-value normalisation: literal white space becomes a space.
            let value = decode(&raw.replace(['\t', '\n'], " "));
            self.pos += end + 1;
            assert!(
                !attrs.iter().any(|(n, _)| *n == attr),
                "attribute {attr} twice on <{name}>"
            );
            attrs.push((attr, value));
        }
        let mut children = Vec::new();
        loop {
            if self.rest().starts_with("</") {
                self.pos += 2;
                let end = self.name();
                assert_eq!(end, name, "end tag matches");
                self.skip_ws();
                self.expect(">");
                return Element {
                    name,
                    attrs,
                    children,
                };
            }
            if self.rest().starts_with('<') {
                children.push(Node::Element(self.element()));
                continue;
            }
            let end = self.rest().find('<').expect("element ends");
            let raw = &self.rest()[..end];
            assert!(!raw.contains("]]>"), "']]>' in text");
            children.push(Node::Text(decode(raw)));
            self.pos += end;
        }
    }
}

/// Replaces XML's five entities and character references.
fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';').expect("entity ends") + amp;
        let entity = &rest[amp + 1..semi];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).unwrap()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().unwrap()
                } else {
                    panic!("unknown entity &{entity};")
                };
                let c = char::from_u32(code).expect("a character");
                assert!(is_xml_char(c), "reference to a forbidden character {code}");
                out.push(c);
            }
        }
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// SpreadsheetML

/// The order of CT_Worksheet's children (ECMA-376 part 1, 18.3.1.99).
pub const WORKSHEET_ORDER: &[&str] = &[
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
];

/// How a cell is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    /// A string (inline or shared).
    Text,
    /// A number.
    Number,
}

/// One cell as Excel would read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: String,
    pub cell_type: CellType,
    /// The number format of its style.
    pub num_fmt: u32,
    /// Its style's font is bold.
    pub bold: bool,
    /// Its style wraps text.
    pub wrapped: bool,
}

/// A workbook, read.
pub struct Workbook {
    pub parts: BTreeMap<String, Vec<u8>>,
    pub part_order: Vec<String>,
    pub sheet_name: String,
    pub workbook: Element,
    pub sheet: Element,
    /// Custom number formats by id.
    pub num_fmts: BTreeMap<u32, String>,
    /// Cells by (row, column), both 1-based.
    pub cells: BTreeMap<(usize, usize), Cell>,
    /// The last row number.
    pub last_row: usize,
}

/// Excel's `_xHHHH_` escape in strings, decoded as Excel does.
pub fn excel_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let b = candidate.as_bytes();
        if b.len() >= 7 && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_' {
            let code = u32::from_str_radix(&candidate[2..6], 16).unwrap();
            out.push(char::from_u32(code).unwrap());
            rest = &candidate[7..];
        } else {
            out.push_str("_x");
            rest = &candidate[2..];
        }
    }
    out.push_str(rest);
    out
}

/// `B12` → (12, 2).
pub fn cell_ref(reference: &str) -> (usize, usize) {
    let split = reference.find(|c: char| c.is_ascii_digit()).unwrap();
    let col = reference[..split]
        .bytes()
        .fold(0, |n, b| n * 26 + usize::from(b - b'A' + 1));
    (reference[split..].parse().unwrap(), col)
}

/// Reads the workbook the way a spreadsheet does, checking its structure on the way.
pub fn read_xlsx(bytes: &[u8]) -> Workbook {
    let entries = unzip(bytes);
    let part_order: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    let parts: BTreeMap<String, Vec<u8>> = entries.into_iter().collect();
    assert!(
        !parts.contains_key("mimetype"),
        "an xlsx has no mimetype entry"
    );
    let part = |name: &str| -> Element {
        parse_xml(
            parts
                .get(name)
                .unwrap_or_else(|| panic!("missing part {name}")),
        )
    };

    // Every part has a content type; every override names a part.
    let types = part("[Content_Types].xml");
    for name in parts.keys().filter(|n| *n != "[Content_Types].xml") {
        let overridden = types
            .all("Override")
            .iter()
            .any(|o| o.attr("PartName") == Some(&format!("/{name}")));
        let extension = name.rsplit('.').next().unwrap();
        let by_default = types
            .all("Default")
            .iter()
            .any(|d| d.attr("Extension") == Some(extension));
        assert!(overridden || by_default, "{name} has no content type");
    }
    for o in types.all("Override") {
        let name = o.attr("PartName").unwrap().trim_start_matches('/');
        assert!(parts.contains_key(name), "override for missing part {name}");
    }

    // The package points at the workbook, the workbook at its sheet and styles.
    let root_rels = part("_rels/.rels");
    for rel in root_rels.all("Relationship") {
        let target = rel.attr("Target").unwrap();
        assert!(
            parts.contains_key(target),
            "root relationship to missing {target}"
        );
    }
    let office = root_rels
        .all("Relationship")
        .into_iter()
        .find(|r| r.attr("Type").unwrap().ends_with("/officeDocument"))
        .expect("an officeDocument relationship");
    assert_eq!(office.attr("Target"), Some("xl/workbook.xml"));
    let workbook = part("xl/workbook.xml");
    let wb_rels = part("xl/_rels/workbook.xml.rels");
    let target_of = |kind: &str| -> String {
        let rel = wb_rels
            .all("Relationship")
            .into_iter()
            .find(|r| r.attr("Type").unwrap().ends_with(kind))
            .unwrap_or_else(|| panic!("no {kind} relationship"));
        format!("xl/{}", rel.attr("Target").unwrap())
    };
    let sheets = workbook.child("sheets").expect("sheets");
    let sheet_entry = sheets.all("sheet");
    assert_eq!(sheet_entry.len(), 1);
    let sheet_name = sheet_entry[0].attr("name").unwrap().to_owned();
    let rid = sheet_entry[0].attr("r:id").unwrap();
    let sheet_target = wb_rels
        .all("Relationship")
        .into_iter()
        .find(|r| r.attr("Id") == Some(rid))
        .map(|r| format!("xl/{}", r.attr("Target").unwrap()))
        .expect("the sheet's relationship");
    let sheet = part(&sheet_target);
    let styles = part(&target_of("/styles"));

    // Styles: each cellXfs entry's number format, font and alignment.
    let num_fmts: BTreeMap<u32, String> = styles
        .child("numFmts")
        .map(|f| {
            f.all("numFmt")
                .iter()
                .map(|n| {
                    (
                        n.attr("numFmtId").unwrap().parse().unwrap(),
                        n.attr("formatCode").unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let fonts = styles.child("fonts").unwrap().all("font");
    let xfs: Vec<(u32, bool, bool)> = styles
        .child("cellXfs")
        .unwrap()
        .all("xf")
        .iter()
        .map(|xf| {
            let font: usize = xf.attr("fontId").unwrap().parse().unwrap();
            let wrapped = xf
                .child("alignment")
                .and_then(|a| a.attr("wrapText"))
                .is_some_and(|w| w == "1");
            (
                xf.attr("numFmtId").unwrap().parse().unwrap(),
                fonts[font].child("b").is_some(),
                wrapped,
            )
        })
        .collect();
    for (id, _, _) in &xfs {
        assert!(
            *id < 164 || num_fmts.contains_key(id),
            "number format {id} is not defined"
        );
    }
    let shared: Vec<String> = parts
        .get("xl/sharedStrings.xml")
        .map(|bytes| {
            parse_xml(bytes)
                .all("si")
                .iter()
                .map(|si| excel_unescape(&si.text()))
                .collect()
        })
        .unwrap_or_default();

    // The sheet: its children in the schema's order, then every cell.
    let mut last = None;
    for child in sheet.elements() {
        let at = WORKSHEET_ORDER
            .iter()
            .position(|n| *n == child.name)
            .unwrap_or_else(|| panic!("<{}> is not a worksheet child", child.name));
        assert!(
            last.is_none_or(|l| l < at),
            "<{}> is out of order",
            child.name
        );
        last = Some(at);
    }
    let mut cells = BTreeMap::new();
    let mut last_row = 0;
    for row in sheet.child("sheetData").expect("sheetData").all("row") {
        let r: usize = row.attr("r").unwrap().parse().unwrap();
        assert!(r > last_row, "rows in ascending order");
        last_row = r;
        let mut last_col = 0;
        for c in row.all("c") {
            let (cr, cc) = cell_ref(c.attr("r").unwrap());
            assert_eq!(cr, r, "cell in its row");
            assert!(cc > last_col, "cells in ascending order");
            last_col = cc;
            let style: usize = c.attr("s").map_or(0, |s| s.parse().unwrap());
            let (num_fmt, bold, wrapped) = xfs[style];
            let (value, cell_type) = match c.attr("t") {
                Some("inlineStr") => (
                    excel_unescape(&c.child("is").expect("<is>").text()),
                    CellType::Text,
                ),
                Some("s") => {
                    let index: usize = c.child("v").unwrap().text().parse().unwrap();
                    (shared[index].clone(), CellType::Text)
                }
                None | Some("n") => {
                    let v = c.child("v").expect("<v>").text();
                    v.parse::<f64>().expect("a number");
                    (v, CellType::Number)
                }
                Some(other) => panic!("cell type {other}"),
            };
            cells.insert(
                (r, cc),
                Cell {
                    value,
                    cell_type,
                    num_fmt,
                    bold,
                    wrapped,
                },
            );
        }
    }
    Workbook {
        parts,
        part_order,
        sheet_name,
        workbook,
        sheet,
        num_fmts,
        cells,
        last_row,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Parses RFC 4180 CSV after its byte-order mark: records end with CRLF, a quoted field may
/// hold commas, quotes (doubled) and line breaks. Panics on anything else.
pub fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{FEFF}').expect("a byte-order mark");
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                loop {
                    match chars.next().expect("quoted field ends") {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        c => field.push(c),
                    }
                }
                assert!(
                    matches!(chars.peek(), Some(',') | Some('\r')),
                    "a quoted field ends the field"
                );
                at_field_start = false;
            }
            '"' => panic!("a quote inside an unquoted field"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR is followed by LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\n' => panic!("a bare LF outside quotes"),
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends with CRLF"
    );
    records
}
