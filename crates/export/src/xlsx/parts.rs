//! The workbook's parts other than the sheet: content types, relationships, document
//! properties, the workbook and its styles (ECMA-376 part 1, SpreadsheetML).

use super::xml::push_escaped;
use chrono::{DateTime, Datelike, Timelike, Utc};

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
pub(crate) const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub(crate) const REL_NS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The parts' names, in the order the zip holds them.
pub(crate) const CONTENT_TYPES: &str = "[Content_Types].xml";
pub(crate) const ROOT_RELS: &str = "_rels/.rels";
pub(crate) const APP: &str = "docProps/app.xml";
pub(crate) const CORE: &str = "docProps/core.xml";
pub(crate) const WORKBOOK: &str = "xl/workbook.xml";
pub(crate) const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";
pub(crate) const STYLES: &str = "xl/styles.xml";
pub(crate) const SHEET: &str = "xl/worksheets/sheet1.xml";

/// Cell styles: indexes into `cellXfs` of [`styles`].
pub(crate) mod style {
    /// The header row: bold text.
    pub(crate) const HEADER: u32 = 1;
    /// Text (`@`, number format 49): never read as a number.
    pub(crate) const TEXT: u32 = 2;
    /// Text with line breaks, wrapped so that every line shows.
    pub(crate) const TEXT_WRAPPED: u32 = 3;
    /// A count (General).
    pub(crate) const NUMBER: u32 = 4;
    /// Won: `#,##0` (built-in format 3).
    pub(crate) const MONEY: u32 = 5;
    /// A date and time: `yyyy-mm-dd hh:mm:ss` (custom format 164).
    pub(crate) const DATE: u32 = 6;
}

pub(crate) fn content_types() -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    );
    for (part, content_type) in [
        (
            WORKBOOK,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        (
            SHEET,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        ),
        (
            STYLES,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
        ),
        (
            CORE,
            "application/vnd.openxmlformats-package.core-properties+xml",
        ),
        (
            APP,
            "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        ),
    ] {
        xml.push_str(&format!(
            "<Override PartName=\"/{part}\" ContentType=\"{content_type}\"/>"
        ));
    }
    xml.push_str("</Types>");
    xml
}

pub(crate) fn root_rels() -> String {
    relationships(&[
        (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            WORKBOOK,
        ),
        (
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            CORE,
        ),
        (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
            APP,
        ),
    ])
}

pub(crate) fn workbook_rels() -> String {
    // Targets relative to xl/.
    relationships(&[
        (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
            "worksheets/sheet1.xml",
        ),
        (
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
            "styles.xml",
        ),
    ])
}

fn relationships(targets: &[(&str, &str)]) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, (kind, target)) in targets.iter().enumerate() {
        xml.push_str(&format!(
            "<Relationship Id=\"rId{}\" Type=\"{kind}\" Target=\"{target}\"/>",
            i + 1
        ));
    }
    xml.push_str("</Relationships>");
    xml
}

pub(crate) fn app() -> String {
    format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
         <Application>Jumun</Application></Properties>"
    )
}

/// Title (the template's name), author and the time the export was made.
pub(crate) fn core(title: &str, created_at: DateTime<Utc>) -> String {
    // `%Y-%m-%dT%H:%M:%SZ`, written without chrono's strftime parser (docs/wasm-size.md).
    let at = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        created_at.year(),
        created_at.month(),
        created_at.day(),
        created_at.hour(),
        created_at.minute(),
        created_at.second()
    );
    let mut xml = String::from(DECLARATION);
    xml.push_str(
        "<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>",
    );
    push_escaped(&mut xml, title);
    xml.push_str(&format!(
        "</dc:title><dc:creator>Jumun</dc:creator>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{at}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{at}</dcterms:modified>\
         </cp:coreProperties>"
    ));
    xml
}

/// The workbook: its one sheet, and the filter range Excel keeps as a hidden defined name
/// beside the sheet's `autoFilter`.
pub(crate) fn workbook(sheet_name: &str, filter_range: &str) -> String {
    let mut xml = String::from(DECLARATION);
    xml.push_str(&format!(
        "<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">\
         <bookViews><workbookView/></bookViews><sheets><sheet name=\""
    ));
    push_escaped(&mut xml, sheet_name);
    xml.push_str(
        "\" sheetId=\"1\" r:id=\"rId1\"/></sheets><definedNames>\
         <definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">",
    );
    // A sheet name in a formula is quoted, its apostrophes doubled.
    let reference = format!("'{}'!{filter_range}", sheet_name.replace('\'', "''"));
    push_escaped(&mut xml, &reference);
    xml.push_str("</definedName></definedNames></workbook>");
    xml
}

/// Fonts (맑은 고딕, the Korean Excel default; bold for the header), number formats and the
/// cell styles of [`style`], in that index order.
pub(crate) fn styles() -> String {
    const FONT: &str =
        "<sz val=\"11\"/><name val=\"맑은 고딕\"/><family val=\"3\"/><charset val=\"129\"/>";
    let xf = |num_fmt: u32, font: u32, alignment: &str| {
        let mut xf = format!(
            "<xf numFmtId=\"{num_fmt}\" fontId=\"{font}\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
             applyNumberFormat=\"1\""
        );
        if font > 0 {
            xf.push_str(" applyFont=\"1\"");
        }
        if alignment.is_empty() {
            xf.push_str("/>");
        } else {
            xf.push_str(&format!(" applyAlignment=\"1\">{alignment}</xf>"));
        }
        xf
    };
    let cell_xfs = [
        "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>".to_owned(),
        xf(49, 1, ""),                            // HEADER
        xf(49, 0, ""),                            // TEXT
        xf(49, 0, "<alignment wrapText=\"1\"/>"), // TEXT_WRAPPED
        xf(0, 0, ""),                             // NUMBER
        xf(3, 0, ""),                             // MONEY
        xf(164, 0, ""),                           // DATE
    ];
    let mut xml = String::from(DECLARATION);
    xml.push_str(&format!(
        "<styleSheet xmlns=\"{MAIN_NS}\">\
         <numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>\
         <fonts count=\"2\"><font>{FONT}</font><font><b/>{FONT}</font></fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
         <fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
         <cellXfs count=\"{}\">{}</cellXfs>\
         <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         </styleSheet>",
        cell_xfs.len(),
        cell_xfs.concat()
    ));
    xml
}
