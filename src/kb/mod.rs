//! CORE: the knowledge base. Guides as data: the model, the Markdown parser, short catalog
//! entries, the directory loader and lint.
//!
//! The only module that knows pulldown-cmark and the guide file formats. Must not know the index,
//! answers, HTTP or any chat platform.

mod catalog;
mod code;
mod lint;
mod load;
mod model;
pub mod mojibake;
mod parse;
mod template;
mod thesaurus;

pub use catalog::{CatalogError, parse_catalog, who_fixes_sentence};
pub use code::{Code, match_key};
pub use lint::{LintReport, lint_dir, lint_guide, lint_report};
pub use load::{Finding, LoadError, LoadReport, Severity, load_dir};
pub use model::{Block, FrontMatter, Guide, GuideKind, Item, Link, Section, SectionKind, Span, plain};
pub use parse::{ParseError, parse_guide, split_title};
pub use template::{MIN_TEMPLATE_WORDS, MessageTemplate, TemplateError, word_spans, words};
pub use thesaurus::{Thesaurus, ThesaurusError};
