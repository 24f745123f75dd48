//! Fuzz the guide parser and lint: any bytes that are UTF-8 must parse or fail cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(guide) = errkb::kb::parse_guide(text, std::path::Path::new("fuzz.md")) {
            let _ = errkb::kb::lint_guide(&guide);
            let _ = guide.steps();
            let _ = guide.links();
        }
        let _ = errkb::kb::parse_catalog(text, std::path::Path::new("fuzz.catalog.yaml"));
        let _ = errkb::kb::mojibake::repair(text);
    }
});
