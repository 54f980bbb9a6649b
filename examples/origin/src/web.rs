//! The web server: the purchase page that admits fans with their pass, the complete and release
//! actions, and a status page.

use crate::app::{now_secs, App};
use crate::checkins::{FinishError, Stage};
use crate::edge::{EdgeError, Outcome};
use crate::log;
use crate::pages::{self, StatusCounts};
use crate::pass::{self, Pass, PassError};
use crate::shutdown::Shutdown;
use crate::{ids, windows::Window};
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Form posts are a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/status.json", get(status_json))
        .route("/healthz", get(healthz))
        .route("/purchase", get(purchase).post(purchase_form))
        .route("/purchase/checkout", get(checkout))
        .route("/purchase/complete", post(complete))
        .route("/purchase/release", post(release))
        .route("/store", get(store))
        .route("/store/{*rest}", get(store))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// Serves until shutdown is requested, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    mut shutdown: Shutdown,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await
}

/// An HTML answer that is never cached and never leaks the URL (which holds the pass).
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// The store behind the waiting room's path protection (`make dev`'s second sale guards `/store`
/// on the edge): reached only through the edge, which says who the fan is in `Waitroom-Fan`
/// (their pass in `Waitroom-Pass`, or why they skipped the line in `Waitroom-Bypass`).
async fn store(headers: HeaderMap) -> Response {
    let said = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(pages::escape)
    };
    let who = match (said("waitroom-fan"), said("waitroom-bypass")) {
        (Some(fan), _) => format!("You are fan <code>{fan}</code>, admitted by the waiting room."),
        (None, Some(why)) => format!("You skipped the line (<code>{why}</code>)."),
        (None, None) => "You reached the store directly, not through the waiting room.".to_owned(),
    };
    html(
        StatusCode::OK,
        format!(
            "<!doctype html><meta charset=utf-8><title>Demo store</title>\
             <h1>Demo store</h1><p>{who}</p><p>This path is protected by the waiting room's \
             path protection: no code here checks anything.</p>"
        ),
    )
}

async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({ "ok": true }))).into_response()
}

async fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        pages::error(
            "Not found",
            "There is no page at this address.",
            "The purchase page is /purchase.",
            None,
        ),
    )
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

fn counts(app: &App) -> StatusCounts {
    let now = now_secs();
    app.ledger(|l| {
        let stats = l.stats();
        StatusCounts {
            checked_in: stats.checked_in,
            shopping: l.shopping(now),
            completed: stats.completed,
            released: stats.released,
            refused: stats.refused,
        }
    })
}

fn status_value(app: &App) -> serde_json::Value {
    let windows: Vec<serde_json::Value> = app.windows(|ws| {
        ws.iter()
            .map(|w| {
                json!({
                    "name": w.name,
                    "capacity": w.capacity,
                    "free": w.free(),
                    "fans": w.slots(),
                })
            })
            .collect()
    });
    let c = counts(app);
    json!({
        "sale": app.config.sale,
        "edge_url": app.config.edge_url.as_str(),
        "windows": windows,
        "passes": {
            "checked_in": c.checked_in,
            "on_purchase_page": c.shopping,
            "completed": c.completed,
            "released": c.released,
            "refused": c.refused,
        },
    })
}

async fn status_json(State(app): State<Arc<App>>) -> Response {
    let mut response = Json(status_value(&app)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if wants_json(&headers) {
        return status_json(State(app)).await;
    }
    let windows: Vec<Window> = app.windows(|ws| ws.iter().cloned().collect());
    let page = pages::status(
        &app.config.sale,
        app.config.edge_url.as_str(),
        &windows,
        &counts(&app),
    );
    html(StatusCode::OK, page)
}

/// Counts and logs a refused pass, and renders the refusal.
fn refuse_pass(app: &App, status: StatusCode, reason: &PassError) -> Response {
    app.ledger(|l| l.note_refused());
    log::warning!("purchase: pass refused ({}): {reason}", status.as_u16());
    let hint = match reason {
        PassError::Expired => "Your turn is over. You can join the queue again from the sale page.",
        PassError::WrongAudience => "Use the link the waiting room gave you for this sale.",
        _ => "Use the purchase link the waiting room gave you when it was your turn.",
    };
    html(
        status,
        pages::error("Pass refused", &reason.to_string(), hint, None),
    )
}

/// The cookie that carries a check-in's session from the redirect to the purchase page.
const CHECKOUT_COOKIE: &str = "demo_checkout";

/// `GET /purchase?pass=<jwt>` (`pass_delivery: query`): admits the pass's fan once, then
/// redirects to the purchase page so the pass does not stay in the address bar, the history or
/// a `Referer`. Without a `pass` in the query (`pass_delivery: fragment`, the pass after `#`,
/// which no server sees): a page whose script moves it into a POST.
async fn purchase(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let token = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "pass")
            .map(|(_, v)| v.into_owned())
    });
    match token {
        None => html(StatusCode::OK, pages::fragment_pass()),
        Some(token) => admit(&app, token).await,
    }
}

/// The form a `POST /purchase` carries (`pass_delivery: form_post`, and the fragment page).
#[derive(Deserialize)]
struct PassForm {
    #[serde(default)]
    pass: String,
}

/// `POST /purchase` with `pass=<jwt>`: admits the pass's fan once, then redirects.
async fn purchase_form(
    State(app): State<Arc<App>>,
    form: Result<Form<PassForm>, FormRejection>,
) -> Response {
    let token = form.map(|Form(f)| f.pass).unwrap_or_default();
    admit(&app, token).await
}

/// `GET /purchase/checkout`: the purchase page of the check-in whose session the cookie holds.
async fn checkout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CHECKOUT_COOKIE)
        .map(|(_, value)| value.to_owned());
    let pass = session
        .as_deref()
        .and_then(|s| app.ledger(|l| l.shopping_with(s)));
    let (Some(session), Some(pass)) = (session, pass) else {
        return html(
            StatusCode::FORBIDDEN,
            pages::error(
                "No purchase in progress",
                "This browser has no open purchase here.",
                "Join the queue on the sale page; when it's your turn you will be sent here.",
                None,
            ),
        );
    };
    html(
        StatusCode::OK,
        pages::purchase(&pass, pass.seconds_left(now_secs()), &session),
    )
}

/// Checks `token` in (once per `jti`) and redirects to the purchase page, the check-in's session
/// in a cookie; or the page saying why not.
async fn admit(app: &App, token: String) -> Response {
    if token.is_empty() {
        app.ledger(|l| l.note_refused());
        return html(
            StatusCode::BAD_REQUEST,
            pages::error(
                "No admission pass",
                "This page needs the admission pass from the waiting room.",
                "Join the queue on the sale page; when it's your turn you will be sent here.",
                None,
            ),
        );
    };
    let kid = match pass::peek_kid(&token) {
        Ok(kid) => kid,
        Err(e) => return refuse_pass(app, StatusCode::FORBIDDEN, &e),
    };
    let keys = match app.jwks.keys_for(&kid).await {
        Ok(keys) => keys,
        Err(e) => {
            log::warning!("purchase: cannot verify a pass: {e}");
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                pages::error(
                    "Cannot check your pass right now",
                    "The waiting room's signing keys could not be fetched.",
                    "Your pass is still good: reload this page in a few seconds.",
                    None,
                ),
            );
        }
    };
    let now = now_secs();
    let pass = match pass::verify(&token, &keys, &app.policy, now) {
        Ok(pass) => pass,
        Err(e) => return refuse_pass(app, StatusCode::FORBIDDEN, &e),
    };
    let session = match ids::random_hex(16) {
        Ok(session) => session,
        Err(e) => {
            log::error!("purchase: no randomness for a session: {e}");
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                pages::error(
                    "Please try again",
                    "The shop is briefly unavailable.",
                    "Reload in a moment.",
                    None,
                ),
            );
        }
    };
    if let Err(reused) = app.ledger(|l| l.check_in(pass.clone(), session.clone(), now)) {
        app.ledger(|l| l.note_refused());
        log::warning!(
            "purchase: pass {} (seq {}) reused; it {}",
            pass.jti,
            pass.seq,
            reused.stage.describe()
        );
        let ago = pages::human_duration(now.saturating_sub(reused.checked_in_at));
        return html(
            StatusCode::CONFLICT,
            pages::error(
                "Pass already used",
                &format!(
                    "This pass was already used here {ago} ago, and it {}. Each pass admits once.",
                    reused.stage.describe()
                ),
                "If that was you, continue in the tab where you opened it first.",
                None,
            ),
        );
    }
    let ours = app.windows(|ws| match ws.get_mut(&pass.window) {
        Some(w) => {
            w.check_in(&pass.fan_id, pass.seq, pass.expires_at);
            true
        }
        None => false,
    });
    if !ours {
        log::warning!(
            "purchase: seq {} was assigned to `{}`, which this origin does not run",
            pass.seq,
            pass.window
        );
    }
    log::info!(
        "purchase: seq {} ({}) checked in at {}; {} s left",
        pass.seq,
        pass.fan_id,
        pass.window,
        pass.seconds_left(now)
    );
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/purchase/checkout")],
    )
        .into_response();
    let cookie = format!("{CHECKOUT_COOKIE}={session}; Path=/purchase; HttpOnly; SameSite=Lax");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The hidden fields of the purchase page's forms.
#[derive(Deserialize)]
struct FinishForm {
    jti: String,
    #[serde(default)]
    session: String,
}

async fn complete(
    State(app): State<Arc<App>>,
    form: Result<Form<FinishForm>, FormRejection>,
) -> Response {
    finish(&app, form, Outcome::Complete).await
}

async fn release(
    State(app): State<Arc<App>>,
    form: Result<Form<FinishForm>, FormRejection>,
) -> Response {
    finish(&app, form, Outcome::Release).await
}

fn done_page(pass: &Pass, outcome: Outcome) -> Response {
    let page = match outcome {
        Outcome::Complete => pages::order_confirmed(pass),
        Outcome::Release => pages::turn_released(pass),
    };
    html(StatusCode::OK, page)
}

/// Puts a purchase still being finished back to [`Stage::Shopping`] when dropped; a no-op once
/// [`crate::checkins::Ledger::end_finish`] has recorded how it ended.
struct ReopenOnDrop<'a> {
    app: &'a App,
    jti: &'a str,
}

impl Drop for ReopenOnDrop<'_> {
    fn drop(&mut self) {
        self.app.ledger(|l| l.end_finish(self.jti, Stage::Shopping));
    }
}

/// Ends a purchase at the edge (complete or release) and frees the window slot.
async fn finish(
    app: &App,
    form: Result<Form<FinishForm>, FormRejection>,
    outcome: Outcome,
) -> Response {
    let Ok(Form(form)) = form else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::error(
                "Incomplete form",
                "The purchase form was not sent in full.",
                "Go back and use the buttons on the purchase page.",
                None,
            ),
        );
    };
    let now = now_secs();
    let pass = match app.ledger(|l| l.begin_finish(&form.jti, &form.session, now)) {
        Ok(pass) => pass,
        Err(e) => {
            let status = match e {
                FinishError::AlreadyFinished(_) => StatusCode::CONFLICT,
                FinishError::NotCheckedIn | FinishError::WrongSession | FinishError::Expired => {
                    StatusCode::FORBIDDEN
                }
            };
            log::warning!("purchase: cannot finish {:?}: {e}", form.jti);
            return html(
                status,
                pages::error(
                    "Cannot finish this purchase",
                    &e.to_string(),
                    "Each pass allows one purchase, within its time.",
                    None,
                ),
            );
        }
    };
    // If this request is dropped mid-way (the client went away), the purchase page may try again.
    let _reopen = ReopenOnDrop {
        app,
        jti: &pass.jti,
    };
    let verb = match outcome {
        Outcome::Complete => "completed",
        Outcome::Release => "released",
    };
    let final_stage = match outcome {
        Outcome::Complete => Stage::Completed,
        Outcome::Release => Stage::Released,
    };
    let free_slot = || {
        app.windows(|ws| {
            if let Some(w) = ws.get_mut(&pass.window) {
                w.vacate(&pass.fan_id);
            }
        });
    };
    match app.edge.finish(&pass.fan_id, outcome).await {
        Ok(_) => {
            app.ledger(|l| l.end_finish(&pass.jti, final_stage));
            free_slot();
            log::info!(
                "purchase: seq {} {verb} at {}; slot freed",
                pass.seq,
                pass.window
            );
            done_page(&pass, outcome)
        }
        Err(EdgeError::Refused {
            status,
            code,
            message,
        }) if status == StatusCode::CONFLICT || status == StatusCode::NOT_FOUND => {
            free_slot();
            // A retry after a lost answer finds its own earlier success: show it as such.
            let same = matches!(
                (outcome, code.as_str()),
                (Outcome::Complete, "already_completed") | (Outcome::Release, "already_released")
            );
            if same {
                app.ledger(|l| l.end_finish(&pass.jti, final_stage));
                log::info!("purchase: seq {} was already {verb} at the edge", pass.seq);
                return done_page(&pass, outcome);
            }
            // The assignment ended otherwise (lapsed, or finished the other way): this page's
            // purchase is void.
            app.ledger(|l| l.end_finish(&pass.jti, Stage::Void));
            log::warning!(
                "purchase: the edge refused to mark seq {} {verb}: {code} {message}",
                pass.seq
            );
            let reason = if message.is_empty() {
                format!("The waiting room refused: {code}.")
            } else {
                format!("The waiting room refused: {message} ({code}).")
            };
            html(
                StatusCode::CONFLICT,
                pages::error(
                    "Cannot finish this purchase",
                    &reason,
                    "Your turn at this window has ended.",
                    None,
                ),
            )
        }
        Err(e) => {
            app.ledger(|l| l.end_finish(&pass.jti, Stage::Shopping));
            log::error!(
                "purchase: cannot mark seq {} {verb} at the edge: {e}",
                pass.seq
            );
            html(
                StatusCode::BAD_GATEWAY,
                pages::error(
                    "Please try again",
                    "The ticketing back end did not answer in time.",
                    "Your turn is still held while your pass is valid.",
                    Some((&pass.jti, &form.session)),
                ),
            )
        }
    }
}
