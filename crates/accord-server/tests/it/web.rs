//! The web pages over HTTP: signing in and out, CSRF, tenancy by
//! URL and by form, the sign-in rate limit, the pause → client reply flow
//! and amendment diagnostics. A small cookie-keeping `Browser` stands in
//! for a real one (the real-Chromium suite is `tests/e2e`).

use std::collections::BTreeMap;

use accord_core::clock::{ClockState, EventKind, Metric, TicketEvent};
use accord_store::{ClientId, NewTicket, NewUser, Role, Tenant, TicketId};
use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::helpers::{CONTRACT, TestApp, both};

const PASSWORD: &str = "correct horse battery";
const SESSION: &str = "__Host-accord_session";

/// A client that keeps cookies by hand (so `Secure` cookies work over the
/// loopback's plain HTTP, as browsers allow) and never follows redirects.
struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    origin: Option<String>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The first CSRF token in the page's forms.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            origin: Some(app.base.clone()),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep(&mut self, res: reqwest::Response) -> Page {
        for c in res.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        Page {
            status: res.status(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let res = self
            .http
            .get(self.app.url(path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(res).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut req = self
            .http
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form)
                    .finish(),
            );
        if let Some(o) = &self.origin {
            req = req.header("origin", o);
        }
        let res = req.send().await.unwrap();
        self.keep(res).await
    }

    async fn try_sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    async fn sign_in(&mut self, email: &str) {
        let page = self.try_sign_in(email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/");
    }
}

async fn user(app: &TestApp, email: &str, role: Role, client: Option<ClientId>) {
    app.store
        .accounts()
        .create_user(
            NewUser {
                email,
                name: email.split('@').next().unwrap(),
                role,
                client,
                password: Some(PASSWORD),
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
}

/// A client with its contract and one client user.
async fn client(app: &TestApp, name: &str, contract: &str, email: &str) -> ClientId {
    let now = Timestamp::now();
    let id = app.store.accounts().create_client(name, now).await.unwrap();
    app.store
        .contracts()
        .put_version(
            &id,
            "c.toml",
            &CONTRACT.replace("CONTRACT_ID", contract),
            now,
        )
        .await
        .unwrap();
    user(app, email, Role::Client, Some(id.clone())).await;
    id
}

/// A ticket opened an hour ago.
async fn ticket(app: &TestApp, client: &ClientId, contract: &str, key: &str) -> TicketId {
    let now = Timestamp::now();
    let at = Timestamp::from_second(now.as_second() - 3600).unwrap();
    let new = NewTicket {
        client: client.clone(),
        contract_id: contract.to_string(),
        opened: TicketEvent {
            ticket: key.to_string(),
            kind: EventKind::Opened {
                priority: "normal".into(),
            },
            at,
            id: None,
            by: Some("client".into()),
            note: Some("The export fails".into()),
            seq: None,
        },
    };
    app.store
        .tickets()
        .open(&Tenant::Provider, new, now)
        .await
        .unwrap()
        .id
}

async fn event_count(app: &TestApp, id: &TicketId) -> usize {
    app.store
        .tickets()
        .with_clocks(&Tenant::Provider, id)
        .await
        .unwrap()
        .unwrap()
        .events
        .len()
}

async fn sign_in_makes_a_new_session_and_sign_out_everywhere_ends_all(app: &TestApp) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    let mut a = Browser::new(app);
    // Signed out, a page sends to the sign-in form and back.
    let page = a.get("/contracts").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login?next=%2Fcontracts");

    // A session id planted before sign-in is never the one signed in.
    a.cookies.insert(SESSION.into(), "planted".into());
    let wrong = a.try_sign_in("ada@provider.test", "wrong").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("do not match an account"),
        "{}",
        wrong.body
    );
    let ok = a.try_sign_in("ada@provider.test", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set: Vec<&str> = ok
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .filter(|c| c.starts_with(SESSION))
        .collect();
    assert_eq!(set.len(), 1, "{set:?}");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set[0].contains(attr), "{attr} missing in {}", set[0]);
    }
    let first = a.cookies[SESSION].clone();
    assert_ne!(first, "planted");
    assert_eq!(first.len(), 64);

    // The dashboard, with the browser security headers.
    let home = a.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("At risk"));
    let csp = home.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(home.headers["x-frame-options"], "DENY");

    // Signing in again replaces the session: the old id is dead.
    a.sign_in("ada@provider.test").await;
    assert_ne!(a.cookies[SESSION], first);
    let mut stale = Browser::new(app);
    stale.cookies.insert(SESSION.into(), first);
    assert_eq!(stale.get("/").await.status, StatusCode::SEE_OTHER);

    // Sign out everywhere ends the other device's session too.
    let mut b = Browser::new(app);
    b.sign_in("ada@provider.test").await;
    assert_eq!(b.get("/settings").await.status, StatusCode::OK);
    let csrf = a.get("/settings").await.csrf();
    let out = a.post("/logout/everywhere", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/login?signed_out=everywhere");
    assert!(!a.cookies.contains_key(SESSION));
    let b_home = b.get("/settings").await;
    assert_eq!(b_home.status, StatusCode::SEE_OTHER);
    assert!(b_home.location().starts_with("/login"));
}
both!(sign_in_makes_a_new_session_and_sign_out_everywhere_ends_all);

async fn forms_without_the_sessions_csrf_token_or_from_elsewhere_change_nothing(app: &TestApp) {
    user(app, "agent@provider.test", Role::Agent, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    let id = ticket(app, &acme, "ACME", "T-1").await;
    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let page = agent.get(&format!("/tickets/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let path = format!("/tickets/{id}/reply");

    let missing = agent.post(&path, &[("note", "hello")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = agent
        .post(
            &path,
            &[("csrf", "0".repeat(64).as_str()), ("note", "hello")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    agent.origin = Some("http://evil.example".into());
    let elsewhere = agent
        .post(&path, &[("csrf", &csrf), ("note", "hello")])
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(event_count(app, &id).await, 1);

    // The same form from this origin with the token goes through.
    agent.origin = Some(app.base.clone());
    let sent = agent
        .post(&path, &[("csrf", &csrf), ("note", "hello")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(event_count(app, &id).await, 2);

    // Sign-in itself needs the form's token (login CSRF).
    let mut other = Browser::new(app);
    let bare = other
        .post(
            "/login",
            &[("email", "agent@provider.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    assert!(!other.cookies.contains_key(SESSION));
}
both!(forms_without_the_sessions_csrf_token_or_from_elsewhere_change_nothing);

async fn a_client_user_reaches_nothing_of_another_client_by_url_or_form(app: &TestApp) {
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    let globex = client(app, "Globex", "GLOBEX", "gus@globex.test").await;
    // Keys are unique across the installation.
    let theirs = ticket(app, &globex, "GLOBEX", "G-1").await;
    let ours = ticket(app, &acme, "ACME", "T-1").await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;

    let own = lena.get(&format!("/tickets/{ours}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("The export fails"));
    let csrf = own.csrf();

    for path in [
        format!("/tickets/{theirs}"),
        "/contracts/GLOBEX".to_string(),
        "/contracts/ACME/amend".to_string(),
    ] {
        let page = lena.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !page.body.contains("GLOBEX") && !page.body.contains("Globex"),
            "{path}"
        );
    }
    let portal = lena.get("/").await;
    assert!(portal.body.contains("Waiting on you"));
    assert!(!portal.body.contains(theirs.as_str()));

    // By form: a reply to the other client's ticket is a 404 and writes nothing.
    let reply = lena
        .post(
            &format!("/tickets/{theirs}/reply"),
            &[("csrf", &csrf), ("note", "hi")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(event_count(app, &theirs).await, 1);
    // Staff actions on its own ticket do not exist for a client user either.
    let resolve = lena
        .post(&format!("/tickets/{ours}/resolve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(resolve.status, StatusCode::NOT_FOUND);
    assert_eq!(event_count(app, &ours).await, 1);
    // Opening a ticket under the other client's contract is refused.
    let open = lena
        .post(
            "/tickets/new",
            &[
                ("csrf", &csrf),
                ("contract", "GLOBEX"),
                ("priority", "normal"),
                ("subject", "x"),
            ],
        )
        .await;
    assert_eq!(open.status, StatusCode::NOT_FOUND);
    let globex_tickets = app
        .store
        .tickets()
        .count_for_client(&Tenant::Provider, &globex)
        .await
        .unwrap();
    assert_eq!(globex_tickets, 1);
}
both!(a_client_user_reaches_nothing_of_another_client_by_url_or_form);

async fn repeated_failed_sign_ins_are_limited_per_address_and_email(app: &TestApp) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    user(app, "alex@provider.test", Role::Agent, None).await;
    let mut b = Browser::new(app);
    for _ in 0..5 {
        let page = b.try_sign_in("ada@provider.test", "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused for a while, and no session made.
    let limited = b.try_sign_in("ADA@provider.test", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.body.contains("Too many failed sign-ins"),
        "{}",
        limited.body
    );
    assert!(!b.cookies.contains_key(SESSION));
    // Another account from the same address is not affected.
    b.sign_in("alex@provider.test").await;
}
both!(repeated_failed_sign_ins_are_limited_per_address_and_email);

async fn probing_many_emails_from_one_address_is_limited_too(app: &TestApp) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    let mut b = Browser::new(app);
    // Thirty guesses, each at a different (mostly unknown) account: no pair
    // reaches its own limit, but the address does.
    for i in 0..30 {
        let page = b
            .try_sign_in(&format!("probe{i}@provider.test"), "guess")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "try {i}");
        // Unknown and known accounts are refused in the same words.
        assert!(
            page.body.contains("do not match an account"),
            "{}",
            page.body
        );
    }
    let limited = b.try_sign_in("ada@provider.test", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited
            .body
            .contains("Too many failed sign-ins from your address"),
        "{}",
        limited.body
    );
    assert!(!b.cookies.contains_key(SESSION));
}
both!(probing_many_emails_from_one_address_is_limited_too);

async fn a_nul_character_in_the_sign_in_form_is_refused_not_a_server_error(app: &TestApp) {
    let mut b = Browser::new(app);
    let page = b.try_sign_in("a\0b", "x").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("NUL"), "{}", page.body);
    assert!(!b.cookies.contains_key(SESSION));
}
both!(a_nul_character_in_the_sign_in_form_is_refused_not_a_server_error);

async fn a_pause_for_approval_waits_on_the_client_until_it_replies(app: &TestApp) {
    user(app, "agent@provider.test", Role::Agent, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    let id = ticket(app, &acme, "ACME", "T-1").await;
    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let csrf = agent.get(&format!("/tickets/{id}")).await.csrf();
    let paused = agent
        .post(
            &format!("/tickets/{id}/pause"),
            &[
                ("csrf", &csrf),
                ("reason", "approval"),
                ("waiting_on", "lena@acme.test"),
                ("note", "Please approve the new export format"),
            ],
        )
        .await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER, "{}", paused.body);
    // A reason the contract does not allow is refused on the page.
    let bad = agent
        .post(
            &format!("/tickets/{id}/pause"),
            &[("csrf", &csrf), ("reason", "lunch")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("lunch"), "{}", bad.body);

    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let portal = lena.get("/").await;
    let waiting = &portal.body[portal.body.find("id=\"waiting-on-you\"").unwrap()..];
    let waiting = &waiting[..waiting.find("</section>").unwrap()];
    assert!(waiting.contains("T-1"), "{waiting}");
    assert!(waiting.contains("approval"), "{waiting}");
    assert!(waiting.contains("lena@acme.test"), "{waiting}");
    assert!(
        waiting.contains("Please approve the new export format"),
        "{waiting}"
    );

    let page = lena.get(&format!("/tickets/{id}")).await;
    let replied = lena
        .post(
            &format!("/tickets/{id}/reply"),
            &[("csrf", &page.csrf()), ("note", "Approved.")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let t = app
        .store
        .tickets()
        .with_clocks(&Tenant::Provider, &id)
        .await
        .unwrap()
        .unwrap();
    let resolution = t
        .clocks
        .iter()
        .find(|c| c.metric == Metric::Resolution)
        .unwrap();
    assert_eq!(resolution.state, ClockState::Running);
    let last = t.events.last().unwrap();
    assert_eq!(last.kind, EventKind::ClientReplied);
    assert_eq!(last.by.as_deref(), Some("lena@acme.test"));
    let portal = lena.get("/").await;
    assert!(portal.body.contains("Nothing is waiting on you."));
}
both!(a_pause_for_approval_waits_on_the_client_until_it_replies);

async fn an_invalid_amendment_is_shown_with_each_diagnostic_at_its_line(app: &TestApp) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    let _acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    let mut ada = Browser::new(app);
    ada.sign_in("ada@provider.test").await;
    let form = ada.get("/contracts/ACME/amend").await;
    assert_eq!(form.status, StatusCode::OK);
    let text = CONTRACT
        .replace("CONTRACT_ID", "ACME")
        .replace("first_response = \"1h\"", "first_response = \"soon\"");
    let bad_line = text.lines().position(|l| l.contains("\"soon\"")).unwrap() + 1;
    let page = ada
        .post(
            "/contracts/ACME/amend",
            &[("csrf", &form.csrf()), ("text", &text)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let marker = format!("<tr class=\"diagnostic\" data-line=\"{bad_line}\">");
    let at = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("{}", page.body));
    let row = &page.body[at..];
    assert!(row[..row.find("</tr>").unwrap()].contains("soon"), "{row}");
    // The offending line is shown right above its diagnostic.
    let line_row = format!("<tr id=\"line-{bad_line}\" class=\"src-line bad\"");
    assert!(page.body[..at].rfind(&line_row).is_some());
    let versions = app
        .store
        .contracts()
        .versions(&Tenant::Provider, "ACME")
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);

    // A valid amendment is stored and its difference shown in words.
    let good = CONTRACT
        .replace("CONTRACT_ID", "ACME")
        .replace(
            "effective_from = 2026-01-01",
            "version = 2\neffective_from = 2026-02-01",
        )
        .replace("first_response = \"1h\"", "first_response = \"2h\"");
    let stored = ada
        .post(
            "/contracts/ACME/amend",
            &[("csrf", &form.csrf()), ("text", &good)],
        )
        .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.body);
    let shown = ada.get(stored.location()).await;
    assert_eq!(shown.status, StatusCode::OK);
    let changes = &shown.body[shown.body.find("id=\"changes\"").unwrap()..];
    assert!(changes.contains("first response"), "{changes}");
}
both!(an_invalid_amendment_is_shown_with_each_diagnostic_at_its_line);

async fn a_tickets_clock_bar_shows_running_and_paused_time_by_reason(app: &TestApp) {
    user(app, "agent@provider.test", Role::Agent, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    // Opened an hour ago on the test contract's round-the-clock calendar,
    // then paused for approval 20 minutes later.
    let id = ticket(app, &acme, "ACME", "T-1").await;
    let t = app
        .store
        .tickets()
        .with_clocks(&Tenant::Provider, &id)
        .await
        .unwrap()
        .unwrap();
    let pause = TicketEvent {
        ticket: "T-1".into(),
        kind: EventKind::Paused {
            reason: "approval".into(),
            waiting_on: None,
        },
        at: t.ticket.opened_at + jiff::SignedDuration::from_mins(20),
        id: None,
        by: Some("agent@provider.test".into()),
        note: None,
        seq: None,
    };
    app.store
        .tickets()
        .append(&Tenant::Provider, &id, &[pause], Timestamp::now())
        .await
        .unwrap();
    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let page = agent.get(&format!("/tickets/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let clock = &page.body[page.body.find("data-metric=\"resolution\"").unwrap()..];
    let bar = &clock[..clock.find("</svg>").unwrap()];
    let running = bar
        .find("class=\"seg running\"")
        .unwrap_or_else(|| panic!("{bar}"));
    let paused = bar
        .find("class=\"seg pause-approval\"")
        .unwrap_or_else(|| panic!("{bar}"));
    assert!(running < paused, "running first, then the pause: {bar}");
    assert!(bar.contains("<title>running: 20 min</title>"), "{bar}");
    // The pause lasts until now, so its length depends on when this runs.
    assert!(bar.contains("<title>paused for approval: "), "{bar}");
    assert!(page.body.contains("Clocks paused for approval"));
    // Times are named in the viewer's zone (staff default: UTC).
    assert!(page.body.contains("Times in UTC."));
}
both!(a_tickets_clock_bar_shows_running_and_paused_time_by_reason);

/// A client whose contract's alphabetically last priority is its most
/// urgent one (`outage`), with one client user.
async fn client_with_outage(app: &TestApp, until: Option<&str>) -> ClientId {
    let now = Timestamp::now();
    let id = app
        .store
        .accounts()
        .create_client("Acme", now)
        .await
        .unwrap();
    let mut text = CONTRACT.replace("CONTRACT_ID", "ACME")
        + "\n[priorities.outage]\ncalendar = \"always\"\nfirst_response = \"15m\"\nresolution = \"2h\"\n";
    if let Some(u) = until {
        text = text.replace(
            "effective_from = 2026-01-01",
            &format!("effective_from = 2026-01-01\neffective_until = {u}"),
        );
    }
    app.store
        .contracts()
        .put_version(&id, "c.toml", &text, now)
        .await
        .unwrap();
    user(app, "lena@acme.test", Role::Client, Some(id.clone())).await;
    id
}

async fn the_portal_preselects_the_least_urgent_priority_and_shows_targets(app: &TestApp) {
    client_with_outage(app, None).await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let form = lena.get("/tickets/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let select = &form.body[form.body.find("<select id=\"priority\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    assert!(
        select.contains(
            "<option value=\"normal\" selected>normal — first response 8 hours, resolution 40 hours</option>"
        ),
        "{select}"
    );
    assert_eq!(select.matches("selected").count(), 1, "{select}");
    assert!(
        select.contains("outage — first response 15 minutes, resolution 2 hours"),
        "{select}"
    );
}
both!(the_portal_preselects_the_least_urgent_priority_and_shows_targets);

async fn a_tampered_priority_is_refused_in_the_clients_words(app: &TestApp) {
    let acme = client_with_outage(app, None).await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let csrf = lena.get("/tickets/new").await.csrf();
    let page = lena
        .post(
            "/tickets/new",
            &[
                ("csrf", &csrf),
                ("contract", "ACME"),
                ("priority", "degraded"),
                ("subject", "Slow pages"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Choose one of your contract&#x27;s priorities: critical, normal, outage."),
        "{}",
        page.body
    );
    for internal in ["event #", "unknown priority", "opened at"] {
        assert!(!page.body.contains(internal), "{internal}: {}", page.body);
    }
    let n = app
        .store
        .tickets()
        .count_for_client(&Tenant::Provider, &acme)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
both!(a_tampered_priority_is_refused_in_the_clients_words);

async fn portal_tickets_are_numbered_across_every_clients_tickets(app: &TestApp) {
    let globex = client(app, "Globex", "GLOBEX", "gus@globex.test").await;
    ticket(app, &globex, "GLOBEX", "T-1").await;
    ticket(app, &globex, "GLOBEX", "T-2").await;
    let acme = client_with_outage(app, None).await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let csrf = lena.get("/tickets/new").await.csrf();
    let page = lena
        .post(
            "/tickets/new",
            &[
                ("csrf", &csrf),
                ("contract", "ACME"),
                ("priority", "normal"),
                ("subject", "The export fails"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mine = app
        .store
        .tickets()
        .list(
            &Tenant::Client(acme.clone()),
            &accord_store::TicketFilter::default(),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        ["T-3"]
    );
}
both!(portal_tickets_are_numbered_across_every_clients_tickets);

async fn an_expired_contract_takes_no_ticket_and_is_listed_as_expired(app: &TestApp) {
    let yesterday = jiff::tz::TimeZone::UTC
        .to_datetime(Timestamp::now())
        .date()
        .yesterday()
        .unwrap();
    let acme = client_with_outage(app, Some(&yesterday.to_string())).await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let csrf = lena.get("/tickets/new").await.csrf();
    let page = lena
        .post(
            "/tickets/new",
            &[
                ("csrf", &csrf),
                ("contract", "ACME"),
                ("priority", "normal"),
                ("subject", "The export fails"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let until = yesterday.strftime("%-d %B %Y").to_string();
    assert!(
        page.body.contains(&format!(
            "Your contract ACME has expired: it runs from 1 January 2026 to {until}."
        )),
        "{}",
        page.body
    );
    let n = app
        .store
        .tickets()
        .count_for_client(&Tenant::Provider, &acme)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let list = lena.get("/contracts").await;
    assert!(
        list.body.contains(&format!("1 January 2026 – {until}")),
        "{}",
        list.body
    );
    assert!(list.body.contains(">expired</span>"), "{}", list.body);
}
both!(an_expired_contract_takes_no_ticket_and_is_listed_as_expired);

async fn a_clock_bars_target_mark_sits_after_the_pauses_before_it(app: &TestApp) {
    user(app, "agent@provider.test", Role::Agent, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    // Critical (first response 1 h, round the clock), opened two hours ago:
    // 20 min running, 30 min paused, then running: the target is reached
    // 20 + 30 + 40 = 90 min into the bar's 120 (elapsed 90 + paused 30).
    let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    let opened = now - jiff::SignedDuration::from_mins(120);
    let at = |m: i64| opened + jiff::SignedDuration::from_mins(m);
    let event = |kind: EventKind, m: i64| TicketEvent {
        ticket: "T-1".into(),
        kind,
        at: at(m),
        id: None,
        by: Some("agent@provider.test".into()),
        note: None,
        seq: None,
    };
    let new = NewTicket {
        client: acme.clone(),
        contract_id: "ACME".into(),
        opened: event(
            EventKind::Opened {
                priority: "critical".into(),
            },
            0,
        ),
    };
    let t = app
        .store
        .tickets()
        .open(&Tenant::Provider, new, now)
        .await
        .unwrap();
    let pause = EventKind::Paused {
        reason: "approval".into(),
        waiting_on: None,
    };
    app.store
        .tickets()
        .append(
            &Tenant::Provider,
            &t.id,
            &[event(pause, 20), event(EventKind::Resumed, 50)],
            now,
        )
        .await
        .unwrap();
    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let page = agent.get(&format!("/tickets/{}", t.id)).await;
    let clock = &page.body[page.body.find("data-metric=\"first_response\"").unwrap()..];
    let bar = &clock[..clock.find("</svg>").unwrap()];
    // The mark is where the red "over" stretch starts: at 750 of 1000, give
    // or take the seconds between seeding and rendering (the page is
    // evaluated at the server's now, a little later on a loaded machine).
    let number_after = |key: &str| -> f64 {
        let from = bar.find(key).unwrap_or_else(|| panic!("no {key} in {bar}")) + key.len();
        bar[from..].split('"').next().unwrap().parse().unwrap()
    };
    let over = number_after("class=\"seg over\" x=\"");
    let mark = number_after("x1=\"");
    assert!((over - 750.0).abs() < 2.0, "{bar}");
    assert_eq!(
        mark, over,
        "the mark sits where the over stretch starts: {bar}"
    );
}
both!(a_clock_bars_target_mark_sits_after_the_pauses_before_it);

async fn an_amendment_uploaded_with_its_holiday_file_keeps_it(app: &TestApp) {
    const HOSTING: &str = include_str!("../../../../examples/hosting-24x7.contract.toml");
    const US_FEDERAL: &str = include_str!("../../../../examples/holidays/us-federal.ics");
    user(app, "ada@provider.test", Role::Admin, None).await;
    let now = Timestamp::now();
    let northwind = app
        .store
        .accounts()
        .create_client("Northwind", now)
        .await
        .unwrap();
    // Version 1 without holidays, then an amendment that names the file.
    let v1 = HOSTING
        .replace("version = 2 ", "version = 1 ")
        .replace("holiday_files = [\"holidays/us-federal.ics\"]\n", "");
    app.store
        .contracts()
        .put_version(&northwind, "hosting.toml", &v1, now)
        .await
        .unwrap();
    let id = "northwind-hosting-2026";
    let mut ada = Browser::new(app);
    ada.sign_in("ada@provider.test").await;
    let form = ada.get(&format!("/contracts/{id}/amend")).await;
    assert!(
        form.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let boundary = "----accordtestboundary";
    let part = |name: &str, file: Option<&str>, text: &str| {
        let file = file.map_or(String::new(), |f| format!("; filename=\"{f}\""));
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{text}\r\n"
        )
    };
    let body = part("csrf", None, &csrf)
        + &part("text", None, &HOSTING.replace('\n', "\r\n"))
        + &part("files", Some("us-federal.ics"), US_FEDERAL)
        + &format!("--{boundary}--\r\n");
    let res = ada
        .http
        .post(app.url(&format!("/contracts/{id}/amend")))
        .header("cookie", ada.cookie_header())
        .header("origin", app.base.clone())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let page = ada.keep(res).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let files = app
        .store
        .contracts()
        .files(&Tenant::Provider, id, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(files.keys().collect::<Vec<_>>(), ["us-federal.ics"]);
    let shown = ada.get(&format!("/contracts/{id}?version=2")).await;
    assert!(shown.body.contains("26 November 2026"), "{}", shown.body);
    // The next amendment form says the file is kept.
    let again = ada.get(&format!("/contracts/{id}/amend")).await;
    assert!(
        again.body.contains("<code>us-federal.ics</code>"),
        "{}",
        again.body
    );
}
both!(an_amendment_uploaded_with_its_holiday_file_keeps_it);

/// Page actions taken within one second apply in the order they were
/// taken: each is stamped now and ordered after the last by the order the
/// service recorded them, with no waiting for the next second.
async fn actions_in_one_second_apply_in_the_order_they_were_taken(
    db: accord_store::testing::TestDb,
) {
    let now = Timestamp::now();
    let frozen = accord_server::ManualTime::new(Timestamp::from_second(now.as_second()).unwrap());
    let app = &TestApp::start_with(db, accord_server::Settings::default(), frozen.source()).await;
    user(app, "agent@provider.test", Role::Agent, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    let id = ticket(app, &acme, "ACME", "T-1").await;
    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    // Each pause says what it waits for: two identical events of one second
    // would be one event sent twice (a double submit), stored once.
    let pause = |csrf: String, round: usize| {
        vec![
            ("csrf".to_string(), csrf),
            ("reason".to_string(), "approval".to_string()),
            ("note".to_string(), format!("Approve step {round}")),
        ]
    };
    let resolution_state = || async {
        let t = app
            .store
            .tickets()
            .with_clocks(&Tenant::Provider, &id)
            .await
            .unwrap()
            .unwrap();
        let r = t
            .clocks
            .iter()
            .find(|c| c.metric == Metric::Resolution)
            .unwrap();
        (r.state, t.events.len())
    };
    for round in 0..2 {
        let csrf = agent.get(&format!("/tickets/{id}")).await.csrf();
        let form = pause(csrf, round);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let paused = agent.post(&format!("/tickets/{id}/pause"), &form).await;
        assert_eq!(paused.status, StatusCode::SEE_OTHER, "{}", paused.body);
        assert_eq!(
            resolution_state().await,
            (ClockState::Paused, 2 + 2 * round)
        );
        // In the same second, by kind alone, the reply would sort before the pause.
        let page = lena.get(&format!("/tickets/{id}")).await;
        let reply = format!("Approved ({round}).");
        let replied = lena
            .post(
                &format!("/tickets/{id}/reply"),
                &[("csrf", &page.csrf()), ("note", &reply)],
            )
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
        assert_eq!(
            resolution_state().await,
            (ClockState::Running, 3 + 2 * round)
        );
    }
    let t = app
        .store
        .tickets()
        .with_clocks(&Tenant::Provider, &id)
        .await
        .unwrap()
        .unwrap();
    let same_second = t.events[1..].iter().all(|e| e.at == frozen.now());
    assert!(same_second, "{:?}", t.events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_in_one_second_apply_in_the_order_they_were_taken_sqlite() {
    let db = accord_store::testing::TestDb::sqlite().await;
    actions_in_one_second_apply_in_the_order_they_were_taken(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_in_one_second_apply_in_the_order_they_were_taken_postgres() {
    if let Some(db) = accord_store::testing::TestDb::postgres().await {
        actions_in_one_second_apply_in_the_order_they_were_taken(db).await;
    }
}

/// The milestones page, the dashboard and the portal over one contract
/// with milestones (see `accord_store::testing::milestone_contract`), at the system's now (after
/// every date in it): go-live's export was never received.
async fn staff_record_milestones_on_the_page_and_the_client_sees_what_it_owes(app: &TestApp) {
    user(app, "agent@provider.test", Role::Agent, None).await;
    let now = Timestamp::now();
    let acme = app
        .store
        .accounts()
        .create_client("Acme", now)
        .await
        .unwrap();
    app.store
        .contracts()
        .put_version(
            &acme,
            "m.toml",
            &accord_store::testing::milestone_contract("acme"),
            now,
        )
        .await
        .unwrap();
    user(app, "lena@acme.test", Role::Client, Some(acme)).await;

    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let portal = lena.get("/").await;
    let owed = &portal.body[portal.body.find("id=\"deliverables-you-owe\"").unwrap()..];
    let owed = &owed[..owed.find("</section>").unwrap()];
    assert!(owed.contains("Sample data export"), "{owed}");
    assert!(owed.contains("Go-live"), "{owed}");
    assert!(owed.contains("Mia (data owner)"), "{owed}");
    assert!(owed.contains("business days late"), "{owed}");
    assert!(owed.contains("one more business day"), "{owed}");

    let mut agent = Browser::new(app);
    agent.sign_in("agent@provider.test").await;
    let dashboard = agent.get("/").await;
    let watched = &dashboard.body[dashboard.body.find("id=\"milestones\"").unwrap()..];
    let watched = &watched[..watched.find("</section>").unwrap()];
    assert!(
        watched.contains("Go-live") && watched.contains("overdue"),
        "{watched}"
    );
    assert!(
        agent
            .get("/contracts/acme")
            .await
            .body
            .contains("/contracts/acme/milestones")
    );

    let page = agent.get("/contracts/acme/milestones").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Tue 31 Mar 2026"), "baseline shown");
    assert!(
        page.body.contains("Mia (data owner)"),
        "deliverables with owner"
    );
    assert!(
        page.body.contains("late deliverable: Sample data export"),
        "ledger by cause"
    );
    let csrf = page.csrf();
    // A shift without its reason is refused and records nothing.
    let bad = agent
        .post(
            "/contracts/acme/milestones/go-live/shift",
            &[("csrf", &csrf), ("days", "2"), ("reason", " ")],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    assert!(bad.body.contains("reason"), "{}", bad.body);
    let done = agent
        .post(
            "/contracts/acme/milestones/go-live/received",
            &[("csrf", &csrf), ("deliverable", "export")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/contracts/acme/milestones");
    let events = app
        .store
        .milestones()
        .events(&Tenant::Provider, "acme")
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].by.as_deref(), Some("agent@provider.test"));

    // Received: the client owes nothing more, and may not record events.
    let portal = lena.get("/").await;
    assert!(!portal.body.contains("deliverables-you-owe"));
    let page = lena.get("/contracts/acme/milestones").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/milestones/go-live/complete"));
    let refused = lena
        .post(
            "/contracts/acme/milestones/go-live/complete",
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}
both!(staff_record_milestones_on_the_page_and_the_client_sees_what_it_owes);

async fn the_dashboards_monthly_compliance_is_the_statements_share_so_far(app: &TestApp) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    let acme = client(app, "Acme", "ACME", "lena@acme.test").await;
    // This month: T-1 answered within its hour, T-2 not; T-3 is still
    // within its first hour, so neither counts it yet.
    let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    let mins = |m: i64| now - jiff::SignedDuration::from_mins(m);
    for (key, opened, replied) in [
        ("T-1", mins(180), Some(mins(170))),
        ("T-2", mins(180), Some(mins(60))),
        ("T-3", mins(20), None),
    ] {
        let event = |kind: EventKind, at: Timestamp| TicketEvent {
            ticket: key.to_string(),
            kind,
            at,
            id: None,
            by: None,
            note: None,
            seq: None,
        };
        let new = NewTicket {
            client: acme.clone(),
            contract_id: "ACME".into(),
            opened: event(
                EventKind::Opened {
                    priority: "critical".into(),
                },
                opened,
            ),
        };
        let t = app
            .store
            .tickets()
            .open(&Tenant::Provider, new, now)
            .await
            .unwrap();
        if let Some(at) = replied {
            app.store
                .tickets()
                .append(
                    &Tenant::Provider,
                    &t.id,
                    &[event(EventKind::Replied, at)],
                    now,
                )
                .await
                .unwrap();
        }
    }
    // The API's draft of this month, as of now.
    let token = app.token(Role::Admin, None, "ada-api@provider.test").await;
    let month = now
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m")
        .to_string();
    let res = app
        .send(
            "POST",
            Some(&token),
            &format!("/api/v1/contracts/ACME/statements?period={month}"),
            None,
        )
        .await;
    let (status, draft) = crate::helpers::json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let clocks = &draft["statement"]["clocks"];
    assert_eq!(
        (clocks["met"].as_u64(), clocks["measured"].as_u64()),
        (Some(1), Some(2))
    );
    // The dashboard shows the same share.
    let mut ada = Browser::new(app);
    ada.sign_in("ada@provider.test").await;
    let page = ada.get("/").await;
    let section = &page.body[page.body.find("id=\"compliance\"").unwrap()..];
    let row = &section[section.find("<td>Acme</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(">1</td>") && row.contains("50.0 %"), "{row}");
}
both!(the_dashboards_monthly_compliance_is_the_statements_share_so_far);

async fn an_admin_issues_a_statement_on_its_page_and_the_client_downloads_it_from_the_portal(
    app: &TestApp,
) {
    user(app, "ada@provider.test", Role::Admin, None).await;
    client(app, "Acme", "ACME", "lena@acme.test").await;
    let mut ada = Browser::new(app);
    ada.sign_in("ada@provider.test").await;
    let list = ada.get("/contracts/ACME/statements").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let csrf = list.csrf();
    let computed = ada
        .post(
            "/contracts/ACME/statements",
            &[("csrf", &csrf), ("period", "2026-01")],
        )
        .await;
    assert_eq!(computed.status, StatusCode::SEE_OTHER, "{}", computed.body);
    let at = computed.location().to_string();
    let draft = ada.get(&at).await;
    assert!(draft.body.contains("Issue statement"), "{}", draft.body);
    let issued = ada
        .post(&format!("{at}/issue"), &[("csrf", &draft.csrf())])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let shown = ada.get(&at).await;
    assert!(shown.body.contains("Content hash"), "{}", shown.body);

    let mut lena = Browser::new(app);
    lena.sign_in("lena@acme.test").await;
    let portal = lena.get("/").await;
    let pdf = format!("{at}/document.pdf");
    assert!(portal.body.contains(&pdf), "{}", portal.body);
    let res = lena.get(&pdf).await;
    assert_eq!(res.status, StatusCode::OK);
    // The frozen HTML shows with its own inline style, and nothing in it
    // may run; pages keep the strict policy.
    let html = lena.get(&format!("{at}/document.html")).await;
    assert_eq!(html.status, StatusCode::OK);
    let csp = html.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'unsafe-inline'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let page_csp = portal.headers["content-security-policy"].to_str().unwrap();
    assert!(page_csp.contains("style-src 'self';"), "{page_csp}");
}
both!(an_admin_issues_a_statement_on_its_page_and_the_client_downloads_it_from_the_portal);
