//! The paths of the contract (docs/api.md), parsed with their parameters and actions: what the
//! request's handler, its log line and each Worker's [`super::Backstage`] go by.

use super::admin::SaleAction;
use super::origin::Outcome;

/// A path of the contract, with its parameters. (The edge worker parses the routes it hands to
/// the full worker too, to refuse a bad path at once.)
pub enum Route<'a> {
    Health,
    Jwks,
    /// A sale page's colours: `/brand/{rrggbb}.css`.
    BrandCss(&'a str),
    SalePage(&'a str),
    SaleInfo(&'a str),
    Join(&'a str),
    /// A proof-of-work challenge for a new place.
    Challenge(&'a str),
    Status(&'a str),
    /// The fan's WebSocket (the turn, pushed).
    Socket(&'a str),
    /// The pre-queue's draw: `GET /api/sales/{sale}/draw`.
    Draw(&'a str),
    /// A one-time link that moves the fan's place to another device (JSON).
    MoveLink(&'a str),
    /// Taking a place over with a move link's code (JSON).
    Move(&'a str),
    /// The place's Web Push subscriptions (JSON): `GET`, `POST`, `DELETE`.
    Push(&'a str),
    /// The waiting page's "continue on another device" form: the page with the link.
    MoveLinkPage(&'a str),
    /// The page that takes a place over on this device, and its form.
    MovePage(&'a str),
    /// A party link to the fan's place (JSON; docs/api.md, "Come as a party").
    PartyLink(&'a str),
    /// The party the token is in: `GET` (JSON).
    Party(&'a str),
    /// Joining a party with a party link's code (JSON).
    PartyJoin(&'a str),
    /// A member leaves their party (JSON).
    PartyLeave(&'a str),
    /// The waiting page's "invite friends" form: the page with the party link.
    PartyLinkPage(&'a str),
    /// A party link's page (join, or a member's party), and its join form.
    PartyPage(&'a str),
    /// A member's "leave the party" form.
    PartyLeavePage(&'a str),
    Pull(&'a str),
    Finish {
        sale: &'a str,
        fan: &'a str,
        outcome: Outcome,
    },
    Assignments(&'a str),
    AdminSales,
    AdminSale(&'a str),
    AdminControl {
        sale: &'a str,
        action: SaleAction,
    },
    AdminMonitor,
    /// `POST /api/admin/sales/{sale}/invitations`: invitation links signed by us.
    AdminInvitations(&'a str),
    /// `POST /api/sales/{sale}/assist`: a waiting fan asks for the assisted lane.
    Assist(&'a str),
    /// `POST /s/{sale}/assist`: the same, the waiting page's form.
    AssistForm(&'a str),
    /// The sale's public report: `GET /api/sales/{sale}/report` (JSON).
    PublicReport(&'a str),
    /// The sale's public report as a page: `GET /s/{sale}/report`.
    ReportPage(&'a str),
    /// `GET`/`PUT /api/admin/sales/{sale}/report`: the promoter's preview, and who may see it.
    AdminReport(&'a str),
    /// Test-only (`WAITROOM_TEST_FAULTS=1`, loopback): puts an undecodable message on the queue.
    TestPoison,
    /// The test fault switch: no route unless test faults are on (see [`crate::test_faults`]).
    AdminFault(&'a str),
    /// The test clock (`POST /api/admin/test/clock`): no route unless test faults are on (see
    /// [`crate::clock`]).
    TestClock,
    /// The registry's test switch (`PUT /api/admin/test/registry`): no route unless test faults
    /// are on.
    TestRegistry,
}

impl<'a> Route<'a> {
    /// The route of a path, with its actions parsed: an unknown action is no route (404).
    pub(super) fn parse(segments: &[&'a str]) -> Option<Self> {
        Some(match segments {
            ["healthz"] => Route::Health,
            [".well-known", "jwks.json"] => Route::Jwks,
            ["brand", file] => Route::BrandCss(file),
            ["s", sale] => Route::SalePage(sale),
            ["s", sale, "report"] => Route::ReportPage(sale),
            ["s", sale, "assist"] => Route::AssistForm(sale),
            ["api", "sales", sale, "assist"] => Route::Assist(sale),
            ["api", "sales", sale, "report"] => Route::PublicReport(sale),
            ["s", sale, "move"] => Route::MovePage(sale),
            ["s", sale, "move-link"] => Route::MoveLinkPage(sale),
            ["api", "sales", sale, "move"] => Route::Move(sale),
            ["api", "sales", sale, "move-link"] => Route::MoveLink(sale),
            ["api", "sales", sale, "push"] => Route::Push(sale),
            ["api", "sales", sale, "party-link"] => Route::PartyLink(sale),
            ["api", "sales", sale, "party"] => Route::Party(sale),
            ["api", "sales", sale, "party", "join"] => Route::PartyJoin(sale),
            ["api", "sales", sale, "party", "leave"] => Route::PartyLeave(sale),
            ["s", sale, "party-link"] => Route::PartyLinkPage(sale),
            ["s", sale, "party"] => Route::PartyPage(sale),
            ["s", sale, "party", "leave"] => Route::PartyLeavePage(sale),
            ["api", "sales", sale] => Route::SaleInfo(sale),
            ["api", "sales", sale, "join"] => Route::Join(sale),
            ["api", "sales", sale, "status"] => Route::Status(sale),
            ["api", "sales", sale, "challenge"] => Route::Challenge(sale),
            ["api", "sales", sale, "socket"] => Route::Socket(sale),
            ["api", "sales", sale, "draw"] => Route::Draw(sale),
            ["api", "origin", "sales", sale, "pull"] => Route::Pull(sale),
            ["api", "origin", "sales", sale, "assignments"] => Route::Assignments(sale),
            ["api", "origin", "sales", sale, "assignments", fan, action] => Route::Finish {
                sale,
                fan,
                outcome: Outcome::parse(action)?,
            },
            ["api", "admin", "monitor"] => Route::AdminMonitor,
            ["__test", "events", "poison"] => Route::TestPoison,
            ["api", "admin", "test", "clock"] => Route::TestClock,
            ["api", "admin", "test", "registry"] => Route::TestRegistry,
            ["api", "admin", "sales"] => Route::AdminSales,
            ["api", "admin", "sales", sale] => Route::AdminSale(sale),
            ["api", "admin", "sales", sale, "fault"] => Route::AdminFault(sale),
            ["api", "admin", "sales", sale, "invitations"] => Route::AdminInvitations(sale),
            ["api", "admin", "sales", sale, "report"] => Route::AdminReport(sale),
            ["api", "admin", "sales", sale, action] => Route::AdminControl {
                sale,
                action: SaleAction::parse(action)?,
            },
            _ => return None,
        })
    }

    /// The route's name, for the request log.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Route::Health => "health",
            Route::Jwks => "jwks",
            Route::BrandCss(_) => "brand_css",
            Route::SalePage(_) => "sale_page",
            Route::SaleInfo(_) => "sale_info",
            Route::Join(_) => "join",
            Route::Status(_) => "status",
            Route::Challenge(_) => "challenge",
            Route::Socket(_) => "socket",
            Route::Draw(_) => "draw",
            Route::MoveLink(_) => "move_link",
            Route::Move(_) => "move",
            Route::Push(_) => "push",
            Route::MoveLinkPage(_) => "move_link_page",
            Route::MovePage(_) => "move_page",
            Route::PartyLink(_) => "party_link",
            Route::Party(_) => "party",
            Route::PartyJoin(_) => "party_join",
            Route::PartyLeave(_) => "party_leave",
            Route::PartyLinkPage(_) => "party_link_page",
            Route::PartyPage(_) => "party_page",
            Route::PartyLeavePage(_) => "party_leave_page",
            Route::Pull(_) => "pull",
            Route::Finish { .. } => "finish",
            Route::Assignments(_) => "assignments",
            Route::AdminSales => "admin_sales",
            Route::AdminSale(_) => "admin_sale",
            Route::AdminControl { .. } => "admin_control",
            Route::AdminFault(_) => "admin_fault",
            Route::AdminMonitor => "admin_monitor",
            Route::AdminInvitations(_) => "admin_invitations",
            Route::PublicReport(_) => "public_report",
            Route::Assist(_) => "assist",
            Route::AssistForm(_) => "assist_form",
            Route::ReportPage(_) => "report_page",
            Route::AdminReport(_) => "admin_report",
            Route::TestPoison => "test_poison",
            Route::TestClock => "test_clock",
            Route::TestRegistry => "test_registry",
        }
    }

    /// The sale id segment of the path, if it has one.
    pub(super) fn sale(&self) -> Option<&'a str> {
        match *self {
            Route::SalePage(sale)
            | Route::SaleInfo(sale)
            | Route::Join(sale)
            | Route::Status(sale)
            | Route::Challenge(sale)
            | Route::Socket(sale)
            | Route::Draw(sale)
            | Route::MoveLink(sale)
            | Route::Move(sale)
            | Route::Push(sale)
            | Route::MoveLinkPage(sale)
            | Route::MovePage(sale)
            | Route::PartyLink(sale)
            | Route::Party(sale)
            | Route::PartyJoin(sale)
            | Route::PartyLeave(sale)
            | Route::PartyLinkPage(sale)
            | Route::PartyPage(sale)
            | Route::PartyLeavePage(sale)
            | Route::Pull(sale)
            | Route::Finish { sale, .. }
            | Route::Assignments(sale)
            | Route::AdminSale(sale)
            | Route::AdminControl { sale, .. }
            | Route::AdminInvitations(sale)
            | Route::PublicReport(sale)
            | Route::ReportPage(sale)
            | Route::Assist(sale)
            | Route::AssistForm(sale)
            | Route::AdminReport(sale)
            | Route::AdminFault(sale) => Some(sale),
            Route::Health
            | Route::Jwks
            | Route::BrandCss(_)
            | Route::AdminSales
            | Route::AdminMonitor
            | Route::TestPoison
            | Route::TestClock
            | Route::TestRegistry => None,
        }
    }

    /// Whether the edge worker hands this route to the full worker, which serves every route
    /// (docs/operations.md, "Two Workers"): the promoter's and the origin's calls and the JWKS.
    /// None of them is on a fan's path, and their code (sale settings, reports, pulls, invitation
    /// signing, the monitor) then stays out of the module each data centre starts at the opening
    /// second (docs/capacity.md, "Cold start"). Everything a fan's page or app calls stays at the
    /// edge.
    pub(super) fn served_by_full_worker(&self) -> bool {
        match self {
            Route::Jwks
            | Route::Pull(_)
            | Route::Finish { .. }
            | Route::Assignments(_)
            | Route::AdminSales
            | Route::AdminSale(_)
            | Route::AdminControl { .. }
            | Route::AdminMonitor
            | Route::AdminInvitations(_)
            | Route::AdminFault(_)
            | Route::TestPoison
            | Route::TestClock
            // After a sale, not at its opening second: kept out of the edge's module.
            | Route::PublicReport(_)
            | Route::ReportPage(_)
            | Route::AdminReport(_)
            | Route::TestRegistry
            // A fan's rare asks (the assisted lane, moving a place, a party), not the crowd's.
            | Route::Assist(_)
            | Route::AssistForm(_)
            | Route::MoveLink(_)
            | Route::Move(_)
            | Route::MoveLinkPage(_)
            | Route::MovePage(_)
            // Called back by Web Push: the crypto and the VAPID key stay out of the edge.
            | Route::Push(_)
            | Route::PartyLink(_)
            | Route::Party(_)
            | Route::PartyJoin(_)
            | Route::PartyLeave(_)
            | Route::PartyLinkPage(_)
            | Route::PartyPage(_)
            | Route::PartyLeavePage(_) => true,
            Route::Health
            | Route::BrandCss(_)
            | Route::SalePage(_)
            | Route::SaleInfo(_)
            | Route::Join(_)
            | Route::Status(_)
            | Route::Challenge(_)
            | Route::Socket(_)
            | Route::Draw(_) => false,
        }
    }

    /// The methods the path takes, as for an `Allow` header.
    pub(super) fn allow(&self) -> &'static str {
        match self {
            Route::Health
            | Route::Jwks
            | Route::BrandCss(_)
            | Route::SaleInfo(_)
            | Route::Challenge(_)
            | Route::Status(_)
            | Route::Socket(_) => "GET",
            Route::Draw(_) | Route::PublicReport(_) | Route::ReportPage(_) => "GET",
            Route::AdminReport(_) => "GET, PUT",
            Route::SalePage(_) | Route::MovePage(_) => "GET, POST",
            Route::MoveLink(_) | Route::Move(_) | Route::MoveLinkPage(_) => "POST",
            Route::Push(_) => "GET, POST, DELETE",
            Route::PartyLink(_) | Route::PartyJoin(_) | Route::PartyLeave(_) => "POST",
            Route::PartyLinkPage(_) | Route::PartyLeavePage(_) => "POST",
            Route::PartyPage(_) => "GET, POST",
            Route::Party(_) => "GET",
            Route::Assignments(_) | Route::AdminSales | Route::AdminMonitor => "GET",
            Route::Join(_)
            | Route::Pull(_)
            | Route::Finish { .. }
            | Route::AdminControl { .. }
            | Route::AdminInvitations(_)
            | Route::Assist(_)
            | Route::AssistForm(_)
            | Route::TestPoison
            | Route::TestClock => "POST",
            Route::AdminSale(_) => "GET, PUT",
            Route::AdminFault(_) | Route::TestRegistry => "PUT",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_parsed_at_routing_and_unknown_ones_are_no_route() {
        assert!(matches!(
            Route::parse(&["api", "admin", "sales", "s", "pause"]),
            Some(Route::AdminControl {
                action: SaleAction::Pause,
                ..
            })
        ));
        assert!(matches!(
            Route::parse(&["api", "origin", "sales", "s", "assignments", "f", "release"]),
            Some(Route::Finish {
                outcome: Outcome::Release,
                ..
            })
        ));
        // A batch is the same route, `batch` in place of the fan (no fan id or jti is `batch`).
        assert!(matches!(
            Route::parse(&[
                "api",
                "origin",
                "sales",
                "s",
                "assignments",
                "batch",
                "complete"
            ]),
            Some(Route::Finish {
                fan: super::super::origin::BATCH,
                outcome: Outcome::Complete,
                ..
            })
        ));
        for unknown in [
            &["api", "admin", "sales", "s", "delete"][..],
            &["api", "admin", "sales", "s", "Close"][..],
            &["api", "origin", "sales", "s", "assignments", "f", "cancel"][..],
            &["api", "origin", "sales", "s", "assignments", "f", ""][..],
        ] {
            assert!(Route::parse(unknown).is_none(), "{unknown:?}");
        }
    }

    #[test]
    fn the_edge_serves_every_fan_route_and_hands_the_rest_to_the_full_worker() {
        let at_edge = |path: &[&str]| {
            let route = Route::parse(path).expect("a route");
            !route.served_by_full_worker()
        };
        for fan in [
            &["healthz"][..],
            &["brand", "112233.css"],
            &["s", "s1"],
            &["api", "sales", "s1"],
            &["api", "sales", "s1", "join"],
            &["api", "sales", "s1", "status"],
            &["api", "sales", "s1", "challenge"],
            &["api", "sales", "s1", "socket"],
            &["api", "sales", "s1", "draw"],
        ] {
            assert!(at_edge(fan), "{fan:?} is a fan's route");
        }
        for other in [
            &[".well-known", "jwks.json"][..],
            &["api", "origin", "sales", "s1", "pull"],
            &["api", "origin", "sales", "s1", "assignments"],
            &[
                "api",
                "origin",
                "sales",
                "s1",
                "assignments",
                "f",
                "complete",
            ],
            &["api", "admin", "sales"],
            &["api", "admin", "sales", "s1"],
            &["api", "admin", "sales", "s1", "open"],
            &["api", "admin", "sales", "s1", "invitations"],
            &["api", "admin", "sales", "s1", "fault"],
            &["api", "admin", "monitor"],
            &["__test", "events", "poison"],
            &["api", "admin", "test", "clock"],
            &["api", "sales", "s1", "report"],
            &["s", "s1", "report"],
            &["api", "admin", "sales", "s1", "report"],
            // A fan's rare asks, not the crowd's: the full worker's.
            &["api", "sales", "s1", "assist"],
            &["s", "s1", "assist"],
            &["api", "sales", "s1", "move-link"],
            &["api", "sales", "s1", "move"],
            &["s", "s1", "move-link"],
            &["s", "s1", "move"],
            &["api", "sales", "s1", "push"],
            &["api", "sales", "s1", "party-link"],
            &["api", "sales", "s1", "party"],
            &["api", "sales", "s1", "party", "join"],
            &["api", "sales", "s1", "party", "leave"],
            &["s", "s1", "party-link"],
            &["s", "s1", "party"],
            &["s", "s1", "party", "leave"],
        ] {
            assert!(!at_edge(other), "{other:?} is on no fan's path");
        }
    }
}
