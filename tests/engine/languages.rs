//! Questions written in other languages and scripts than the guides, on the shipped kb/: the
//! thesaurus translates the words no guide holds, a question's own-language stop words are not
//! searched, and an English term glued to Japanese text is still found.

use std::path::Path;
use std::sync::LazyLock;

use errkb::answer::{Answer, Question, answer};
use errkb::kb::{LoadReport, load_dir};
use errkb::search::Engine;

fn report() -> LoadReport {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kb")).unwrap()
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::from_report(report()).unwrap());
static NO_THESAURUS: LazyLock<Engine> = LazyLock::new(|| Engine::build(report().guides).unwrap());

fn ask(engine: &Engine, text: &str) -> Answer {
    answer(engine, &Question::parse(text).unwrap(), 3)
}

/// The lead guide's code when the answer is found.
fn lead(engine: &Engine, text: &str) -> Option<String> {
    let a = ask(engine, text);
    a.is_found().then(|| a.hits()[0].guide.code.to_string())
}

#[test]
fn a_german_question_is_answered_through_the_thesaurus_translation() {
    let question = "bei dem Kollegen ist das Kennwort abgelaufen, die Anmeldung geht nicht mehr";
    assert_eq!(lead(&ENGINE, question).as_deref(), Some("AADSTS50055"));
    assert_ne!(lead(&NO_THESAURUS, question).as_deref(), Some("AADSTS50055"), "the translation is what finds it");
}

#[test]
fn a_spanish_question_full_of_function_words_is_still_answered() {
    let question = "a la usuaria se le ha caducado la contraseña y no puede iniciar sesión";
    assert_eq!(lead(&ENGINE, question).as_deref(), Some("AADSTS50055"));
}

#[test]
fn an_english_term_glued_to_japanese_text_counts_as_if_spaced() {
    let glued = ask(&ENGINE, "MFAが必要と言われてサインインできない");
    let spaced = ask(&ENGINE, "MFA が必要と言われてサインインできない");
    assert!(glued.is_found(), "{:?}", glued.outcome);
    let codes = |a: &Answer| a.hits().iter().map(|h| h.guide.code.to_string()).collect::<Vec<_>>();
    assert_eq!(codes(&glued), codes(&spaced));
}

#[test]
fn questions_in_other_languages_about_something_else_are_not_found() {
    for question in [
        "der Drucker im dritten Stock druckt seit gestern nur noch leere Seiten",
        "la impresora de la oficina no imprime en color desde ayer",
        "il badge per entrare in ufficio non funziona più",
        "mijn laptop start niet meer op na de update",
    ] {
        assert_eq!(lead(&ENGINE, question), None, "{question}");
    }
}
