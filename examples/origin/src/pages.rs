//! The HTML pages. Everything interpolated goes through [`escape`].

use crate::pass::Pass;
use crate::windows::Window;
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A duration for people: `45 s`, `9 min 58 s`, `1 h 5 min`.
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

const STYLE: &str = r#"
:root { color-scheme: light dark; --accent: #4f46e5; --ok: #15803d; --bad: #b91c1c; --muted: #6b7280;
        --card: #ffffff; --bg: #f3f4f6; --text: #111827; --line: #e5e7eb; }
@media (prefers-color-scheme: dark) {
  :root { --card: #1f2937; --bg: #111827; --text: #f9fafb; --line: #374151; --muted: #9ca3af; }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center;
       padding: 2rem 1rem; background: var(--bg); color: var(--text);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.card { width: 100%; max-width: 34rem; background: var(--card); border-radius: 1rem; padding: 1.75rem;
        box-shadow: 0 10px 30px rgba(0,0,0,.08); border: 1px solid var(--line); }
.card.wide { max-width: 56rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .25rem; }
.sub { color: var(--muted); margin: 0 0 1.25rem; }
.ok h1 { color: var(--ok); }
.bad h1 { color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0 0 1.5rem; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 600; word-break: break-all; }
.timer { font-variant-numeric: tabular-nums; }
.actions { display: flex; flex-direction: column; gap: .75rem; }
form { margin: 0; }
button { width: 100%; font: inherit; font-weight: 600; padding: .85rem 1rem; border-radius: .6rem;
         cursor: pointer; border: 1px solid transparent; }
button.primary { background: var(--accent); color: #fff; }
button.primary:hover { filter: brightness(1.1); }
button.secondary { background: transparent; color: var(--text); border-color: var(--line); }
.reason { padding: .75rem 1rem; border-radius: .6rem; background: rgba(185,28,28,.08); margin: 0 0 1rem; }
table { width: 100%; border-collapse: collapse; margin: .5rem 0 1.25rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 500; }
code { font-size: .9em; }
"#;

const COUNTDOWN: &str = r#"
(function () {
  var el = document.getElementById("time-left");
  if (!el) return;
  var end = Number(el.getAttribute("data-expires")) * 1000;
  function fmt(s) {
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min";
  }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = left > 0 ? fmt(left) : "expired";
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
"#;

/// A complete document. `title` is text; `body` is HTML.
fn layout(title: &str, body: &str, script: bool) -> String {
    let script = if script {
        format!("<script>{COUNTDOWN}</script>")
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n{script}</body>\n</html>\n",
        escape(title)
    )
}

fn pass_details(pass: &Pass) -> String {
    format!(
        "<dl>\n<dt>Sale</dt><dd>{}</dd>\n<dt>Fan</dt><dd><code>{}</code></dd>\n\
         <dt>Window</dt><dd>{}</dd>\n<dt>Number in line</dt><dd>#{}</dd>\n",
        escape(&pass.sale),
        escape(&pass.fan_id),
        escape(&pass.window),
        pass.seq
    )
}

fn hidden_fields(jti: &str, session: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"jti\" value=\"{}\">\
         <input type=\"hidden\" name=\"session\" value=\"{}\">",
        escape(jti),
        escape(session)
    )
}

/// The page a fan lands on with an accepted pass.
pub fn purchase(pass: &Pass, seconds_left: u64, session: &str) -> String {
    let fields = hidden_fields(&pass.jti, session);
    let body = format!(
        "<main class=\"card ok\" id=\"purchase\" data-jti=\"{jti}\">\n\
         <h1>Pass accepted — you're in</h1>\n\
         <p class=\"sub\">It's your turn to buy tickets for <strong>{sale}</strong>.</p>\n\
         {details}<dt>Time left</dt><dd class=\"timer\" id=\"time-left\" data-expires=\"{exp}\">{left}</dd>\n</dl>\n\
         <div class=\"actions\">\n\
         <form method=\"post\" action=\"/purchase/complete\">{fields}\
         <button class=\"primary\" type=\"submit\" id=\"buy\">Buy tickets</button></form>\n\
         <form method=\"post\" action=\"/purchase/release\">{fields}\
         <button class=\"secondary\" type=\"submit\" id=\"release\">Give up my turn</button></form>\n\
         </div>\n</main>",
        jti = escape(&pass.jti),
        sale = escape(&pass.sale),
        details = pass_details(pass),
        exp = pass.expires_at,
        left = escape(&human_duration(seconds_left)),
    );
    layout("Pass accepted — your turn", &body, true)
}

/// `GET /purchase` without a pass in the query: for `pass_delivery: fragment`, the pass is after
/// `#`, which the browser never sends. This page's script takes it out of the address bar (so it
/// is not left in the history) and POSTs it to `/purchase`, like `form_post`.
pub fn fragment_pass() -> String {
    let body = "<main class=\"card\" id=\"fragment-pass\">\n\
         <h1 id=\"checking\">Checking your pass…</h1>\n\
         <div id=\"no-pass\" hidden><h1>No admission pass</h1>\n\
         <p>This page needs the admission pass from the waiting room.</p>\n\
         <p class=\"sub\">Join the queue on the sale page; when it's your turn you will be sent here.</p></div>\n\
         <form id=\"fragment-form\" method=\"post\" action=\"/purchase\">\
         <input type=\"hidden\" name=\"pass\" value=\"\">\
         <noscript><p>This page needs JavaScript to read your pass.</p></noscript></form>\n\
         </main>\n\
         <script>(() => {\n\
         const pass = new URLSearchParams(location.hash.slice(1)).get(\"pass\");\n\
         history.replaceState(null, \"\", location.pathname + location.search);\n\
         const form = document.getElementById(\"fragment-form\");\n\
         if (pass) { form.elements.pass.value = pass; form.submit(); }\n\
         else { document.getElementById(\"checking\").hidden = true; document.getElementById(\"no-pass\").hidden = false; }\n\
         })();</script>";
    layout("Checking your pass", body, false)
}

/// After buying.
pub fn order_confirmed(pass: &Pass) -> String {
    let body = format!(
        "<main class=\"card ok\" id=\"order\">\n<h1>Order confirmed</h1>\n\
         <p class=\"sub\">Enjoy the show! Your tickets for <strong>{}</strong> are booked.</p>\n{}</dl>\n</main>",
        escape(&pass.sale),
        pass_details(pass)
    );
    layout("Order confirmed", &body, false)
}

/// After giving up the turn.
pub fn turn_released(pass: &Pass) -> String {
    let body = format!(
        "<main class=\"card\" id=\"released\">\n<h1>Turn released</h1>\n\
         <p class=\"sub\">You gave up your turn for <strong>{}</strong>; the next fan in line gets it.</p>\n{}</dl>\n</main>",
        escape(&pass.sale),
        pass_details(pass)
    );
    layout("Turn released", &body, false)
}

/// A refusal. `retry` (a jti and session) adds buttons to try finishing again.
pub fn error(title: &str, reason: &str, hint: &str, retry: Option<(&str, &str)>) -> String {
    let retry = retry
        .map(|(jti, session)| {
            let fields = hidden_fields(jti, session);
            format!(
                "<div class=\"actions\">\n\
                 <form method=\"post\" action=\"/purchase/complete\">{fields}\
                 <button class=\"primary\" type=\"submit\">Try buying again</button></form>\n\
                 <form method=\"post\" action=\"/purchase/release\">{fields}\
                 <button class=\"secondary\" type=\"submit\">Give up my turn</button></form>\n</div>"
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<main class=\"card bad\" id=\"refused\">\n<h1>{}</h1>\n<p class=\"reason\" id=\"reason\">{}</p>\n\
         <p class=\"sub\">{}</p>\n{retry}\n</main>",
        escape(title),
        escape(reason),
        escape(hint)
    );
    layout(title, &body, false)
}

/// Counters for the status page.
pub struct StatusCounts {
    pub checked_in: u64,
    pub shopping: usize,
    pub completed: u64,
    pub released: u64,
    pub refused: u64,
}

/// The operator's overview at `GET /`.
pub fn status(sale: &str, edge: &str, windows: &[Window], counts: &StatusCounts) -> String {
    let mut rows = String::new();
    for w in windows {
        let fans = if w.slots().is_empty() {
            "<em>idle</em>".to_owned()
        } else {
            w.slots()
                .iter()
                .map(|s| {
                    format!(
                        "#{} <code>{}</code> ({})",
                        s.seq,
                        escape(&s.fan_id),
                        if s.checked_in() {
                            "on purchase page"
                        } else {
                            "awaiting claim"
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}/{}</td><td>{fans}</td></tr>",
            escape(&w.name),
            w.slots().len(),
            w.capacity
        );
    }
    let body = format!(
        "<main class=\"card wide\" id=\"status\">\n<h1>Demo origin</h1>\n\
         <p class=\"sub\">Sale <strong>{}</strong> via <code>{}</code> · <a href=\"/status.json\">JSON</a></p>\n\
         <table>\n<tr><th>Window</th><th>Busy</th><th>Fans</th></tr>\n{rows}</table>\n\
         <dl>\n<dt>Checked in</dt><dd>{}</dd>\n<dt>On purchase page</dt><dd>{}</dd>\n\
         <dt>Completed</dt><dd>{}</dd>\n<dt>Released</dt><dd>{}</dd>\n<dt>Refused passes</dt><dd>{}</dd>\n</dl>\n</main>",
        escape(sale),
        escape(edge),
        counts.checked_in,
        counts.shopping,
        counts.completed,
        counts.released,
        counts.refused
    );
    layout("Demo origin", &body, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass() -> Pass {
        Pass {
            sale: "demo".into(),
            fan_id: "fan_<script>".into(),
            window: "window-1".into(),
            seq: 3,
            jti: "demo.3\"><b>".into(),
            issued_at: 0,
            expires_at: 600,
        }
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn purchase_page_has_what_tests_look_for_and_nothing_raw() {
        let html = purchase(&pass(), 598, "sess'ion");
        assert!(html.contains("Pass accepted"));
        assert!(html.contains("id=\"purchase\""));
        assert!(html.contains("action=\"/purchase/complete\""));
        assert!(html.contains("action=\"/purchase/release\""));
        assert!(html.contains("9 min 58 s"));
        assert!(!html.contains("<script>\"") && !html.contains("fan_<script>"));
        assert!(!html.contains("demo.3\"><b>"));
        assert!(html.contains("sess&#39;ion"));
    }

    #[test]
    fn result_pages() {
        assert!(order_confirmed(&pass()).contains("Order confirmed"));
        assert!(turn_released(&pass()).contains("Turn released"));
        let page = error("Pass refused", "<bad>", "hint", None);
        assert!(page.contains("&lt;bad&gt;") && !page.contains("<bad>"));
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(598), "9 min 58 s");
        assert_eq!(human_duration(3900), "1 h 5 min");
    }
}
