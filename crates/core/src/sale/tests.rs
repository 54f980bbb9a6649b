use super::web_url::MAX_URL_BYTES;
use super::*;
use crate::fairness::invitation::Access;
use crate::fairness::turnstile::SiteKey;
use crate::keys::pass_delivery::PassDelivery;
use crate::sale::admission::AdmissionInput;
use crate::time::UnixMillis;

fn input() -> SaleSettingsInput {
    SaleSettingsInput {
        name: "Summer Tour".into(),
        purchase_url: "https://tickets.example/buy".into(),
        opens_at: Some("2026-12-01T10:00:00Z".into()),
        ..SaleSettingsInput::default()
    }
}

/// URLs are parsed without Unicode host support (idna_adapter 1.0: the worker's module is on
/// the fan's path at every cold start, and the ICU4X tables were a tenth of the edge's; see
/// docs/capacity.md, "Cold start"): an internationalised host is given in its ASCII
/// (punycode) form, which is also how a URL is stored and shown.
#[test]
fn a_unicode_host_is_refused_naming_the_field_and_its_punycode_form_is_taken() {
    let punycode = SaleSettings::parse(SaleSettingsInput {
        purchase_url: "https://xn--bcher-kva.example/buy".into(),
        ..input()
    })
    .unwrap();
    assert_eq!(
        punycode.purchase_url.as_str(),
        "https://xn--bcher-kva.example/buy"
    );
    let unicode = SaleSettings::parse(SaleSettingsInput {
        purchase_url: "https://b\u{fc}cher.example/buy".into(),
        ..input()
    })
    .unwrap_err();
    assert_eq!(unicode.field, "purchase_url");
    assert!(
        unicode.message.contains("not an absolute URL"),
        "{unicode:?}"
    );
}

/// The bound holds for what is stored: typed text that normalises past it (spaces become
/// `%20`) is refused naming the field, and what is accepted reads back through the same
/// check (it once stored a URL it could not read back: a 500 on every later request).
#[test]
fn a_url_is_bounded_as_stored_and_what_is_stored_reads_back() {
    let with_spaces = format!("https://tickets.example/{}", "a b".repeat(500));
    assert!(
        with_spaces.len() <= MAX_URL_BYTES,
        "typed: {}",
        with_spaces.len()
    );
    for (field, set) in [
        (
            "purchase_url",
            (|i: &mut SaleSettingsInput, u: String| i.purchase_url = u)
                as fn(&mut SaleSettingsInput, String),
        ),
        ("webhook_url", |i, u| i.webhook_url = Some(u)),
    ] {
        let mut typed = input();
        set(&mut typed, with_spaces.clone());
        let refused = SaleSettings::parse(typed).unwrap_err();
        assert_eq!(refused.field, field);
        assert!(refused.message.contains("normalised"), "{refused:?}");
    }
    let fits = format!("https://tickets.example/{}", "a b".repeat(300));
    let settings = SaleSettings::parse(SaleSettingsInput {
        purchase_url: fits,
        ..input()
    })
    .unwrap();
    let stored = serde_json::to_string(&settings).unwrap();
    assert_eq!(
        serde_json::from_str::<SaleSettings>(&stored).unwrap(),
        settings
    );
}

#[test]
fn parses_with_defaults() {
    let s = SaleSettings::parse(input()).unwrap();
    assert_eq!(s.claim_ttl_s, DEFAULT_CLAIM_TTL_S);
    assert_eq!(s.pass_ttl_s, DEFAULT_PASS_TTL_S);
    assert_eq!(s.opens_at, Some(UnixMillis(1_796_119_200_000)));
}

#[test]
fn refuses_bad_settings() {
    type Mutation = Box<dyn Fn(&mut SaleSettingsInput)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("name", Box::new(|i| i.name = "  ".into())),
        ("name", Box::new(|i| i.name = "x".repeat(121))),
        ("name", Box::new(|i| i.name = "a\u{7}b".into())),
        (
            "purchase_url",
            Box::new(|i| i.purchase_url = "/relative".into()),
        ),
        (
            "webhook_url",
            Box::new(|i| i.webhook_url = Some("ftp://hooks.example/x".into())),
        ),
        (
            "webhook_url",
            Box::new(|i| i.webhook_url = Some("https://hooks.example/#x".into())),
        ),
        (
            "purchase_url",
            Box::new(|i| i.purchase_url = "javascript:alert(1)".into()),
        ),
        (
            "purchase_url",
            Box::new(|i| i.purchase_url = "https://x.example/#frag".into()),
        ),
        ("opens_at", Box::new(|i| i.opens_at = Some("soon".into()))),
        (
            "turnstile_site_key",
            Box::new(|i| i.turnstile_site_key = Some("<key>".into())),
        ),
        (
            "pass_delivery",
            Box::new(|i| i.pass_delivery = Some("email".into())),
        ),
        (
            "prequeue_opens_at",
            Box::new(|i| i.prequeue_opens_at = Some("soon".into())),
        ),
        (
            "prequeue_opens_at",
            Box::new(|i| i.prequeue_opens_at = Some("2026-12-01T10:00:00Z".into())),
        ),
        (
            "prequeue_opens_at",
            Box::new(|i| {
                i.opens_at = None;
                i.prequeue_opens_at = Some("2026-12-01T09:00:00Z".into())
            }),
        ),
        ("claim_ttl_s", Box::new(|i| i.claim_ttl_s = Some(1))),
        ("pow_bits", Box::new(|i| i.pow_bits = Some(27))),
        (
            "rate_limit_per_min",
            Box::new(|i| i.rate_limit_per_min = Some(u64::MAX)),
        ),
        (
            "over_budget",
            Box::new(|i| i.over_budget = Some("block".into())),
        ),
        ("pass_ttl_s", Box::new(|i| i.pass_ttl_s = Some(1_000_000))),
        (
            "admission.per_minute",
            Box::new(|i| {
                i.admission = Some(AdmissionInput {
                    mode: Some("rate".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "branding.color",
            Box::new(|i| {
                i.branding = Some(BrandingInput {
                    color: Some("red;}".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "branding.logo_url",
            Box::new(|i| {
                i.branding = Some(BrandingInput {
                    logo_url: Some("javascript:x".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "branding.message",
            Box::new(|i| {
                i.branding = Some(BrandingInput {
                    message: Some("m".repeat(1001)),
                    ..Default::default()
                })
            }),
        ),
        (
            "branding.messages",
            Box::new(|i| {
                i.branding = Some(BrandingInput {
                    messages: Some([("Deutsch".to_owned(), "hallo".to_owned())].into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "branding.messages",
            Box::new(|i| {
                i.branding = Some(BrandingInput {
                    messages: Some([("de".to_owned(), "m".repeat(1001))].into()),
                    ..Default::default()
                })
            }),
        ),
    ];
    for (field, mutate) in cases {
        let mut i = input();
        mutate(&mut i);
        assert_eq!(SaleSettings::parse(i).unwrap_err().field, field);
    }
}

#[test]
fn turnstile_and_pass_delivery_are_optional() {
    let s = SaleSettings::parse(input()).unwrap();
    assert_eq!(
        (s.turnstile_site_key, s.pass_delivery),
        (None, PassDelivery::Query)
    );
    let mut i = input();
    i.turnstile_site_key = Some(" 1x00000000000000000000AA ".into());
    i.pass_delivery = Some("form_post".into());
    let s = SaleSettings::parse(i).unwrap();
    assert_eq!(
        s.turnstile_site_key.as_ref().map(SiteKey::as_str),
        Some("1x00000000000000000000AA")
    );
    assert_eq!(s.pass_delivery, PassDelivery::FormPost);
    let stored = serde_json::to_value(&s).unwrap();
    assert_eq!(stored["pass_delivery"], "form_post");
    assert_eq!(serde_json::from_value::<SaleSettings>(stored).unwrap(), s);
    let mut empty = input();
    empty.turnstile_site_key = Some("".into());
    assert_eq!(SaleSettings::parse(empty).unwrap().turnstile_site_key, None);
}

#[test]
fn branding_picks_a_readable_ink() {
    let ink = |c: &str| BrandColor::parse(c).unwrap().ink();
    assert_eq!(ink("#111827"), Ink::Light);
    assert_eq!(ink("#fde68a"), Ink::Dark);
    assert_eq!(ink("#000000"), Ink::Light);
    assert_eq!(ink("#ffffff"), Ink::Dark);
    assert_eq!(Branding::default().color(), DEFAULT_BRAND_COLOR);
    assert_eq!(DEFAULT_BRAND_COLOR.to_string(), "#5b21b6");
    assert_eq!(Branding::default().ink(), Ink::Light);
    let parsed = Branding::parse(BrandingInput {
        color: Some("#AABBCC".into()),
        logo_url: None,
        message: Some("  hi  ".into()),
        messages: Some(
            [
                ("de".to_owned(), " hallo\r\nwelt ".to_owned()),
                ("ar".to_owned(), "  ".to_owned()),
            ]
            .into(),
        ),
    })
    .unwrap();
    // Per language: trimmed like the message, an empty one is none, any other page the message.
    assert_eq!(parsed.message_in("de"), Some("hallo\nwelt"));
    assert_eq!(parsed.message_in("ar"), Some("hi"));
    assert_eq!(parsed.message_in("fr"), Some("hi"));
    assert_eq!(
        (
            parsed.color.map(|c| c.to_string()),
            parsed.message.as_deref()
        ),
        (Some("#aabbcc".to_owned()), Some("hi"))
    );
}

#[test]
fn the_fan_salt_is_stored_as_text_and_never_shown() {
    let salt = FanSalt::from("0123456789abcdef");
    assert_eq!(
        serde_json::to_string(&salt).unwrap(),
        "\"0123456789abcdef\""
    );
    let back: FanSalt = serde_json::from_str("\"0123456789abcdef\"").unwrap();
    assert_eq!(back, salt);
    assert!(!format!("{salt:?}").contains("0123"));
}

#[test]
fn brand_colours_parse_only_as_rrggbb() {
    for bad in [
        "", "#", "123456", "#12345", "#1234567", "#12345g", "#+12345", "red;}",
    ] {
        assert!(BrandColor::parse(bad).is_err(), "{bad}");
    }
    let c = BrandColor::parse("#0F766e").unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), r##""#0f766e""##);
    assert_eq!(
        serde_json::from_str::<BrandColor>(r##""#0f766e""##).unwrap(),
        c
    );
    assert!(serde_json::from_str::<BrandColor>(r#""red""#).is_err());
    assert_eq!(serde_json::to_string(&Ink::Dark).unwrap(), r##""#111111""##);
}

#[test]
fn settings_keep_their_stored_form() {
    // Settings stored before the URL and colour had types of their own still load, and
    // serialize to the same text.
    let stored = r##"{"name":"S","purchase_url":"https://tickets.example/buy?x=1","opens_at":null,"claim_ttl_s":120,"pass_ttl_s":600,"branding":{"color":"#aabbcc","logo_url":"https://cdn.example/l.png","message":null},"shards":1,"presence_ttl_s":30}"##;
    let settings: SaleSettings = serde_json::from_str(stored).unwrap();
    assert_eq!(
        settings.purchase_url.as_str(),
        "https://tickets.example/buy?x=1"
    );
    assert_eq!(serde_json::to_string(&settings).unwrap(), stored);
    let view = BrandingView::from(&settings.branding);
    let shown = serde_json::to_value(&view).unwrap();
    assert_eq!(
        shown,
        serde_json::json!({"color": "#aabbcc", "logo_url": "https://cdn.example/l.png", "message": null, "ink": "#111111"})
    );
    assert_eq!(serde_json::from_value::<BrandingView>(shown).unwrap(), view);
    assert!(serde_json::from_str::<WebUrl>(r#""javascript:alert(1)""#).is_err());
}

#[test]
fn scheduled_sale_opens_by_itself() {
    let opens = UnixMillis(10_000);
    assert_eq!(
        phase_at(Control::Scheduled, None, Some(opens), UnixMillis(9_999)),
        Phase::Scheduled
    );
    assert_eq!(
        phase_at(Control::Scheduled, None, Some(opens), opens),
        Phase::Open
    );
    assert_eq!(
        phase_at(Control::Scheduled, None, None, UnixMillis(u64::MAX)),
        Phase::Scheduled
    );
    assert_eq!(
        phase_at(Control::Paused, None, Some(opens), UnixMillis(0)),
        Phase::Paused
    );
}

#[test]
fn access_and_invitation_keys_are_checked_and_stored() {
    let open = SaleSettings::parse(input()).unwrap();
    assert_eq!(open.access, Access::Open);
    assert!(!serde_json::to_string(&open).unwrap().contains("access"));
    let mut bad = input();
    bad.access = Some("friends".into());
    assert_eq!(SaleSettings::parse(bad).unwrap_err().field, "access");
    let mut bad = input();
    bad.invite_jwks = Some(serde_json::json!({"keys": [{"kty": "oct"}]}));
    assert_eq!(SaleSettings::parse(bad).unwrap_err().field, "invite_jwks");
    let mut invite = input();
    invite.access = Some("invite".into());
    invite.invite_jwks = Some(serde_json::json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "kid": "k1",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    }]}));
    let invite = SaleSettings::parse(invite).unwrap();
    assert_eq!(invite.access, Access::Invite);
    let stored = serde_json::to_string(&invite).unwrap();
    let back: SaleSettings = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, invite, "{stored}");
    // `null` is no keys.
    let mut none = input();
    none.invite_jwks = Some(serde_json::Value::Null);
    assert_eq!(SaleSettings::parse(none).unwrap().invite_jwks, None);
}

#[test]
fn a_prequeue_comes_between_scheduled_and_open() {
    let (pre, opens) = (Some(UnixMillis(5_000)), Some(UnixMillis(10_000)));
    let at = |now| phase_at(Control::Scheduled, pre, opens, UnixMillis(now));
    assert_eq!(at(4_999), Phase::Scheduled);
    assert_eq!(at(5_000), Phase::Prequeue);
    assert_eq!(at(9_999), Phase::Prequeue);
    assert_eq!(at(10_000), Phase::Open);
    assert!(Phase::Prequeue.admits_joins());
    let mut i = input();
    i.prequeue_opens_at = Some("2026-12-01T09:30:00Z".into());
    let s = SaleSettings::parse(i).unwrap();
    assert_eq!(
        s.prequeue_opens_at,
        Some(UnixMillis(1_796_119_200_000 - 1_800_000))
    );
    let text = serde_json::to_string(&s).unwrap();
    assert!(text.contains(r#""prequeue_opens_at":"2026-12-01T09:30:00Z""#));
    assert_eq!(serde_json::from_str::<SaleSettings>(&text).unwrap(), s);
}
