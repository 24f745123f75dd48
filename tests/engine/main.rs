//! The core, end to end: code extraction, the answer policy (with Entra's messages as evidence),
//! retrieval quality on the eval set, knowledge-base coverage, the seed guide's parse and the `errkb`
//! command line. One test binary per area (linking is the slow part of a build here).

mod answer;
mod answer_policy;
mod cli;
mod eval;
mod extract;
mod kb_coverage;
mod languages;
mod parse_seed;
