//! Real notification receivers on loopback: an HTTP endpoint that records
//! webhook POSTs (answering errors first when asked to), and an SMTP sink
//! speaking enough of RFC 5321 for lettre, recording each message.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Polls `check` until it answers `Some`, for at most 30 s (a bound on a
/// wait, not a timing assertion), panicking with `what` after that.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..1500 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gave up waiting for {what}");
}

/// A webhook POST as received.
#[derive(Debug, Clone)]
pub struct Hook {
    pub headers: HeaderMap,
    pub body: String,
    pub json: Value,
    /// The status answered.
    pub answered: u16,
}

impl Hook {
    pub fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().unwrap()
    }

    /// Checks `Accord-Signature` as a receiver would, answering its `t`.
    pub fn verify(&self, secret: &str) -> i64 {
        let sig = self.header("accord-signature");
        let (t, v1) = sig
            .strip_prefix("t=")
            .and_then(|r| r.split_once(",v1="))
            .unwrap_or_else(|| panic!("malformed signature header `{sig}`"));
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", self.body).as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, expected, "bad signature on {}", self.body);
        t.parse().unwrap()
    }
}

#[derive(Clone)]
struct HookState {
    received: Arc<Mutex<Vec<Hook>>>,
    /// Requests still to answer with `fail_status`.
    failures_left: Arc<AtomicUsize>,
    fail_status: u16,
}

/// An HTTP endpoint on 127.0.0.1 that records every POST to `/hook`.
pub struct WebhookReceiver {
    pub url: String,
    state: HookState,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Answers 200 to everything.
    pub async fn start() -> WebhookReceiver {
        WebhookReceiver::failing(0, 500).await
    }

    /// Answers `status` to the first `failures` requests, then 200.
    pub async fn failing(failures: usize, status: u16) -> WebhookReceiver {
        let state = HookState {
            received: Arc::default(),
            failures_left: Arc::new(AtomicUsize::new(failures)),
            fail_status: status,
        };
        let app = Router::new()
            .route("/hook", post(record))
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        WebhookReceiver { url, state, task }
    }

    pub fn received(&self) -> Vec<Hook> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived, answering all so far.
    pub async fn wait_for(&self, n: usize) -> Vec<Hook> {
        eventually(&format!("{n} webhook requests at {}", self.url), || async {
            let got = self.received();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(state): State<HookState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let failing = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if failing {
        StatusCode::from_u16(state.fail_status).unwrap()
    } else {
        StatusCode::OK
    };
    let body = String::from_utf8(body.to_vec()).unwrap();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    state.received.lock().unwrap().push(Hook {
        headers,
        body,
        json,
        answered: status.as_u16(),
    });
    status
}

/// A message as the SMTP sink received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, dot-stuffing removed.
    pub data: String,
}

impl Mail {
    /// The value of header `name` (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The body, quoted-printable decoded when so encoded.
    pub fn body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let qp = self
            .header("content-transfer-encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("quoted-printable"));
        if !qp {
            return raw.to_string();
        }
        let joined = raw.replace("=\r\n", "");
        let mut out = Vec::new();
        let mut bytes = joined.bytes();
        while let Some(b) = bytes.next() {
            if b == b'=' {
                let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                out.push(u8::from_str_radix(&hex, 16).unwrap());
            } else {
                out.push(b);
            }
        }
        String::from_utf8(out).unwrap()
    }
}

/// An SMTP server on 127.0.0.1 that accepts every message.
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let sink = Arc::clone(&mails);
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let sink = Arc::clone(&sink);
                tokio::spawn(async move {
                    let _ = session(socket, sink).await;
                });
            }
        });
        SmtpSink { port, mails, task }
    }

    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived, answering all so far.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        eventually(&format!("{n} e-mails"), || async {
            let got = self.received();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session (RFC 5321 §4.1): greeting, EHLO/HELO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT.
async fn session(
    socket: tokio::net::TcpStream,
    sink: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let path = || {
            command
                .split_once('<')
                .and_then(|(_, r)| r.split_once('>'))
                .map_or(String::new(), |(p, _)| p.to_string())
        };
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "MAIL" => {
                from = path();
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(path());
                b"250 OK\r\n"
            }
            "RSET" => {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                sink.lock().unwrap().push(Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"500 Command not recognised\r\n",
        };
        write.write_all(reply).await?;
    }
}
