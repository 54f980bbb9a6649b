//! One structured log line per request: what was asked, what was answered, how long it took.
//! Never a token, pass, key or cookie: only the route's name and the sale id from the path.

use serde::Serialize;

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

/// Writes the line to the Worker's log.
pub fn log(line: &RequestLine) {
    worker::console_log!("{}", line.to_json());
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
}
