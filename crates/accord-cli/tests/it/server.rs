//! `accord migrate`, `user add`, `token create` and `serve` through the real
//! binary: a token made on the command line opens the API of a server that
//! stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

fn accord(data_dir: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("accord")
        .unwrap()
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("ACCORD_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn a_token_created_on_the_command_line_opens_the_api_and_sigterm_stops_the_server() {
    let dir = std::env::temp_dir().join(format!("accord-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(accord(&dir, &["migrate"]).contains("migrated"));
    let out = accord(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "Ana@Provider.example",
            "--name",
            "Ana",
            "--role",
            "admin",
        ],
    );
    assert!(
        out.contains("created admin user ana@provider.example"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("password: ") && l.len() == 34),
        "{out}"
    );
    let token = accord(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "ana@provider.example",
            "--name",
            "test",
        ],
    );
    let token = token.trim();
    assert!(token.starts_with("accord_"), "{token}");

    let mut server = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("ACCORD_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();

    assert!(http_get(&addr, "/healthz", None).starts_with("HTTP/1.1 200"));
    assert!(http_get(&addr, "/api/v1/tickets", None).starts_with("HTTP/1.1 401"));
    let listed = http_get(&addr, "/api/v1/tickets", Some(token));
    assert!(listed.starts_with("HTTP/1.1 200"), "{listed}");
    assert!(
        listed.ends_with("{\"items\":[],\"next_cursor\":null}"),
        "{listed}"
    );

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // Logs written to a pipe are plain text: no colour escape sequences.
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut logs).unwrap();
    assert!(logs.contains("INFO"), "{logs}");
    assert!(!logs.contains('\x1b'), "escape sequences in {logs:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_demo_seeds_clients_whose_tokens_see_only_their_own_tickets() {
    let dir = std::env::temp_dir().join(format!("accord-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("ACCORD_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(server.stdout.take().unwrap());
    let mut tokens = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some((_, token)) = line.split_once(" token ") {
            tokens.push((line.contains("client"), token.trim().to_string()));
        }
        if line.starts_with("demo: ") {
            assert!(line.contains("3 clients, 400 tickets"), "{line}");
            break;
        }
    }
    assert_eq!(tokens.len(), 5, "{tokens:?}");
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    // Every ticket the token sees, page by page (at most 200 a page).
    let body = |token: &str| {
        let mut items = Vec::new();
        let mut path = "/api/v1/tickets?limit=200".to_string();
        loop {
            let r = http_get(&addr, &path, Some(token));
            assert!(r.starts_with("HTTP/1.1 200"), "{r}");
            let json = r.split("\r\n\r\n").nth(1).unwrap().to_string();
            let page = serde_json::from_str::<serde_json::Value>(&json).unwrap();
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/tickets?limit=200&after={c}"),
                None => return items,
            }
        }
    };
    let all = body(&tokens[0].1).len();
    assert_eq!(all, 400);
    let mut seen = 0;
    for (is_client, token) in &tokens {
        if !is_client {
            continue;
        }
        let items = body(token);
        assert!(!items.is_empty());
        let client = &items[0]["client"];
        assert!(items.iter().all(|t| &t["client"] == client));
        seen += items.len();
    }
    assert_eq!(seen, 400, "the three clients' tickets partition the demo");

    // The example contracts' milestones have their histories.
    let milestones = |contract: &str| {
        let r = http_get(
            &addr,
            &format!("/api/v1/contracts/{contract}/milestones"),
            Some(&tokens[0].1),
        );
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        serde_json::from_str::<serde_json::Value>(r.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    };
    let acme = milestones("acme-2026");
    let causes: Vec<&str> = acme[0]["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cause"].as_str().unwrap())
        .collect();
    assert_eq!(acme[0]["milestone"], "pipeline-live");
    for cause in ["deliverable", "pause", "shift"] {
        assert!(causes.contains(&cause), "{cause} missing from {}", acme[0]);
    }
    assert_eq!(acme[0]["accepted"], "2026-04-15");
    let harbour = milestones("harbour-bakery-site-2026");
    let launch = harbour
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == "launch")
        .unwrap();
    assert_eq!(launch["shift_days"], 5);
    assert_eq!(launch["pauses"][0]["reason"], "pending_payment");
    assert_eq!(launch["pauses"][0]["to"], serde_json::Value::Null);
    assert!(
        harbour[0]["deliverables"][0]["days_late"].as_i64().unwrap() > 0,
        "{harbour}"
    );
    Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- SPEC §9 "nothing acknowledged is lost", through the real binary ----

/// Sends one request and answers (status, body).
fn http(addr: &str, method: &str, path: &str, token: &str, json: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = json.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// `accord serve` on a free port over `database` (with `extra` arguments);
/// answers the process and
/// its address. Its log is drained in the background so it never blocks.
fn serve(database: &str, extra: &[&str]) -> (std::process::Child, String) {
    let mut server = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .args(extra)
        .env_remove("ACCORD_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (server, addr)
}

/// Ingests `N` events one request each, each answered 201, kills the server
/// with SIGKILL, restarts it on the same database and finds every event.
fn acknowledged_events_survive_kill_9(
    db: &accord_store::testing::TestDb,
    rt: &tokio::runtime::Runtime,
) {
    use std::os::unix::process::ExitStatusExt;
    const N: usize = 60;
    let now = jiff::Timestamp::now();
    let token = rt.block_on(async {
        let client = db
            .store
            .accounts()
            .create_client("Acme", now)
            .await
            .unwrap();
        let text = accord_store::testing::CONTRACT.replace("CONTRACT_ID", "ACME");
        db.store
            .contracts()
            .put_version(&client, "acme.toml", &text, now)
            .await
            .unwrap();
        let user = db
            .store
            .accounts()
            .create_user(
                accord_store::NewUser {
                    email: "agent@provider.test",
                    name: "Agent",
                    role: accord_store::Role::Agent,
                    client: None,
                    password: None,
                },
                now,
            )
            .await
            .unwrap();
        let (_, secret) = db
            .store
            .accounts()
            .create_token(&user.id, "test", now)
            .await
            .unwrap();
        format!("{client} {}", secret.expose())
    });
    let (client, token) = token.split_once(' ').unwrap();

    let (mut server, addr) = serve(&db.url, &[]);
    let open = format!(
        r#"{{"client": "{client}", "contract_id": "ACME", "key": "T-1", "priority": "normal", "at": "2026-03-02T08:00:00Z"}}"#
    );
    let (status, ticket) = http(&addr, "POST", "/api/v1/tickets", token, Some(&open));
    assert_eq!(status, 201, "{ticket}");
    let ticket: serde_json::Value = serde_json::from_str(&ticket).unwrap();
    let id = ticket["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/tickets/{id}/events");
    for i in 0..N {
        let kind = if i % 2 == 0 {
            "client_replied"
        } else {
            "replied"
        };
        let event = format!(
            r#"{{"kind": "{kind}", "at": "2026-03-02T{:02}:{:02}:00Z", "id": "e{i}"}}"#,
            9 + i / 60,
            i % 60
        );
        let (status, body) = http(&addr, "POST", &path, token, Some(&event));
        assert_eq!(status, 201, "event {i}: {body}");
    }
    server.kill().unwrap();
    let status = server.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status:?}");

    let (mut server, addr) = serve(&db.url, &[]);
    let (status, body) = http(&addr, "GET", &format!("/api/v1/tickets/{id}"), token, None);
    assert_eq!(status, 200, "{body}");
    let detail: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .filter(|i| i.starts_with('e'))
        .collect();
    let expected: Vec<String> = (0..N).map(|i| format!("e{i}")).collect();
    assert_eq!(ids, expected);
    Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
}

#[test]
fn acknowledged_events_survive_kill_9_on_sqlite() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(accord_store::testing::TestDb::sqlite());
    acknowledged_events_survive_kill_9(&db, &rt);
    rt.block_on(db.finish());
}

#[test]
fn acknowledged_events_survive_kill_9_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(accord_store::testing::TestDb::postgres()) else {
        return;
    };
    acknowledged_events_survive_kill_9(&db, &rt);
    rt.block_on(db.finish());
}

// ---- SPEC §4 "exactly one event per clock and threshold, even with several
// servers running", with two real processes on one PostgreSQL ----

/// The (`Accord-Delivery`, JSON body) of each webhook request received.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

/// A webhook receiver on loopback: answers 200 to every POST and keeps each
/// request's `Accord-Delivery` header and JSON body.
fn webhook_receiver() -> (String, Received) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = std::sync::Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let (mut length, mut delivery) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "accord-delivery" => delivery = value.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
            keep.lock().unwrap().push((delivery, body));
        }
    });
    (url, got)
}

#[test]
fn two_serve_processes_on_one_postgres_fire_each_crossing_exactly_once() {
    const TICKETS: usize = 6;
    // Per ticket: first response warning (30 s) and breach (1 min),
    // resolution warning (1 min) and breach (2 min).
    const PER_TICKET: usize = 4;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(accord_store::testing::TestDb::postgres()) else {
        return;
    };
    let (hook, received) = webhook_receiver();
    let now = jiff::Timestamp::now();
    let (client, token) = rt.block_on(async {
        let client = db
            .store
            .accounts()
            .create_client("Acme", now)
            .await
            .unwrap();
        let text = accord_store::testing::CONTRACT
            .replace("CONTRACT_ID", "ACME")
            .replace(r#"first_response = "8h""#, r#"first_response = "1m""#)
            .replace(r#"resolution = "40h""#, r#"resolution = "2m""#)
            + "\n[warnings]\nthresholds = [0.5]\n";
        db.store
            .contracts()
            .put_version(&client, "acme.toml", &text, now)
            .await
            .unwrap();
        db.store
            .outbox()
            .create_webhook(
                accord_store::NewWebhook {
                    url: hook.clone(),
                    topics: accord_store::Topics::all(),
                    client: None,
                    description: "both servers".into(),
                },
                now,
            )
            .await
            .unwrap();
        let user = db
            .store
            .accounts()
            .create_user(
                accord_store::NewUser {
                    email: "admin@provider.test",
                    name: "Admin",
                    role: accord_store::Role::Admin,
                    client: None,
                    password: None,
                },
                now,
            )
            .await
            .unwrap();
        let (_, secret) = db
            .store
            .accounts()
            .create_token(&user.id, "test", now)
            .await
            .unwrap();
        (client.to_string(), secret.expose().to_string())
    });
    // Both monitors look for due crossings often, so both contend for each.
    let config = std::env::temp_dir().join(format!("accord-two-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        "[notifications]\nidle_check_ms = 200\nretry_base_ms = 200\nretry_max_ms = 1000\n",
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let (mut a, addr_a) = serve(&db.url, &["--config", &config]);
    let (mut b, addr_b) = serve(&db.url, &["--config", &config]);

    // Tickets opened now, half through each server.
    let mut ids = Vec::new();
    for i in 0..TICKETS {
        let addr = if i % 2 == 0 { &addr_a } else { &addr_b };
        let at = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap();
        let open = format!(
            r#"{{"client": "{client}", "contract_id": "ACME", "key": "T-{i}", "priority": "normal", "at": "{at}"}}"#
        );
        let (status, body) = http(addr, "POST", "/api/v1/tickets", &token, Some(&open));
        assert_eq!(status, 201, "{body}");
        let ticket: serde_json::Value = serde_json::from_str(&body).unwrap();
        ids.push(ticket["id"].as_str().unwrap().to_string());
    }

    // Wait (bounded) for every crossing, then a little longer for repeats.
    let expected = TICKETS * PER_TICKET;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    while received.lock().unwrap().len() < expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    std::thread::sleep(std::time::Duration::from_secs(2));

    for server in [&mut a, &mut b] {
        Command::new("kill")
            .arg("-TERM")
            .arg(server.id().to_string())
            .status()
            .unwrap();
        assert!(server.wait().unwrap().success());
    }
    let received = received.lock().unwrap().clone();
    let mut firings = std::collections::BTreeSet::new();
    let mut deliveries = std::collections::BTreeSet::new();
    for (delivery, body) in &received {
        assert!(
            deliveries.insert(delivery.clone()),
            "delivery {delivery} arrived twice"
        );
        let key = (
            body["ticket"]["id"].as_str().unwrap().to_string(),
            body["metric"].as_str().unwrap().to_string(),
            body["cycle"].as_u64().unwrap(),
            body["share"].as_str().unwrap().to_string(),
        );
        assert!(
            firings.insert(key.clone()),
            "{key:?} fired twice: {received:?}"
        );
    }
    let mut want = std::collections::BTreeSet::new();
    for id in &ids {
        for metric in ["first_response", "resolution"] {
            for share in ["0.5", "1"] {
                want.insert((id.clone(), metric.to_string(), 1, share.to_string()));
            }
        }
    }
    assert_eq!(firings, want, "every crossing, each once");
    rt.block_on(db.finish());
}

#[test]
fn user_add_refuses_an_unknown_client_naming_the_closest_unless_told_to_create_it() {
    let dir = std::env::temp_dir().join(format!("accord-user-client-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let add = |email: &str, client: &str, create: bool| {
        let mut cmd = assert_cmd::Command::cargo_bin("accord").unwrap();
        cmd.args([
            "user", "add", "--email", email, "--name", "Lena", "--role", "client",
        ])
        .args(["--client", client])
        .arg("--data-dir")
        .arg(&dir)
        .env_remove("ACCORD_DATABASE_URL");
        if create {
            cmd.arg("--create-client");
        }
        cmd.output().unwrap()
    };
    let created = add("lena@acme.example", "Acme Analytics GmbH", true);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    for _ in 0..2 {
        // Refused each time: the first refusal created nothing.
        let typo = add("jonas@acme.example", "Acme Analytics", false);
        assert!(!typo.status.success());
        let err = String::from_utf8_lossy(&typo.stderr);
        assert!(
            err.contains(
                "there is no client `Acme Analytics`: did you mean \"Acme Analytics GmbH\"?"
            ),
            "{err}"
        );
        assert!(err.contains("--create-client"), "{err}");
    }
    let typo = add("jonas@acme.example", "Acme Analytcs GmbH", false);
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(
        err.contains("did you mean \"Acme Analytics GmbH\"?"),
        "{err}"
    );
    let existing = add("jonas@acme.example", "Acme Analytics GmbH", false);
    assert!(
        existing.status.success(),
        "{}",
        String::from_utf8_lossy(&existing.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
