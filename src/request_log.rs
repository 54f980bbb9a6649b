//! One structured log line per request: what was asked, what was answered, how long it took.
//! Never a token, pass, key or cookie: only the route's name and the sale id from the path.
//!
//! Lines that scale: a plain success of a route that carries the crowd (a poll, a page view, a
//! static file: [`CROWD_ROUTES`], `GET`/`HEAD` answered below 400) is written for
//! [`SAMPLE_VAR`] percent of requests only (default 100), chosen by the request's id (so a
//! request is in or out of the sample in both Workers alike); every error, refusal and state
//! change (a join, any `POST`/`PUT`, anything not `ok`) is always written (docs/operations.md,
//! "Logs you can search").

use serde::Serialize;
use std::cell::Cell;
use worker::Env;

/// The var that sets the percentage of crowd lines written (0 to 100; unset: 100).
pub const SAMPLE_VAR: &str = "LOG_SAMPLE_PERCENT";

/// The routes whose plain successes are sampled: what every fan asks again and again.
pub const CROWD_ROUTES: &[&str] = &[
    "status",
    "sale_page",
    "sale_info",
    "challenge",
    "draw",
    "asset",
    "brand_css",
    "health",
];

/// The fields of a request's log line.
#[derive(Debug, Serialize)]
pub struct RequestLine<'a> {
    pub request_id: &'a str,
    pub method: &'a str,
    /// The route's name (`status`, `join`, `admin_report`, ...), `asset` or `unknown`.
    pub route: &'static str,
    pub sale: Option<&'a str>,
    pub status: u16,
    pub duration_ms: u64,
    /// Durable Object calls the request made (coordinator, shards, registry).
    pub object_calls: u32,
    /// `ok`, or the error code answered.
    pub outcome: &'static str,
}

impl RequestLine<'_> {
    /// The line as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl RequestLine<'_> {
    /// A plain success of a crowd route: the lines that are sampled.
    fn is_crowd(&self) -> bool {
        matches!(self.method, "GET" | "HEAD")
            && self.outcome == "ok"
            && self.status < 400
            && CROWD_ROUTES.contains(&self.route)
    }

    /// Whether the line is written when `percent` % of crowd lines are.
    pub fn is_written(&self, percent: u8) -> bool {
        !self.is_crowd() || bucket(self.request_id) < percent
    }
}

/// The request's place in the sample, 0..100: FNV-1a of its id.
fn bucket(request_id: &str) -> u8 {
    let hash = request_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % 100) as u8
}

/// [`SAMPLE_VAR`] as a percentage: unset or unreadable, 100 (an unreadable one is logged).
pub fn parse_percent(value: Option<&str>) -> Result<u8, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(100),
        Some(text) => match text.parse::<u8>() {
            Ok(p) if p <= 100 => Ok(p),
            _ => Err(format!("{SAMPLE_VAR} is {text:?}, not 0 to 100")),
        },
    }
}

/// This isolate's [`SAMPLE_VAR`], read once.
fn sample_percent(env: &Env) -> u8 {
    thread_local! {
        static PERCENT: Cell<Option<u8>> = const { Cell::new(None) };
    }
    PERCENT.with(|p| {
        *p.get().get_or_insert_with(|| {
            let value = crate::config::lookup(env, "LOG_SAMPLE_PERCENT");
            parse_percent(value.as_deref()).unwrap_or_else(|e| {
                worker::console_error!("{e}: every line is written");
                100
            })
        })
    })
}

/// Writes the line to the Worker's log, unless it is a crowd line out of the sample.
pub fn log(line: &RequestLine, env: &Env) {
    if line.is_written(sample_percent(env)) {
        worker::console_log!("{}", line.to_json());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_the_route_and_the_sale_only() {
        let line = RequestLine {
            request_id: "8f1c",
            method: "GET",
            route: "status",
            sale: Some("tour"),
            status: 200,
            duration_ms: 3,
            object_calls: 1,
            outcome: "ok",
        };
        assert_eq!(
            line.to_json(),
            r#"{"request_id":"8f1c","method":"GET","route":"status","sale":"tour","status":200,"duration_ms":3,"object_calls":1,"outcome":"ok"}"#
        );
    }

    fn line<'a>(id: &'a str, method: &'a str, route: &'static str, status: u16) -> RequestLine<'a> {
        RequestLine {
            request_id: id,
            method,
            route,
            sale: None,
            status,
            duration_ms: 1,
            object_calls: 0,
            outcome: if status < 400 { "ok" } else { "refused" },
        }
    }

    #[test]
    fn crowd_successes_are_sampled_and_everything_else_is_always_written() {
        let poll = line("a", "GET", "status", 200);
        assert!(poll.is_written(100));
        assert!(!poll.is_written(0));
        for always in [
            line("a", "GET", "status", 401),
            line("a", "GET", "status", 503),
            line("a", "POST", "join", 201),
            line("a", "POST", "sale_page", 303),
            line("a", "PUT", "admin_sale", 200),
            line("a", "POST", "pull", 200),
            line("a", "GET", "admin_sales", 200),
        ] {
            assert!(always.is_written(0), "{}", always.to_json());
        }
        // A busy page is a 503 answered "busy": written.
        let mut busy = line("a", "GET", "sale_page", 503);
        busy.outcome = "busy";
        assert!(busy.is_written(0));
    }

    #[test]
    fn the_sample_is_about_the_percentage_and_the_same_for_the_same_request() {
        let written = (0..10_000)
            .filter(|i| line(&format!("req-{i}"), "GET", "status", 200).is_written(10))
            .count();
        assert!(
            (800..1_200).contains(&written),
            "{written} of 10,000 at 10 %"
        );
        let one = line("8f1c0a", "GET", "asset", 200);
        assert_eq!(one.is_written(37), one.is_written(37));
    }

    #[test]
    fn the_setting_reads_0_to_100() {
        assert_eq!(parse_percent(None), Ok(100));
        assert_eq!(parse_percent(Some(" 5 ")), Ok(5));
        assert_eq!(parse_percent(Some("0")), Ok(0));
        assert!(parse_percent(Some("101")).is_err());
        assert!(parse_percent(Some("half")).is_err());
    }
}
