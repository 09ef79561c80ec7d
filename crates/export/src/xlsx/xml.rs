//! Text inside the workbook's XML: escaped so that marketplace text stays data.

use crate::text::clean;

/// The most characters (UTF-16 code units, as Excel counts) a cell holds.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;

/// Escapes text for an element's content or a quoted attribute.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// An inline-string cell's content, `<is><t>…</t></is>`, holding exactly `text` as Excel reads
/// it back:
/// - characters XML 1.0 forbids are dropped ([`clean`]);
/// - a carriage return is written `&#13;`, which XML parsers keep (a bare one becomes `\n`);
/// - `_x` followed by four hex digits and `_` is Excel's own escape for a character
///   (ST_Xstring), so the underscore of such text is written `_x005F_`;
/// - space-preserving when the text starts or ends with white space;
/// - cut at [`MAX_CELL_CHARS`], the most an Excel cell holds (Excel repairs a longer one).
pub(crate) fn push_inline_string(out: &mut String, text: &str) {
    let text = clean(text);
    let text = cut_to_cell(&text);
    let spaced = text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace);
    out.push_str(if spaced {
        "<is><t xml:space=\"preserve\">"
    } else {
        "<is><t>"
    });
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '_' if is_excel_escape(&text[i..]) => out.push_str("_x005F_"),
            c => out.push(c),
        }
    }
    out.push_str("</t></is>");
}

/// The text, cut at a character boundary to what a cell holds.
fn cut_to_cell(text: &str) -> &str {
    // A character never takes more UTF-16 units than UTF-8 bytes: a short text needs no count.
    if text.len() <= MAX_CELL_CHARS {
        return text;
    }
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS {
            return &text[..i];
        }
    }
    text
}

/// Whether the text starts with `_xHHHH_`.
fn is_excel_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes[0] == b'_'
        && (bytes[1] == b'x' || bytes[1] == b'X')
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline(text: &str) -> String {
        let mut out = String::new();
        push_inline_string(&mut out, text);
        out
    }

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            inline("<img src=x onerror=alert(1)> & \"q\""),
            "<is><t>&lt;img src=x onerror=alert(1)&gt; &amp; \"q\"</t></is>"
        );
    }

    #[test]
    fn carriage_returns_control_characters_and_excel_escapes() {
        assert_eq!(inline("a\r\nb\u{7}"), "<is><t>a&#13;\nb</t></is>");
        assert_eq!(inline("_x0041_ _y"), "<is><t>_x005F_x0041_ _y</t></is>");
        assert_eq!(
            inline(" 앞뒤 "),
            "<is><t xml:space=\"preserve\"> 앞뒤 </t></is>"
        );
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let text = "가".repeat(MAX_CELL_CHARS + 5);
        assert_eq!(cut_to_cell(&text).chars().count(), MAX_CELL_CHARS);
        // An emoji is two UTF-16 units: it does not fit in the last one.
        let text = format!("{}😀", "a".repeat(MAX_CELL_CHARS - 1));
        assert_eq!(cut_to_cell(&text).len(), MAX_CELL_CHARS - 1);
    }
}
