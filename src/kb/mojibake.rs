//! Mojibake repair: text that was UTF-8, decoded as Windows-1252 and saved again (`â€™` for `’`).
//!
//! Owns the detection and the reversal, nothing else. Works on runs of characters that all have a
//! Windows-1252 byte; a run is replaced only when its bytes form valid UTF-8 holding at least one
//! non-ASCII character, so real accented text (`café`) is left alone.

/// Characters Windows-1252 puts at bytes 0x80..=0x9F (undefined slots map to the C1 control).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

fn cp1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if (0xA0..=0xFF).contains(&code) || (0x80..=0x9F).contains(&code) && is_undefined_slot(code) {
        return Some(code as u8);
    }
    CP1252_HIGH.iter().position(|&m| m == c).map(|i| 0x80 + i as u8)
}

fn is_undefined_slot(code: u32) -> bool {
    matches!(code, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
}

/// A lead byte of a multi-byte UTF-8 sequence, as mojibake starts with one (`Ã`, `â`, `ð`...).
fn is_lead(c: char) -> bool {
    matches!(c as u32, 0xC2..=0xF4)
}

/// True when the text holds a sequence that looks like UTF-8 read as Windows-1252.
pub fn has_mojibake(text: &str) -> bool {
    repair(text) != text
}

/// Turns mojibake back into the intended characters; other text is returned unchanged.
pub fn repair(text: &str) -> String {
    if !text.chars().any(is_lead) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if is_lead(chars[i]) {
            if let Some((decoded, used)) = decode_run(&chars[i..]) {
                out.push_str(&decoded);
                i += used;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Decodes the longest prefix of `chars` that is one UTF-8 sequence spelled in Windows-1252.
fn decode_run(chars: &[char]) -> Option<(String, usize)> {
    let lead = cp1252_byte(chars[0])?;
    let len = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    if chars.len() < len {
        return None;
    }
    let mut bytes = vec![lead];
    for &c in &chars[1..len] {
        let b = cp1252_byte(c)?;
        if !(0x80..=0xBF).contains(&b) {
            return None;
        }
        bytes.push(b);
    }
    let decoded = String::from_utf8(bytes).ok()?;
    Some((decoded, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curly_apostrophe_is_repaired() {
        assert_eq!(repair("the serverâ€™s response"), "the server\u{2019}s response");
    }

    #[test]
    fn quotes_dashes_and_accents_are_repaired() {
        assert_eq!(repair("â€œhiâ€\u{9d}"), "\u{201C}hi\u{201D}");
        assert_eq!(repair("a â€” b"), "a \u{2014} b");
        assert_eq!(repair("a â€“ b"), "a \u{2013} b");
        assert_eq!(repair("cafÃ©"), "caf\u{e9}");
    }

    #[test]
    fn real_accented_text_is_untouched() {
        for text in ["café", "naïve façade", "Ã alone", "plain ascii", "日本語"] {
            assert_eq!(repair(text), text);
            assert!(!has_mojibake(text));
        }
    }
}
