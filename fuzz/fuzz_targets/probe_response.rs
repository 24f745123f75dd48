//! Fuzz the probe's reading of Entra's answers: any status and body give an outcome without
//! panicking, and a secret that was sent never comes back in an error's text.
#![no_main]

use errkb::probe::Outcome;
use errkb::probe::response::interpret;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "Xq38Q~fuzz.secret";

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let status = [200u16, 302, 400, 401, 429, 500, 503][usize::from(first) % 7];
    if let Outcome::Rejected(e) | Outcome::Unreachable { entra: Some(e), .. } = interpret(status, Some("1"), body, Some(SECRET)) {
        assert!(!e.message.contains(SECRET) && !e.error.contains(SECRET), "the secret came back");
    }
});
