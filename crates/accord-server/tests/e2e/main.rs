//! The web application in a real browser: Debian's `chromium`,
//! driven through `chromedriver` (started here on a free loopback port),
//! against `accord_server::launch` — what `accord serve` runs — on another
//! loopback port over a fresh SQLite database.
//!
//! Screenshots of the dashboard, a ticket page, a contract's milestones,
//! the client portal (with the deliverables it owes) and an
//! amendment's diagnostics at 1280 and 390 px go to
//! `target/e2e-screenshots/`. Without chromium or chromedriver the suite
//! fails when `CI` is set and is skipped with a message otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use accord_core::clock::{EventKind, TicketEvent};
use accord_server::{DatabaseUrl, Settings};
use accord_store::testing::{CONTRACT, TestDb};
use accord_store::{ClientId, NewTicket, NewUser, Role, Store, Tenant, TicketId};
use fantoccini::{Client, ClientBuilder, Locator};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const PASSWORD: &str = "e2e password 1";
const ACME: &str = include_str!("../../../../examples/acme.contract.toml");
/// The example milestone history of Acme's contract.
const ACME_MILESTONES: &str = include_str!("../../../../examples/acme.milestones.jsonl");

/// An executable on `PATH`, by the first of `names` found.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Chromium and chromedriver, or `None` (outside CI) when either is missing.
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = on_path(&["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if std::env::var_os("CI").is_some() => panic!(
            "the end-to-end suite needs chromium and chromedriver on PATH in CI \
             (Debian: apt-get install chromium chromium-driver)"
        ),
        _ => {
            eprintln!(
                "skipping the browser suite: chromium or chromedriver is not on PATH \
                 (Debian: apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver on a loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(binary: &Path) -> Driver {
        let port = free_port();
        let driver = Driver {
            child: Command::new(binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            url: format!("http://127.0.0.1:{port}"),
        };
        // Ready once it accepts connections; give up after 20 s (the drop
        // then stops it).
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start listening on port {port}");
    }

    /// A new browser: its own profile, so its own cookies.
    async fn browser(&self, chromium: &Path) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium.to_string_lossy(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars",
                         "--force-device-scale-factor=1", "--lang=en-GB"],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server on a loopback port, stopped at the end.
struct Server {
    base: String,
    store: Store,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), accord_server::ServerError>>,
    db: TestDb,
}

impl Server {
    async fn start(db: TestDb) -> Server {
        let settings = Settings {
            database_url: Some(DatabaseUrl::new(db.url.clone())),
            ..Settings::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(accord_server::launch(settings, listener, async move {
            let _ = rx.await;
        }));
        Server {
            base,
            store: db.store.clone(),
            shutdown,
            task,
            db,
        }
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task.await.unwrap().unwrap();
        self.db.finish().await;
    }
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves the current page at 1280 and 390 px wide, each as tall as the
/// page (up to 4000 px), as `NAME-1280.png` and `NAME-390.png`.
async fn shoot(c: &Client, name: &str) {
    for (width, height) in [(1280u32, 900u32), (390, 844)] {
        c.set_window_size(width, height).await.unwrap();
        // Measured after the width is set: narrower pages are taller.
        let tall = c
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(u64::from(height));
        let tall = u32::try_from(tall).unwrap_or(height).clamp(height, 4000);
        c.set_window_size(width, tall).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(screenshot_dir().join(format!("{name}-{width}.png")), png).unwrap();
    }
    c.set_window_size(1280, 900).await.unwrap();
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("header.top"))
        .await
        .unwrap_or_else(|e| panic!("{email} could not sign in: {e}"));
}

/// Text of the first element matching `css`.
async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
        .text()
        .await
        .unwrap()
}

// ---- the data a provider would have ----

async fn user(store: &Store, email: &str, name: &str, role: Role, client: Option<ClientId>) {
    store
        .accounts()
        .create_user(
            NewUser {
                email,
                name,
                role,
                client,
                password: Some(PASSWORD),
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
}

/// Opens ticket (key, priority, subject) `ago_minutes` before now and appends `later` events (kind,
/// minutes after opening), none in the future.
async fn ticket(
    store: &Store,
    client: &ClientId,
    contract: &str,
    (key, priority, subject): (&str, &str, &str),
    ago_minutes: i64,
    later: &[(EventKind, i64)],
) -> TicketId {
    let now = Timestamp::now();
    let opened = Timestamp::from_second(now.as_second() - ago_minutes * 60).unwrap();
    let event = |kind: EventKind, at: Timestamp, note: Option<&str>| TicketEvent {
        ticket: key.to_string(),
        kind,
        at,
        id: None,
        by: Some("seed@provider.example".into()),
        note: note.map(str::to_string),
        seq: None,
    };
    let new = NewTicket {
        client: client.clone(),
        contract_id: contract.to_string(),
        opened: event(
            EventKind::Opened {
                priority: priority.into(),
            },
            opened,
            Some(subject),
        ),
    };
    let t = store
        .tickets()
        .open(&Tenant::Provider, new, now)
        .await
        .unwrap();
    let events: Vec<TicketEvent> = later
        .iter()
        .map(|(k, m)| event(k.clone(), opened + SignedDuration::from_mins(*m), None))
        .collect();
    if !events.is_empty() {
        store
            .tickets()
            .append(&Tenant::Provider, &t.id, &events, now)
            .await
            .unwrap();
    }
    t.id
}

/// A provider with two clients; returns Acme's ticket T-1 and Globex's G-1 (keys are unique across clients).
async fn seed(store: &Store) -> (TicketId, TicketId) {
    let now = Timestamp::now();
    store
        .accounts()
        .create_provider("Northlight IT", now)
        .await
        .unwrap();
    user(
        store,
        "agent@provider.example",
        "Alex Agent",
        Role::Agent,
        None,
    )
    .await;
    let acme = store
        .accounts()
        .create_client("Acme Analytics GmbH", now)
        .await
        .unwrap();
    // The example contract, without its end date so the suite keeps working.
    let acme_text = ACME.replace("effective_until = 2026-12-31        # optional\n", "");
    store
        .contracts()
        .put_version(&acme, "acme.contract.toml", &acme_text, now)
        .await
        .unwrap();
    // Its milestone history up to the shift: the sample export late, a
    // pending_payment pause, a shift; the schema sign-off still owed.
    let events: Vec<accord_core::milestone::MilestoneEvent> =
        accord_core::milestone::MilestoneEvent::parse_json_lines(ACME_MILESTONES)
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| ["m-2", "m-3", "m-4", "m-5"].contains(&e.id.as_deref().unwrap_or("")))
            .collect();
    store
        .milestones()
        .append(&Tenant::Provider, "acme-2026", &events, now)
        .await
        .unwrap();
    user(
        store,
        "lena@acme.example",
        "Lena Fischer",
        Role::Client,
        Some(acme.clone()),
    )
    .await;
    let globex = store
        .accounts()
        .create_client("Globex Corporation", now)
        .await
        .unwrap();
    let globex_text = CONTRACT.replace("CONTRACT_ID", "globex-2026");
    store
        .contracts()
        .put_version(&globex, "globex.toml", &globex_text, now)
        .await
        .unwrap();
    user(
        store,
        "gus@globex.example",
        "Gus Globex",
        Role::Client,
        Some(globex.clone()),
    )
    .await;

    let acme_id = "acme-2026";
    let t1 = ticket(
        store,
        &acme,
        acme_id,
        ("T-1", "high", "Nightly export to the data warehouse fails"),
        180,
        &[],
    )
    .await;
    let paused = EventKind::Paused {
        reason: "data_dependency".into(),
        waiting_on: Some("client.data_owner".into()),
    };
    ticket(
        store,
        &acme,
        acme_id,
        ("T-2", "critical", "Dashboard shows stale revenue figures"),
        60 * 30,
        &[(EventKind::Replied, 20)],
    )
    .await;
    ticket(
        store,
        &acme,
        acme_id,
        ("T-3", "normal", "New KPI for churn by region"),
        60 * 50,
        &[(EventKind::Replied, 90), (paused, 120)],
    )
    .await;
    ticket(
        store,
        &acme,
        acme_id,
        ("T-4", "normal", "Add SSO for the analytics portal"),
        60 * 24 * 3,
        &[(EventKind::Replied, 60), (EventKind::Resolved, 60 * 30)],
    )
    .await;
    ticket(
        store,
        &acme,
        acme_id,
        ("T-5", "critical", "Login page returns 502"),
        60 * 24 * 9,
        &[
            (EventKind::Replied, 60 * 24 * 2),
            (EventKind::Resolved, 60 * 24 * 5),
        ],
    )
    .await;
    let g1 = ticket(
        store,
        &globex,
        "globex-2026",
        ("G-1", "critical", "Globex confidential outage"),
        30,
        &[],
    )
    .await;
    (t1, g1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pause_client_reply_tenancy_and_amendment_in_chromium_sqlite() {
    the_flows(TestDb::sqlite().await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pause_client_reply_tenancy_and_amendment_in_chromium_postgres() {
    // `None` only outside CI, when PostgreSQL is unreachable.
    if let Some(db) = TestDb::postgres().await {
        the_flows(db, false).await;
    }
}

/// The web flows (pause and client reply, milestones, tenancy, amendment)
/// in one browser session per user; screenshots when `shots` (once is
/// enough: the pages are the same on either backend).
async fn the_flows(db: TestDb, shots: bool) {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        db.finish().await;
        return;
    };
    let shoot = |c: &Client, name: &'static str| {
        let c = c.clone();
        async move {
            if shots {
                shoot(&c, name).await;
            }
        }
    };
    let server = Server::start(db).await;
    let (t1, globex_t1) = seed(&server.store).await;
    let base = server.base.clone();
    let driver = Driver::start(&chromedriver).await;

    // 1. A staff user pauses T-1 for approval, waiting on the client's approver.
    let staff = driver.browser(&chromium).await;
    sign_in(&staff, &base, "agent@provider.example").await;
    shoot(&staff, "dashboard").await;
    staff.goto(&format!("{base}/tickets/{t1}")).await.unwrap();
    staff
        .find(Locator::Id("pause-reason"))
        .await
        .unwrap()
        .select_by_value("approval")
        .await
        .unwrap();
    staff
        .find(Locator::Id("pause-waiting"))
        .await
        .unwrap()
        .select_by_value("client.approver")
        .await
        .unwrap();
    staff
        .find(Locator::Id("pause-note"))
        .await
        .unwrap()
        .send_keys("Please approve the new export schema (attached to the e-mail).")
        .await
        .unwrap();
    staff
        .find(Locator::Css("#pause-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let banner = text(&staff, "#pause-banner").await;
    assert!(banner.contains("paused for approval"), "{banner}");
    assert!(banner.contains("Jonas Weber (approver)"), "{banner}");
    shoot(&staff, "ticket").await;
    staff
        .goto(&format!("{base}/contracts/acme-2026/milestones"))
        .await
        .unwrap();
    let ledger = text(&staff, "#milestone-pipeline-live table.ledger").await;
    assert!(ledger.contains("late deliverable"), "{ledger}");
    // The pause (9 to 12 March) lies inside the schema sign-off's delay:
    // counted once, as the deliverable's.
    assert!(ledger.contains("Sign-off of the schema design"), "{ledger}");
    assert!(ledger.contains("shifted: Change request CR-7"), "{ledger}");
    shoot(&staff, "milestones").await;

    // 2. The client user finds it under "waiting on you" and replies.
    let client = driver.browser(&chromium).await;
    sign_in(&client, &base, "lena@acme.example").await;
    let waiting = text(&client, "#waiting-on-you li[data-ticket=\"T-1\"]").await;
    assert!(waiting.contains("approval"), "{waiting}");
    assert!(waiting.contains("Jonas Weber (approver)"), "{waiting}");
    let owed = text(&client, "#deliverables-you-owe li").await;
    assert!(owed.contains("Sign-off of the schema design"), "{owed}");
    assert!(owed.contains("Data pipeline live"), "{owed}");
    shoot(&client, "portal").await;
    client
        .find(Locator::Css("#waiting-on-you li[data-ticket=\"T-1\"] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Id("reply-note"))
        .await
        .unwrap()
        .send_keys("Approved, go ahead.")
        .await
        .unwrap();
    client
        .find(Locator::Css("#reply-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Waits for the page after the reply (the old one has no such entry).
    let last = text(&client, "#timeline li.ev[data-kind=\"client_replied\"]").await;
    assert!(last.contains("Client replied"), "{last}");
    assert!(last.contains("Approved, go ahead."), "{last}");
    assert!(client.find(Locator::Id("pause-banner")).await.is_err());
    // The client reads times in its contract's zone, named on the page.
    let zone = text(&client, "footer.foot").await;
    assert!(zone.contains("Europe/Berlin"), "{zone}");
    shoot(&client, "portal-ticket").await;

    // 3. The clock resumed: the staff dashboard lists T-1 as running.
    staff.goto(&format!("{base}/")).await.unwrap();
    let rows = staff
        .find_all(Locator::Css(&format!("#at-risk tr[data-id=\"{t1}\"]")))
        .await
        .unwrap();
    assert!(!rows.is_empty(), "T-1 is not in the at-risk list");
    let mut states = Vec::new();
    for r in rows {
        states.push(r.text().await.unwrap().to_lowercase());
    }
    assert!(states.iter().any(|s| s.contains("running")), "{states:?}");
    assert!(
        staff
            .find(Locator::Css(&format!("#waiting li[data-id=\"{t1}\"]")))
            .await
            .is_err()
    );

    // 4. The client user cannot open another client's ticket by URL.
    client
        .goto(&format!("{base}/tickets/{globex_t1}"))
        .await
        .unwrap();
    let h1 = text(&client, "main h1").await;
    assert_eq!(h1, "Not Found");
    let source = client.source().await.unwrap();
    assert!(!source.contains("Globex confidential outage"));

    // 5. An invalid amendment shows its diagnostic next to the offending line.
    staff
        .goto(&format!("{base}/contracts/acme-2026/amend"))
        .await
        .unwrap();
    let area = staff.find(Locator::Id("text")).await.unwrap();
    let original: String = area.prop("value").await.unwrap().unwrap_or_default();
    let broken = original.replace("resolution = \"16h\"", "resolution = \"16 hours\"");
    let bad_line = broken
        .lines()
        .position(|l| l.contains("\"16 hours\""))
        .unwrap()
        + 1;
    // Set the text through the page's own field, as pasting would.
    staff
        .execute(
            "document.getElementById('text').value = arguments[0];",
            vec![json!(broken)],
        )
        .await
        .unwrap();
    staff
        .find(Locator::Css("form[action$=\"/amend\"] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let diagnostic = text(
        &staff,
        &format!("#diagnostics tr.diagnostic[data-line=\"{bad_line}\"]"),
    )
    .await;
    assert!(diagnostic.contains("16 hours"), "{diagnostic}");
    assert!(
        diagnostic.contains(&format!("line {bad_line}")),
        "{diagnostic}"
    );
    let line = text(&staff, &format!("#line-{bad_line}")).await;
    assert!(line.contains("resolution = \"16 hours\""), "{line}");
    shoot(&staff, "amendment").await;
    staff
        .goto(&format!("{base}/contracts/acme-2026"))
        .await
        .unwrap();
    text(&staff, "article.appendix h1").await;
    shoot(&staff, "contract").await;

    staff.close().await.unwrap();
    client.close().await.unwrap();
    drop(driver);
    server.stop().await;
}
