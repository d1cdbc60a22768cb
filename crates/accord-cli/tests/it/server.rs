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

    let body = |token: &str| {
        let r = http_get(&addr, "/api/v1/tickets?limit=500", Some(token));
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        let json = r.split("\r\n\r\n").nth(1).unwrap().to_string();
        serde_json::from_str::<serde_json::Value>(&json).unwrap()
    };
    let all = body(&tokens[0].1)["items"].as_array().unwrap().len();
    assert_eq!(all, 400);
    let mut seen = 0;
    for (is_client, token) in &tokens {
        if !is_client {
            continue;
        }
        let page = body(token);
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty());
        let client = &items[0]["client"];
        assert!(items.iter().all(|t| &t["client"] == client));
        seen += items.len();
    }
    assert_eq!(seen, 400, "the three clients' tickets partition the demo");
    Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
}
