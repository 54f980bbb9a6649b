//! The languages other than English, loaded at run time (issue 21: the edge module's size).
//!
//! English is compiled in (the reference and the fallback); build.rs writes every other
//! language's table as a static asset, `static/i18n/<code>.<TABLES_VERSION>.bin` (its message
//! starts as little-endian u32, then its text), and [`Chosen::loaded`] fetches the chosen
//! language's through the ASSETS binding once per isolate, keeps it for the isolate's life and
//! checks it before any page reads it. A table that cannot be had or does not check out is
//! logged and the page is in English: never a 500.

use super::{Chosen, Lang, ENGLISH_STARTS, ENGLISH_TEXT, LANGS, MESSAGE_COUNT, TABLES_VERSION};
use std::sync::OnceLock;

/// One language's messages, one after the other, and where each starts (and the last ends).
#[derive(Debug)]
pub(super) struct Table {
    pub text: &'static str,
    pub starts: &'static [u32],
}

static ENGLISH: Table = Table {
    text: ENGLISH_TEXT,
    starts: &ENGLISH_STARTS,
};

/// The loaded tables, by language (English's stays empty). Set once each, for the isolate's
/// life: at most one leaked table per language.
static LOADED: [OnceLock<Table>; LANGS.len()] = [const { OnceLock::new() }; LANGS.len()];

/// The table of `lang`, if it is English or loaded.
pub(super) fn table(lang: Lang) -> Option<&'static Table> {
    if lang == Lang::ENGLISH {
        return Some(&ENGLISH);
    }
    #[cfg(test)]
    {
        // Unit tests read the tables build.rs wrote, through the same check.
        return Some(LOADED[lang.0].get_or_init(|| {
            decode(super::BUNDLED[lang.0]).unwrap_or_else(|e| panic!("{}: {e}", lang.code()))
        }));
    }
    #[allow(unreachable_code)]
    LOADED.get(lang.0)?.get()
}

/// Where the table of `lang` is among the assets.
pub fn asset_path(lang: Lang) -> String {
    format!("/i18n/{}.{TABLES_VERSION}.bin", lang.code())
}

/// A table as the asset has it, checked: as many messages as English, each start on a character
/// boundary and none before the one before it, the last at the text's end.
pub(super) fn decode(bytes: &[u8]) -> Result<Table, String> {
    let head = 4 * (MESSAGE_COUNT + 1);
    if bytes.len() < head {
        return Err(format!("{} bytes, fewer than its starts", bytes.len()));
    }
    let text = std::str::from_utf8(&bytes[head..]).map_err(|e| format!("text: {e}"))?;
    let starts: Vec<u32> = bytes[..head]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let mut before = 0;
    for &start in &starts {
        let at = start as usize;
        if start < before || !text.is_char_boundary(at) {
            return Err(format!("a start at {start} out of place"));
        }
        before = start;
    }
    if starts.first() != Some(&0) || starts.last().map(|&s| s as usize) != Some(text.len()) {
        return Err("starts do not cover the text".into());
    }
    Ok(Table {
        text: Box::leak(text.to_owned().into_boxed_str()),
        starts: Box::leak(starts.into_boxed_slice()),
    })
}

impl Chosen {
    /// This choice with its language's table loaded (once per isolate, through the ASSETS
    /// binding), or English where it cannot be (logged; the fan's cookie is left as it was).
    pub async fn loaded(self, env: &worker::Env, request_id: &str) -> Chosen {
        if table(self.lang).is_some() {
            return self;
        }
        match fetch(self.lang, env).await {
            Ok(loaded) => {
                // Two requests may have loaded it at once: the first kept is the one.
                let _ = LOADED[self.lang.0].set(loaded);
                self
            }
            Err(e) => {
                worker::console_error!(
                    "request {request_id}: the {} table could not be loaded, the page is in English: {e}",
                    self.lang.code()
                );
                Chosen {
                    lang: Lang::ENGLISH,
                    from_query: false,
                }
            }
        }
    }
}

async fn fetch(lang: Lang, env: &worker::Env) -> Result<Table, String> {
    let assets = env
        .assets(crate::routes::ASSETS_BINDING)
        .map_err(|e| e.to_string())?;
    let url = format!("https://assets.invalid{}", asset_path(lang));
    let mut response = assets.fetch(url, None).await.map_err(|e| e.to_string())?;
    if response.status_code() != 200 {
        return Err(format!("{}: {}", asset_path(lang), response.status_code()));
    }
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    decode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table that is cut short, not UTF-8, or whose starts run backwards, split a character or
    /// miss the text's end is refused (the page is then in English), and a good one is read.
    #[test]
    fn a_table_that_does_not_check_out_is_refused() {
        let de = Lang::from_code("de").unwrap();
        let good = super::super::BUNDLED[de.0];
        let table = decode(good).unwrap();
        assert_eq!(table.starts.len(), MESSAGE_COUNT + 1);
        assert_eq!(de.busy_title(), table_text(&table, busy_title_index()));
        let head = 4 * (MESSAGE_COUNT + 1);
        assert!(decode(&good[..head - 1]).is_err());
        assert!(
            decode(&good[..good.len() - 1]).is_err(),
            "the last start past the end"
        );
        let mut bad_utf8 = good.to_vec();
        bad_utf8.push(0xff);
        assert!(decode(&bad_utf8).is_err());
        let mut backwards = good.to_vec();
        backwards[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&backwards).is_err());
        // A start inside a multi-byte character (Japanese has them everywhere).
        let ja = super::super::BUNDLED[Lang::from_code("ja").unwrap().0];
        let mut split = ja.to_vec();
        let second = u32::from_le_bytes([split[4], split[5], split[6], split[7]]);
        split[4..8].copy_from_slice(&(second + 1).to_le_bytes());
        assert!(decode(&split).is_err());
        assert!(asset_path(de).starts_with("/i18n/de.") && asset_path(de).ends_with(".bin"));
    }

    fn busy_title_index() -> usize {
        super::super::IDS
            .iter()
            .position(|id| *id == "busy-title")
            .unwrap()
    }

    fn table_text(table: &Table, index: usize) -> &'static str {
        &table.text[table.starts[index] as usize..table.starts[index + 1] as usize]
    }
}
