//! The fan pages' words (issue 21): the Fluent catalogues in `locales/*.ftl`, parsed here at build
//! time with `fluent-syntax` (Project Fluent's own parser) into static tables the worker looks up
//! (`src/i18n.rs` includes `$OUT_DIR/messages.rs`). The runtime `fluent-bundle` would cost the
//! edge module tens of KB gzipped at every cold start; the pages only need the subset that
//! parses to text and `{ $variable }` placeables, so that is all a message may use (anything else
//! fails the build, saying where). `en.ftl` is the reference: every catalogue must have exactly
//! its messages, each with exactly its variables, or the build fails.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The messages the pages' scripts need (sent in each page): their ids start with one of these.
const SCRIPT_PREFIXES: [&str; 5] = ["js-", "phase-", "turn-", "place-", "invitation-once"];

/// The right-to-left languages among the codes a catalogue may have.
const RTL: [&str; 4] = ["ar", "fa", "he", "ur"];

#[derive(Debug)]
enum Piece {
    Text(String),
    Var(String),
}

type Catalogue = BTreeMap<String, Vec<Piece>>;

fn pieces(lang: &str, id: &str, pattern: &Pattern<String>) -> Vec<Piece> {
    let mut out = Vec::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push(Piece::Text(value.clone())),
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::VariableReference { id: var }),
            } => out.push(Piece::Var(var.name.clone())),
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::StringLiteral { value }),
            } => out.push(Piece::Text(value.clone())),
            other => panic!(
                "locales/{lang}.ftl, {id}: only text and {{ $variable }} are supported here, not {other:?}"
            ),
        }
    }
    out
}

fn vars(pieces: &[Piece]) -> BTreeSet<&str> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v.as_str()),
            Piece::Text(_) => None,
        })
        .collect()
}

fn load(path: &Path, lang: &str) -> Catalogue {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let resource = fluent_syntax::parser::parse(text)
        .unwrap_or_else(|(_, errors)| panic!("locales/{lang}.ftl does not parse: {errors:?}"));
    let mut catalogue = Catalogue::new();
    for entry in &resource.body {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name.clone();
                assert!(
                    message.attributes.is_empty(),
                    "locales/{lang}.ftl, {id}: attributes are not supported"
                );
                let value = message
                    .value
                    .as_ref()
                    .unwrap_or_else(|| panic!("locales/{lang}.ftl, {id}: no value"));
                let parsed = pieces(lang, &id, value);
                assert!(
                    catalogue.insert(id.clone(), parsed).is_none(),
                    "locales/{lang}.ftl: {id} twice"
                );
            }
            Entry::Term(term) => panic!(
                "locales/{lang}.ftl, -{}: terms are not supported",
                term.id.name
            ),
            Entry::Junk { content } => panic!("locales/{lang}.ftl: cannot parse {content:?}"),
            _ => {}
        }
    }
    catalogue
}

fn rust_name(id: &str) -> String {
    id.replace('-', "_")
}

fn main() {
    println!("cargo::rerun-if-changed=locales");
    let dir = Path::new("locales");
    let mut catalogues: BTreeMap<String, Catalogue> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("locales/") {
        let path = entry.expect("a file in locales/").path();
        if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
            continue;
        }
        println!("cargo::rerun-if-changed={}", path.display());
        let lang = path.file_stem().unwrap().to_str().unwrap().to_owned();
        catalogues.insert(lang.clone(), load(&path, &lang));
    }
    let reference = catalogues
        .remove("en")
        .expect("locales/en.ftl, the reference");
    // Every catalogue has exactly the reference's messages, with exactly its variables.
    let mut problems = Vec::new();
    for (lang, catalogue) in &catalogues {
        for (id, pieces) in &reference {
            match catalogue.get(id) {
                None => problems.push(format!("locales/{lang}.ftl has no {id}")),
                Some(theirs) if vars(theirs) != vars(pieces) => problems.push(format!(
                    "locales/{lang}.ftl, {id}: variables {:?}, but en.ftl has {:?}",
                    vars(theirs),
                    vars(pieces)
                )),
                Some(_) => {}
            }
        }
        for id in catalogue.keys().filter(|id| !reference.contains_key(*id)) {
            problems.push(format!("locales/{lang}.ftl, {id}: not in en.ftl"));
        }
    }
    assert!(problems.is_empty(), "catalogues:\n{}", problems.join("\n"));

    // English first: the fallback.
    let mut langs: Vec<(String, Catalogue)> = vec![("en".into(), reference)];
    langs.extend(catalogues);
    let ids: Vec<&String> = langs[0].1.keys().collect();

    // Each language is one string, its messages one after the other (variables written
    // `{$name}`), and a table of where each message starts: a few bytes per message, where an
    // array of pieces would be pointers the edge module carries for every language.
    let mut out = String::new();
    out.push_str("// Generated by build.rs from locales/*.ftl: do not edit.\n");
    writeln!(out, "/// The languages, English first.").unwrap();
    writeln!(out, "pub const LANGS: [LangInfo; {}] = [", langs.len()).unwrap();
    for (code, catalogue) in &langs {
        let name = match catalogue.get("language-name").map(Vec::as_slice) {
            Some([Piece::Text(name)]) => name.clone(),
            _ => panic!("locales/{code}.ftl: language-name must be plain text"),
        };
        writeln!(
            out,
            "    LangInfo {{ code: {code:?}, name: {name:?}, rtl: {} }},",
            RTL.contains(&code.as_str())
        )
        .unwrap();
    }
    out.push_str("];\n\n");
    writeln!(out, "/// How many messages each language has.").unwrap();
    writeln!(out, "pub const MESSAGE_COUNT: usize = {};", ids.len()).unwrap();
    writeln!(out, "/// Each message's id (tests name them).").unwrap();
    writeln!(out, "#[cfg(test)]").unwrap();
    writeln!(out, "pub const IDS: [&str; {}] = [", ids.len()).unwrap();
    for id in &ids {
        writeln!(out, "    {id:?},").unwrap();
    }
    out.push_str("];\n\n");
    let mut blobs = Vec::new();
    let mut starts = Vec::new();
    for (code, catalogue) in &langs {
        let mut blob = String::new();
        let mut at = vec![0u32];
        for id in &ids {
            for piece in &catalogue[*id] {
                match piece {
                    Piece::Text(t) => {
                        assert!(!t.contains("{$"), "locales/{code}.ftl, {id}: text with {{$");
                        blob.push_str(t)
                    }
                    Piece::Var(v) => write!(blob, "{{${v}}}").unwrap(),
                }
            }
            at.push(u32::try_from(blob.len()).expect("a catalogue under 4 GB"));
        }
        blobs.push(blob);
        starts.push(at);
    }
    writeln!(out, "/// Each language's messages, one after the other.").unwrap();
    writeln!(out, "static TEXT: [&str; {}] = [", langs.len()).unwrap();
    for blob in &blobs {
        writeln!(out, "    {blob:?},").unwrap();
    }
    out.push_str("];\n\n");
    writeln!(
        out,
        "/// Where each message of each language starts in TEXT (and the last ends)."
    )
    .unwrap();
    writeln!(
        out,
        "static STARTS: [[u32; {}]; {}] = [",
        ids.len() + 1,
        langs.len()
    )
    .unwrap();
    for at in &starts {
        let list: Vec<String> = at.iter().map(u32::to_string).collect();
        writeln!(out, "    [{}],", list.join(", ")).unwrap();
    }
    out.push_str("];\n\n");
    writeln!(
        out,
        "/// The messages the pages' scripts use: their ids and indices."
    )
    .unwrap();
    let script: Vec<(usize, &&String)> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| SCRIPT_PREFIXES.iter().any(|p| id.starts_with(p)))
        .collect();
    writeln!(
        out,
        "pub static SCRIPT_MESSAGES: [(&str, usize); {}] = [",
        script.len()
    )
    .unwrap();
    for (index, id) in &script {
        writeln!(out, "    ({id:?}, {index}),").unwrap();
    }
    out.push_str("];\n\n");
    // One method per message, named after it: its variables are its arguments, so a template
    // that names a message or a variable no catalogue has does not build.
    out.push_str("impl Lang {\n");
    for (index, id) in ids.iter().enumerate() {
        let vars: Vec<&str> = vars(&langs[0].1[*id]).into_iter().collect();
        let name = rust_name(id);
        if vars.is_empty() {
            writeln!(
                out,
                "    pub fn {name}(self) -> &'static str {{ self.text({index}) }}"
            )
            .unwrap();
        } else if vars.iter().any(|v| v.ends_with("_html")) {
            // A message with markup in it (a link, a <time>): its text and plain variables are
            // escaped here, its `_html` variables are the page's own markup.
            let params: Vec<String> = vars
                .iter()
                .map(|v| format!("{}: impl std::fmt::Display", rust_name(v)))
                .collect();
            let args: Vec<String> = vars
                .iter()
                .map(|v| format!("({v:?}, &{} as &dyn std::fmt::Display)", rust_name(v)))
                .collect();
            writeln!(
                out,
                "    pub fn {name}(self, {}) -> askama::filters::Safe<String> {{ askama::filters::Safe(self.format_html({index}, &[{}])) }}",
                params.join(", "),
                args.join(", ")
            )
            .unwrap();
        } else {
            let params: Vec<String> = vars
                .iter()
                .map(|v| format!("{}: impl std::fmt::Display", rust_name(v)))
                .collect();
            let args: Vec<String> = vars
                .iter()
                .map(|v| format!("({v:?}, &{} as &dyn std::fmt::Display)", rust_name(v)))
                .collect();
            writeln!(
                out,
                "    pub fn {name}(self, {}) -> String {{ self.format({index}, &[{}]) }}",
                params.join(", "),
                args.join(", ")
            )
            .unwrap();
        }
    }
    out.push_str("}\n");
    let path = Path::new(&std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(&path, out).expect("write messages.rs");
}
