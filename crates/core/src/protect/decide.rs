//! The one decision a request on a protected path gets, in order: bypassed (a bypass path by every
//! reading, a staff secret, an address range) passes through without a session; a valid session
//! passes through (renewed in the second half of its life); anything else goes to the sale's door.

use super::bypass::secret_matches;
use super::path::every_reading_matches;
use super::session::{Session, SessionError};
use super::settings::Protect;
use crate::time::UnixMillis;
use std::net::IpAddr;

/// What the edge read from a request on a protected path.
#[derive(Debug, Default)]
pub struct Request<'a> {
    /// The raw path, as sent.
    pub path: &'a str,
    /// The fan's address (`CF-Connecting-IP`).
    pub ip: Option<IpAddr>,
    /// The value of the sale's staff header, if it is configured and sent.
    pub staff_header: Option<&'a str>,
    /// The value of the sale's staff cookie, if it is configured and sent.
    pub staff_cookie: Option<&'a str>,
    /// The session cookie, verified (`None`: none sent).
    pub session: Option<Result<Session, SessionError>>,
}

/// Why a request skipped the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bypassed {
    Path,
    Staff,
    Address,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Pass through, without a session.
    Bypass(Bypassed),
    /// Pass through with this session; `renewed`: set its cookie again.
    Pass { session: Session, renewed: bool },
    /// No valid session: the sale's door (the fan's turn, or the waiting page).
    Door,
}

pub fn decide(protect: &Protect, req: Request<'_>, now: UnixMillis) -> Decision {
    let bypass = &protect.bypass;
    if !bypass.paths.is_empty() && every_reading_matches(&bypass.paths, req.path) {
        return Decision::Bypass(Bypassed::Path);
    }
    if let Some(digest) = &bypass.secret_sha256 {
        let presented = [req.staff_header, req.staff_cookie];
        if presented
            .into_iter()
            .flatten()
            .any(|s| secret_matches(digest, s))
        {
            return Decision::Bypass(Bypassed::Staff);
        }
    }
    if req
        .ip
        .is_some_and(|ip| bypass.cidrs.iter().any(|c| c.contains(ip)))
    {
        return Decision::Bypass(Bypassed::Address);
    }
    match req.session {
        Some(Ok(session)) => match session.renewed(now, protect.session_s) {
            Some(renewed) => Decision::Pass {
                session: renewed,
                renewed: true,
            },
            None => Decision::Pass {
                session,
                renewed: false,
            },
        },
        _ => Decision::Door,
    }
}

/// Whether a fan's turn (in the state its assignment is in) starts a session: not once it is
/// completed (the origin ended their session, or reported the purchase), though its pass lasts.
pub fn turn_starts_session(state: crate::AssignmentState) -> bool {
    state != crate::AssignmentState::Completed
}

/// Whether the origin's `Waitroom-Session` response header ends the fan's session.
pub fn origin_ends_session(header: Option<&str>) -> bool {
    header.is_some_and(|v| v.trim().eq_ignore_ascii_case("end"))
}

#[cfg(test)]
mod tests {
    use super::super::settings::{BypassInput, ProtectInput};
    use super::*;
    use crate::ids::SaleId;

    fn protect() -> Protect {
        Protect::parse(ProtectInput {
            origin: "https://origin.example".into(),
            hosts: vec!["shop.example".into()],
            paths: vec!["/*".into()],
            bypass: Some(BypassInput {
                paths: vec!["/static/*".into()],
                header: Some("X-Staff".into()),
                secret: Some("staff-secret-staff-secret-1".into()),
                cidrs: vec!["10.0.0.0/8".into()],
                ..Default::default()
            }),
            session_s: Some(60),
            ..Default::default()
        })
        .unwrap()
    }

    fn session(exp: u64) -> Session {
        Session {
            sale: SaleId::parse("shop").unwrap(),
            fan: "f".into(),
            seq: 1,
            hand: 0,
            pass: "p".into(),
            exp,
        }
    }

    #[test]
    fn bypasses_come_first_and_only_with_the_right_secret() {
        let p = protect();
        let now = UnixMillis(0);
        let d = |r: Request| decide(&p, r, now);
        assert_eq!(
            d(Request {
                path: "/static/a.css",
                ..Default::default()
            }),
            Decision::Bypass(Bypassed::Path)
        );
        assert_eq!(
            d(Request {
                path: "/static/../store",
                ..Default::default()
            }),
            Decision::Door
        );
        assert_eq!(
            d(Request {
                path: "/store",
                staff_header: Some("staff-secret-staff-secret-1"),
                ..Default::default()
            }),
            Decision::Bypass(Bypassed::Staff)
        );
        assert_eq!(
            d(Request {
                path: "/store",
                staff_header: Some("guess"),
                ..Default::default()
            }),
            Decision::Door
        );
        assert_eq!(
            d(Request {
                path: "/store",
                ip: "10.1.2.3".parse().ok(),
                ..Default::default()
            }),
            Decision::Bypass(Bypassed::Address)
        );
        assert_eq!(
            d(Request {
                path: "/store",
                ip: "11.1.2.3".parse().ok(),
                ..Default::default()
            }),
            Decision::Door
        );
    }

    #[test]
    fn a_valid_session_passes_and_is_renewed_late_in_its_life() {
        let p = protect();
        let pass = |s: Option<Result<Session, SessionError>>, now_s: u64| {
            decide(
                &p,
                Request {
                    path: "/store",
                    session: s,
                    ..Default::default()
                },
                UnixMillis(now_s * 1000),
            )
        };
        assert!(matches!(
            pass(Some(Ok(session(100))), 50),
            Decision::Pass { renewed: false, .. }
        ));
        match pass(Some(Ok(session(100))), 80) {
            Decision::Pass {
                session,
                renewed: true,
            } => assert_eq!(session.exp, 140),
            other => panic!("{other:?}"),
        }
        assert_eq!(pass(Some(Err(SessionError::Expired)), 0), Decision::Door);
        assert_eq!(pass(None, 0), Decision::Door);
    }

    #[test]
    fn a_completed_turn_starts_no_session() {
        use crate::AssignmentState as S;
        assert!(turn_starts_session(S::Assigned));

        assert!(!turn_starts_session(S::Completed));
    }

    #[test]
    fn only_end_ends_a_session() {
        assert!(origin_ends_session(Some("end")));
        assert!(origin_ends_session(Some(" End ")));
        assert!(!origin_ends_session(Some("keep")));
        assert!(!origin_ends_session(None));
    }
}
