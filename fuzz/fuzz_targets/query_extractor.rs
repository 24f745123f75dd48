//! Fuzz query understanding: extraction and question validation never panic, and every code found
//! is made of digits that occur in the (decoded) input.
#![no_main]

use std::sync::LazyLock;

use errkb::kb::Code;
use errkb::search::{Vocabulary, extract, normalise};
use libfuzzer_sys::fuzz_target;

static VOCAB: LazyLock<Vocabulary> = LazyLock::new(|| {
    let codes: Vec<Code> = ["AADSTS50011", "AADSTS65001", "ORA-12154", "0x80070005", "HTTP-429"]
        .iter()
        .map(|c| Code::parse(c).unwrap())
        .collect();
    Vocabulary::new(&codes)
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(q) = errkb::answer::Question::parse(&text) {
        let decoded = normalise(q.text());
        for d in extract(q.text(), &VOCAB) {
            let key = d.code.key().to_string();
            let digits: String = key.chars().skip_while(|c| !c.is_ascii_digit()).collect();
            let digits = digits.trim_start_matches('0');
            assert!(
                q.text().contains(digits) || decoded.contains(digits) || key.starts_with("0X"),
                "{key} not in input"
            );
        }
    }
});
