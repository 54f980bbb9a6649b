//! Secrets and settings from the environment, parsed once per isolate.

use std::cell::RefCell;
use std::rc::Rc;
use waitroom_core::events::WebhookKey;
use waitroom_core::keys::pass::PassSigner;
use waitroom_core::keys::secrets::{ApiKeys, ConfigError, Secrets};
use worker::Env;

pub const DEFAULT_PASS_ISSUER: &str = "waitroom";

/// What every request needs from the environment.
pub struct Config {
    pub secrets: Secrets,
}

thread_local! {
    static LOADED: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

/// A secret, or else a var, by name (`None` when neither is set).
pub fn lookup(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
}

/// The configuration, parsed and checked on first use. A missing or weak secret is an error
/// naming the variable (never its value), and is re-checked on the next request.
pub fn load(env: &Env) -> Result<Rc<Config>, ConfigError> {
    if let Some(config) = LOADED.with(|c| c.borrow().clone()) {
        return Ok(config);
    }
    let secrets = Secrets::from_lookup(|name| lookup(env, name))?;
    let config = Rc::new(Config { secrets });
    LOADED.with(|c| *c.borrow_mut() = Some(config.clone()));
    Ok(config)
}

/// `WEBHOOK_SIGNING_KEY`, checked like the other secrets: needed only where a sale has a
/// `webhook_url` (refused at `PUT` without it; deliveries retry until it is set).
pub fn webhook_key(env: &Env) -> Result<WebhookKey, ConfigError> {
    const NAME: &str = "WEBHOOK_SIGNING_KEY";
    let value = lookup(env, NAME)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ConfigError {
            name: NAME,
            problem: "is not set".into(),
        })?;
    WebhookKey::parse(&value).map_err(|problem| ConfigError {
        name: NAME,
        problem,
    })
}

/// The pass-signing keys (`PASS_SIGNING_KEYS`, or the single `PASS_SIGNING_KEY`), parsed and
/// checked on first use. Only the full worker reads them: passes are signed by the coordinator object (its
/// answer to a claim and its pushed turns), and the JWKS is served by the full worker, so the
/// edge worker never reads the key (docs/operations.md, "Two Workers"): one place fewer holding it,
/// and no Ed25519 arithmetic in the module on the fan's path (docs/capacity.md, "Cold start").
pub fn pass_signer(env: &Env) -> Result<Rc<PassSigner>, ConfigError> {
    thread_local! {
        static PASS_SIGNER: RefCell<Option<Rc<PassSigner>>> = const { RefCell::new(None) };
    }
    parsed_once(&PASS_SIGNER, env, |lookup| {
        waitroom_core::keys::secrets::pass_signer(lookup)
    })
}

/// The promoter's and the origin's bearer keys (`ADMIN_KEY`, `ORIGIN_KEY`), parsed and checked on
/// first use. Only the full worker reads them: their routes are the full worker's (the edge hands them
/// over, `Route::served_by_full_worker`), so the edge worker never reads the keys
/// (docs/operations.md, "Two Workers"): a fan-facing isolate in every data centre holds neither.
pub fn api_keys(env: &Env) -> Result<Rc<ApiKeys>, ConfigError> {
    thread_local! {
        static API_KEYS: RefCell<Option<Rc<ApiKeys>>> = const { RefCell::new(None) };
    }
    parsed_once(&API_KEYS, env, |lookup| {
        waitroom_core::keys::secrets::api_keys(lookup)
    })
}

/// The deployment's VAPID keys for Web Push (`PUSH_VAPID_KEYS`, see [`crate::web_push::vapid`]),
/// parsed and checked on first use. Only the full worker reads them: its push route serves the
/// public key and its coordinator signs the pushes; a sale may call back only where they are set.
pub fn vapid_keys(env: &Env) -> Result<Rc<crate::web_push::vapid::VapidKeys>, ConfigError> {
    use crate::web_push::vapid::{VapidKeys, VAPID_KEYS};
    thread_local! {
        static VAPID: RefCell<Option<Rc<VapidKeys>>> = const { RefCell::new(None) };
    }
    parsed_once(&VAPID, env, |lookup| {
        VapidKeys::parse(&lookup(VAPID_KEYS).unwrap_or_default())
    })
}

/// `PUSH_VAPID_SUBJECT`: the contact push services may reach the operator at (`mailto:` or
/// `https:`), the VAPID JWT's `sub`; none when unset (some push services, Apple's, want one).
pub fn vapid_subject(env: &Env) -> Option<String> {
    lookup(env, "PUSH_VAPID_SUBJECT").filter(|v| !v.trim().is_empty())
}

/// A secret only the full worker reads, parsed by `parse` on first use and then kept in `cache` for
/// the isolate's life. The shared configuration ([`load`]) is checked first, as every route that
/// needs a secret checks it, so a broken shared secret is named before this one.
fn parsed_once<T>(
    cache: &'static std::thread::LocalKey<RefCell<Option<Rc<T>>>>,
    env: &Env,
    parse: impl FnOnce(&dyn Fn(&str) -> Option<String>) -> Result<T, ConfigError>,
) -> Result<Rc<T>, ConfigError> {
    load(env)?;
    if let Some(parsed) = cache.with(|c| c.borrow().clone()) {
        return Ok(parsed);
    }
    let parsed = Rc::new(parse(&|name| lookup(env, name))?);
    cache.with(|c| *c.borrow_mut() = Some(parsed.clone()));
    Ok(parsed)
}

/// `PASS_ISSUER`, the passes' `iss` (the default when unset or blank). Read by the full worker,
/// whose coordinator signs the passes.
pub fn pass_issuer(env: &Env) -> String {
    lookup(env, "PASS_ISSUER")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PASS_ISSUER.to_owned())
}

/// The environment's threshold for a slow run of the synthetic fan: `MONITOR_SLOW_MS`, or the
/// default.
pub fn slow_ms(env: &Env) -> u64 {
    env.var("MONITOR_SLOW_MS")
        .ok()
        .and_then(|v| v.to_string().trim().parse().ok())
        .unwrap_or(waitroom_core::monitor::DEFAULT_SLOW_MS)
}
