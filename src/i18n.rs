//! The fan's own language (issue 21): which language a page is in, and its words.
//!
//! The words are the Fluent catalogues in `locales/` (one `.ftl` file per language, which a
//! translator edits without touching code), parsed at build time by `build.rs` into the static
//! tables included below, with one method per message (`lang.busy_title()`), so a page naming a
//! message or a variable the catalogues lack does not build. Numbers, times and waits are
//! formatted in the page by the browser's `Intl` (static/assets/i18n.js), in the page's `lang`.
//!
//! The language: `?lang=xx` (kept in the `waitroom_lang` cookie), else that cookie, else the best
//! of `Accept-Language`, else English.

use std::fmt::{Display, Write as _};

/// A language the pages speak.
#[derive(Debug)]
pub struct LangInfo {
    /// Its BCP 47 code (`lang` on the page, `?lang=`).
    pub code: &'static str,
    /// Its name in itself, for the switcher.
    pub name: &'static str,
    /// Written right to left (`dir="rtl"`).
    pub rtl: bool,
}

/// A language of [`LANGS`] (its index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(usize);

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The languages other than English, loaded at run time.
mod loaded;
pub use loaded::asset_path;

/// How build.rs reads and checks the catalogues (tested here; fluent-syntax is a build and test
/// dependency only).
#[cfg(test)]
mod catalogues;

/// The cookie that keeps the fan's choice.
pub const LANG_COOKIE: &str = "waitroom_lang";
/// How long the cookie keeps it: a year.
pub const LANG_COOKIE_MAX_AGE_S: u64 = 365 * 24 * 3600;

impl Default for Lang {
    fn default() -> Self {
        Self::ENGLISH
    }
}

impl Lang {
    pub const ENGLISH: Lang = Lang(0);

    /// The language with exactly this code (`de`, `pt`), case-insensitive.
    pub fn from_code(code: &str) -> Option<Lang> {
        LANGS
            .iter()
            .position(|l| l.code.eq_ignore_ascii_case(code.trim()))
            .map(Lang)
    }

    /// The best language of an `Accept-Language` header: the highest `q` that names one of
    /// ours, by its whole tag (`pt-BR` → `pt`); ties keep the header's order.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(u32, Lang)> = None;
        for item in accept_language.split(',').take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, |q| {
                    (q.trim().parse::<f32>().unwrap_or(0.0) * 1000.0) as u32
                });
            if q == 0 {
                continue;
            }
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = Lang::from_code(primary) else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LANGS.len()).map(Lang)
    }

    pub fn info(self) -> &'static LangInfo {
        &LANGS[self.0]
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// `rtl` or `ltr`, for `dir` on the page.
    pub fn dir(self) -> &'static str {
        if self.info().rtl {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// A sale's phase in words.
    pub fn phase(self, phase: waitroom_core::Phase) -> &'static str {
        use waitroom_core::Phase;
        match phase {
            Phase::Scheduled => self.phase_scheduled(),
            Phase::Prequeue => self.phase_prequeue(),
            Phase::Open => self.phase_open(),
            Phase::Paused => self.phase_paused(),
            Phase::Closed => self.phase_closed(),
        }
    }

    /// Message `index` as written (variables as `{$name}`); in English while this language's
    /// table is not loaded (a page asks for it first: [`Chosen::loaded`]).
    fn raw(self, index: usize) -> &'static str {
        let table = loaded::table(self).or_else(|| loaded::table(Lang::ENGLISH));
        let Some(table) = table else { return "" };
        let (Some(&start), Some(&end)) = (table.starts.get(index), table.starts.get(index + 1))
        else {
            return "";
        };
        table.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// A message without variables.
    fn text(self, index: usize) -> &'static str {
        self.raw(index)
    }

    /// Message `index` in pieces: each text and each variable's value, in order; `html`: text
    /// and plain variables escaped, `_html` variables as they are.
    fn fill(self, index: usize, args: &[(&str, &dyn Display)], html: bool) -> String {
        let mut out = String::new();
        let mut rest = self.raw(index);
        while let Some(open) = rest.find("{$") {
            let text = &rest[..open];
            let after = &rest[open + 2..];
            let Some(close) = after.find('}') else {
                break;
            };
            let name = &after[..close];
            push(&mut out, text, html);
            if let Some((_, value)) = args.iter().find(|(n, _)| *n == name) {
                let value = value.to_string();
                push(&mut out, &value, html && !name.ends_with("_html"));
            }
            rest = &after[close + 1..];
        }
        push(&mut out, rest, html);
        out
    }

    /// A message with its variables' values.
    fn format(self, index: usize, args: &[(&str, &dyn Display)]) -> String {
        self.fill(index, args, false)
    }

    /// A message with markup: its text and plain variables escaped, `_html` variables as they are.
    fn format_html(self, index: usize, args: &[(&str, &dyn Display)]) -> String {
        self.fill(index, args, true)
    }

    /// The language switcher every page ends with: a link per language, in that language, the
    /// page's own marked `aria-current`. (Written once here rather than in the base template,
    /// which every page's code would repeat.)
    pub fn switcher_html(self) -> askama::filters::Safe<String> {
        let mut out = String::from(r#"<nav class="languages" aria-label=""#);
        escape_into(&mut out, self.lang_switcher());
        out.push_str(r#""><ul>"#);
        for other in Lang::all() {
            let code = other.code();
            let _ = write!(
                out,
                r#"<li><a href="?lang={code}" lang="{code}" hreflang="{code}"{}>"#,
                if other == self {
                    r#" aria-current="true""#
                } else {
                    ""
                }
            );
            escape_into(&mut out, other.name());
            out.push_str("</a></li>");
        }
        out.push_str("</ul></nav>");
        askama::filters::Safe(out)
    }

    /// The messages the pages' scripts use, as a JSON object of id → pattern (variables as
    /// `{$name}`), safe inside `<script type="application/json">`.
    pub fn script_messages(self) -> String {
        let mut out = String::from("{");
        for (n, (id, index)) in SCRIPT_MESSAGES.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            json_string_into(&mut out, id);
            out.push(':');
            json_string_into(&mut out, self.raw(*index));
        }
        out.push('}');
        out
    }
}

fn push(out: &mut String, text: &str, html: bool) {
    if html {
        escape_into(out, text);
    } else {
        out.push_str(text);
    }
}

/// A JSON string that is also safe in a `<script>` element (no `<`, `>` or `&` in it).
fn json_string_into(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `text` escaped for HTML (text or an attribute's value).
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The language of a request: `?lang=` (which the response keeps in the cookie: see
/// [`Chosen::cookie`]), else the cookie, else `Accept-Language`, else English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub lang: Lang,
    /// Chosen in the URL just now: the response sets the cookie.
    pub from_query: bool,
}

impl Chosen {
    pub fn of(
        query_lang: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> Self {
        if let Some(lang) = query_lang.and_then(Lang::from_code) {
            return Self {
                lang,
                from_query: true,
            };
        }
        let lang = cookie
            .and_then(Lang::from_code)
            .or_else(|| accept_language.and_then(Lang::negotiate))
            .unwrap_or_default();
        Self {
            lang,
            from_query: false,
        }
    }

    /// The `Set-Cookie` that keeps a language chosen with `?lang=`.
    pub fn cookie(self) -> Option<String> {
        self.from_query.then(|| {
            format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE_S}; SameSite=Lax; Secure",
                self.lang.code()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_ten_languages_one_of_them_right_to_left() {
        assert!(LANGS.len() >= 10, "{}", LANGS.len());
        assert!(LANGS.iter().any(|l| l.rtl));
        assert_eq!(Lang::ENGLISH.code(), "en");
        for lang in Lang::all() {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    /// build.rs refuses a catalogue that lacks a message or names other variables; this checks
    /// the tables it wrote: every message of every language is there, not empty, and has the
    /// reference's variables, each once at least.
    #[test]
    fn every_catalogue_has_every_message_with_the_same_placeholders() {
        let vars = |lang: Lang, index: usize| {
            let mut v: Vec<&str> = lang
                .raw(index)
                .split("{$")
                .skip(1)
                .map(|rest| rest.split('}').next().unwrap_or(""))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        assert_eq!(IDS.len(), MESSAGE_COUNT);
        for lang in Lang::all() {
            for (index, id) in IDS.iter().enumerate() {
                assert!(
                    !lang.raw(index).trim().is_empty(),
                    "{}: {id} is empty",
                    lang.code()
                );
                assert_eq!(
                    vars(lang, index),
                    vars(Lang::ENGLISH, index),
                    "{}: {id}",
                    lang.code()
                );
            }
        }
    }

    /// The build's check refuses a catalogue that lacks a message, has one en.ftl does not, or
    /// names other variables (a missing one, an extra one, a misspelt one).
    #[test]
    fn the_build_refuses_a_catalogue_that_does_not_match_the_reference() {
        use std::collections::BTreeMap;
        let reference = catalogues::parse("hello = Hello { $name }!\nbye = Bye\n".to_owned(), "en");
        let check = |text: &str| {
            let theirs = catalogues::parse(text.to_owned(), "xx");
            catalogues::check(&reference, &BTreeMap::from([("xx".to_owned(), theirs)]))
        };
        assert!(check("hello = Hallo { $name }!\nbye = Tschüss\n").is_empty());
        let problems = [
            ("hello = Hallo { $name }!\n", "has no bye"),
            ("hello = Hallo!\nbye = Tschüss\n", "hello: variables"),
            (
                "hello = Hallo { $name } { $x }!\nbye = Tschüss\n",
                "hello: variables",
            ),
            (
                "hello = Hallo { $nmae }!\nbye = Tschüss\n",
                "hello: variables",
            ),
            (
                "hello = Hallo { $name }!\nbye = Tschüss\nextra = Mehr\n",
                "extra: not in en.ftl",
            ),
        ];
        for (text, expected) in problems {
            let found = check(text);
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{text:?}: {found:?}"
            );
        }
        // Only text and variables: a select expression is refused at parse time.
        let select = std::panic::catch_unwind(|| {
            catalogues::parse("n = { $n -> [one] one *[other] many }\n".to_owned(), "xx")
        });
        assert!(select.is_err());
    }

    #[test]
    fn accept_language_picks_the_best_we_speak() {
        let code = |h: &str| Lang::negotiate(h).map(Lang::code);
        assert_eq!(code("de-DE,de;q=0.9,en;q=0.8"), Some("de"));
        assert_eq!(code("xx, pt-BR;q=0.5, en;q=0.4"), Some("pt"));
        assert_eq!(code("en;q=0.2, ar;q=0.9"), Some("ar"));
        assert_eq!(code("ja;q=0, fr;q=0.1"), Some("fr"));
        assert_eq!(code("tlh, *"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn the_query_wins_and_is_kept_then_the_cookie_then_the_header() {
        let chosen = Chosen::of(Some("NL"), Some("fr"), Some("de"));
        assert_eq!((chosen.lang.code(), chosen.from_query), ("nl", true));
        assert!(chosen
            .cookie()
            .unwrap()
            .starts_with("waitroom_lang=nl; Path=/;"));
        let chosen = Chosen::of(Some("xx"), Some("fr"), Some("de"));
        assert_eq!((chosen.lang.code(), chosen.cookie()), ("fr", None));
        assert_eq!(Chosen::of(None, Some("bad"), Some("de")).lang.code(), "de");
        assert_eq!(Chosen::of(None, None, None).lang, Lang::ENGLISH);
    }

    #[test]
    fn markup_in_a_message_is_escaped_except_the_pages_own() {
        let lang = Lang::ENGLISH;
        let html = lang.not_found_body("<code>/s/x</code>").0;
        assert!(html.contains("<code>/s/x</code>"), "{html}");
        let json = lang.script_messages();
        assert!(!json.contains('<') && json.starts_with('{'), "{json}");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(parsed["js-place-announce"]
            .as_str()
            .unwrap()
            .contains("{$position}"));
        // Every message of a script is there, in every language.
        for lang in Lang::all() {
            let parsed: serde_json::Value = serde_json::from_str(&lang.script_messages()).unwrap();
            assert_eq!(parsed.as_object().unwrap().len(), SCRIPT_MESSAGES.len());
        }
        // Plain text: a value is as given (askama escapes the page).
        let words = Lang::from_code("de").unwrap().busy_retry_again(7, "<3>");
        assert!(
            words.contains("in 7 Sekunden") && words.contains("Versuch <3>"),
            "{words}"
        );
        // Markup: text and plain values escaped.
        let html = Lang::ENGLISH.prequeue_draw("<a>link</a>", "<time>").0;
        assert!(
            html.starts_with("You&#39;re in the pre-queue. At <time> everyone"),
            "{html}"
        );
    }
}
