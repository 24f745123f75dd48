//! The docs cannot rot: every `errkb` command in a `sh` block of the README, CONTRIBUTING.md and
//! docs/ parses with the real command line and only known tools appear beside it; the README
//! starts with the two commands; no link or reference leaves the repository; the settings tables,
//! errkb.example.toml and the lint rules listed match the code. The quick starts themselves are
//! run in ops_quickstart.rs.

use crate::markdown;

use std::collections::BTreeSet;

use clap::{CommandFactory, Parser};
use errkb::cli::Cli;
use errkb::config::SETTINGS;
use markdown::{Doc, code_spans, commands, docs, repo, split_env, table, words};

/// Tools a documented command may start with besides errkb (each one a real step for an admin
/// or a contributor; add to the list deliberately).
const TOOLS: &[&str] =
    &["cargo", "docker", "kubectl", "az", "pg_dump", "pg_restore", "cp", "cd", "npx", "npm", "apt-get"];

/// Every command of every `sh` block, with where it is.
fn documented_commands() -> Vec<(String, String)> {
    let substitution = regex::Regex::new(r"^[A-Z_]+=\$\((.*)\)$").unwrap();
    let mut out = Vec::new();
    for doc in docs() {
        for block in markdown::blocks(&doc.text).into_iter().filter(|b| b.info == "sh") {
            for command in commands(&block.body) {
                let command = substitution.captures(&command).map_or(command.clone(), |c| c[1].to_string());
                out.push((format!("{}:{}", doc.name(), block.line), command));
            }
        }
    }
    out
}

/// The errkb arguments of a documented command, if it runs errkb.
fn errkb_args(command: &str) -> Option<Vec<String>> {
    let (_, words) = split_env(&words(command));
    match words.first().map(String::as_str) {
        Some("errkb") => Some(words[1..].to_vec()),
        Some("cargo") => {
            words.iter().position(|w| w == "--").filter(|_| words[1] == "run").map(|i| words[i + 1..].to_vec())
        }
        _ => None,
    }
}

#[test]
fn every_documented_errkb_command_parses_and_every_other_command_is_a_known_tool() {
    let all = documented_commands();
    let mut errkb = 0;
    for (at, command) in &all {
        let (_, words) = split_env(&words(command));
        let Some(first) = words.first() else { panic!("{at}: an empty command: {command:?}") };
        if let Some(args) = errkb_args(command) {
            errkb += 1;
            let argv = std::iter::once("errkb".to_string()).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                panic!("{at}: `{command}` does not parse:\n{e}");
            }
        } else {
            assert!(TOOLS.contains(&first.as_str()), "{at}: `{command}` starts with {first:?}, not a known tool");
        }
    }
    assert!(errkb >= 25, "the docs show errkb commands ({errkb} found)");
}

#[test]
fn the_readme_starts_with_the_two_commands_and_ci_ends_with_the_test_command() {
    let readme = Doc::read("README.md");
    let blocks = markdown::blocks(&readme.text);
    assert_eq!(blocks[0].body.trim(), "cargo run --release -- serve");
    assert_eq!(blocks[1].body.trim(), "cargo test");
    let before_first_block: String = readme.text.lines().take(blocks[0].line).collect::<Vec<_>>().join("\n");
    assert!(!before_first_block.contains("## "), "nothing but the title comes before the run command");
    assert!(readme.text.contains("cargo install --locked --path ."), "installing without a checkout's cargo run");
    for doc in ["slack", "teams", "deploy", "operations", "kb-authoring", "security"] {
        assert!(readme.text.contains(&format!("](docs/{doc}.md)")), "the README links docs/{doc}.md");
    }
    assert!(readme.text.contains("## Contents"));
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert_eq!(ci.trim_end().lines().last(), Some("cargo test"));
}

#[test]
fn no_link_or_reference_in_the_docs_points_outside_the_repository() {
    let forbidden = ["../shared", "/work/", "DESIGN.md", "shared/tools", "original example"];
    for doc in docs() {
        for word in forbidden {
            assert!(!doc.text.contains(word), "{} mentions {word:?}, which is not in the repository", doc.name());
        }
        let dir = doc.path.parent().unwrap();
        for (line, target) in markdown::links(&doc.text) {
            let at = format!("{}:{line}", doc.name());
            assert!(!target.contains("://") && !target.starts_with("mailto:"), "{at}: {target} leaves the repository");
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() { doc.path.clone() } else { dir.join(file) };
            assert!(markdown::inside_repo(&path), "{at}: {target} is not a file in the repository");
            if !anchor.is_empty() {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(markdown::anchors(&text).contains(anchor), "{at}: no heading for #{anchor} in {file}");
            }
        }
    }
}

fn expected_default(cell: &str, default: Option<&str>) -> bool {
    match default {
        Some(d) => code_spans(cell).first().is_some_and(|first| first == d),
        None => cell.starts_with("unset"),
    }
}

#[test]
fn the_settings_table_matches_the_settings_errkb_serve_reads() {
    let ops = Doc::read("docs/operations.md");
    let rows = table(&ops.text, "### Read by `errkb serve`");
    let mut documented = BTreeSet::new();
    for row in &rows {
        let name = code_spans(&row[0]).first().cloned().unwrap_or_else(|| panic!("no name in {row:?}"));
        let setting = SETTINGS.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{name}: not a setting"));
        assert_eq!(code_spans(&row[1]), [setting.file_key], "{name}'s errkb.toml key");
        assert!(
            expected_default(&row[2], setting.default),
            "{name}'s default is {:?}, the table says {}",
            setting.default,
            row[2]
        );
        documented.insert(name);
    }
    let code: BTreeSet<String> = SETTINGS.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(documented, code, "the table and config::SETTINGS list the same settings");
}

/// Environment variables the command line reads: clap's `env = ...` of every command and flag,
/// and the `std::env::var("...")` calls under src/cli.
fn command_line_variables() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                out.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeSet::from(["RUST_LOG".to_string()]);
    walk(&Cli::command(), &mut out);
    let read = regex::Regex::new(r#"std::env::var\("([A-Z_]+)"\)"#).unwrap();
    for entry in std::fs::read_dir(repo().join("src/cli")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        out.extend(read.captures_iter(&text).map(|c| c[1].to_string()));
    }
    out
}

#[test]
fn the_command_line_table_lists_every_variable_the_commands_read() {
    let ops = Doc::read("docs/operations.md");
    let table_names: BTreeSet<String> = table(&ops.text, "### Read by the command line")
        .iter()
        .map(|row| code_spans(&row[0]).first().cloned().unwrap())
        .collect();
    let serve_names: BTreeSet<String> = SETTINGS.iter().map(|s| s.name.to_string()).collect();
    let read = command_line_variables();
    for name in &read {
        assert!(table_names.contains(name) || serve_names.contains(name), "{name} is read but documented nowhere");
    }
    for name in &table_names {
        assert!(read.contains(name), "the command-line table lists {name}, which no command reads");
    }
    for name in ["ERRKB_CONFIG", "ERRKB_LOG_FORMAT", "ERRKB_INDEX_DIR"] {
        assert!(table_names.contains(name), "{name}");
    }
}

#[test]
fn the_sample_config_file_has_every_key_at_its_default_and_loads() {
    let text = std::fs::read_to_string(repo().join("errkb.example.toml")).unwrap();
    let uncommented: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("# ").filter(|l| l.starts_with('[') || l.contains(" = ")))
        .map(|l| format!("{l}\n"))
        .collect();
    let table: toml::Table = toml::from_str(&uncommented).expect("the uncommented sample is TOML");
    for setting in SETTINGS {
        let (section, key) = setting.file_key.split_once('.').map_or((None, setting.file_key), |(s, k)| (Some(s), k));
        let value = match section {
            Some(s) => table.get(s).and_then(|t| t.get(key)),
            None => table.get(key),
        };
        let value = value.unwrap_or_else(|| panic!("errkb.example.toml has no {}", setting.file_key));
        if let Some(default) = setting.default {
            let shown = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => panic!("{}: unexpected {other:?}", setting.file_key),
            };
            assert_eq!(shown, default, "{} in the sample is not the default", setting.file_key);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("errkb.toml");
    std::fs::write(&file, &uncommented).unwrap();
    let config = errkb::config::Config::load(Some(&file)).expect("errkb reads the uncommented sample");
    for setting in SETTINGS.iter().filter(|s| std::env::var_os(s.name).is_none()) {
        assert_eq!(
            config.sources[setting.name],
            errkb::config::Source::File,
            "{} was not read from the file",
            setting.name
        );
    }
}

/// The rule names `errkb lint` and the loader can report, from the source.
fn lint_rules() -> BTreeSet<String> {
    let finding = regex::Regex::new(r#"Finding::(?:error|warning)\([^;]*?"([a-z]+(?:-[a-z]+)*)""#).unwrap();
    let wanted = regex::Regex::new(r#"\(SectionKind::\w+, "([a-z-]+)""#).unwrap();
    let mut out = BTreeSet::new();
    for file in ["src/kb/lint.rs", "src/kb/load.rs", "src/search/message.rs"] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        out.extend(finding.captures_iter(&text).map(|c| c[1].to_string()));
        out.extend(wanted.captures_iter(&text).map(|c| c[1].to_string()));
    }
    out
}

#[test]
fn the_lint_rules_listed_are_the_rules_errkb_lint_has() {
    let doc = Doc::read("docs/kb-authoring.md");
    let listed: BTreeSet<String> =
        table(&doc.text, "The rules:").iter().map(|row| code_spans(&row[0]).first().cloned().unwrap()).collect();
    let code = lint_rules();
    assert!(code.len() >= 10, "the source scan finds the rules: {code:?}");
    assert_eq!(listed, code, "docs/kb-authoring.md's rules and the code's");
}

#[test]
fn the_slack_quick_start_counts_at_most_six_steps_from_the_binary_to_an_answer() {
    let doc = Doc::read("docs/slack.md");
    let start = doc.text.find("## Quick start").unwrap();
    let end = doc.text[start + 3..].find("\n## ").map_or(doc.text.len(), |e| start + 3 + e);
    let section = &doc.text[start..end];
    let steps: Vec<u32> =
        regex::Regex::new(r"\*\*Step (\d+)\.").unwrap().captures_iter(section).map(|c| c[1].parse().unwrap()).collect();
    assert_eq!(steps, (1..=steps.len() as u32).collect::<Vec<_>>(), "steps numbered in order");
    assert!(steps.len() <= 6, "{} steps", steps.len());
    assert!(section.contains("Six") || section.contains("six"), "the doc says how many steps");
    assert!(section.contains("connections:write") && section.contains("xoxb-") && section.contains("xapp-"));
}

#[test]
fn the_backup_commands_in_the_docs_are_the_ones_the_backup_test_runs() {
    let ops = Doc::read("docs/operations.md");
    let test = std::fs::read_to_string(repo().join("tests/ops/backup.rs")).unwrap();
    assert!(ops.text.contains("pg_dump --format=custom --no-owner --file errkb.dump"));
    assert!(test.contains(r#"["--format=custom", "--no-owner", "--file"]"#));
    assert!(ops.text.contains("pg_restore --no-owner --exit-on-error --dbname"));
    assert!(test.contains(r#"["--no-owner", "--exit-on-error", "--dbname", &target]"#));
    assert!(ops.text.contains("errkb backup --out "));
}
