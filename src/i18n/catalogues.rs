//! The fan pages' catalogues as build.rs reads them (and src/i18n.rs's tests check it):
//! parsed with `fluent-syntax`, Fluent's own parser, to the subset the pages use (text and
//! `{ $variable }`), and checked against the reference catalogue.

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};

/// One piece of a message. (The text is read by build.rs only.)
#[derive(Debug)]
#[cfg_attr(test, allow(dead_code))]
pub enum Piece {
    Text(String),
    Var(String),
}

pub type Catalogue = BTreeMap<String, Vec<Piece>>;

pub fn pieces(lang: &str, id: &str, pattern: &Pattern<String>) -> Vec<Piece> {
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

pub fn vars(pieces: &[Piece]) -> BTreeSet<&str> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v.as_str()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Parses one catalogue (`lang`: its file's name, for messages); panics with where it is wrong.
pub fn parse(text: String, lang: &str) -> Catalogue {
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

/// What is wrong with `catalogues` against the `reference`: a message missing, one too many,
/// or other variables than the reference's.
pub fn check(reference: &Catalogue, catalogues: &BTreeMap<String, Catalogue>) -> Vec<String> {
    let mut problems = Vec::new();
    for (lang, catalogue) in catalogues {
        for (id, pieces) in reference {
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
    problems
}
