//! HTTP load generator for `accord serve` (issue 5, item 8), over loopback.
//!
//! ```text
//! loadgen ingest  URL TOKEN CLIENT CONTRACT [--concurrency C] [--duration S] [--batch B] [--events K]
//! loadgen seed    URL TOKEN CLIENT CONTRACT --tickets N [--concurrency C]
//! loadgen at-risk URL TOKEN [--requests R] [--limit L]
//! ```
//!
//! `ingest`: C workers, each in a loop until S seconds have passed: open a
//! ticket (`POST /api/v1/tickets`, its `opened` event), then post its K
//! further SPEC §10 events (replies, client replies, a pause and its resume,
//! a resolve) in requests of B events (B = 1: one JSON object a request;
//! else a JSON array). Every request's latency is recorded; the summary is
//! events/s (events the server accepted), requests/s, p50/p90/p99/max, errors.
//!
//! `seed`: opens N tickets (real requests, so their clocks are computed by
//! the server), with opening instants spread over the last days so that
//! their remaining times differ.
//!
//! `at-risk`: R sequential `GET /api/v1/tickets/at-risk?limit=L` requests
//! (a window wide enough to hold every open ticket), p50/p99/max.
//!
//! Only loopback addresses are accepted; every loop is bounded in time or count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const REASON: &str = "client_communication";
const PRIORITIES: [&str; 3] = ["critical", "high", "normal"];

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("loadgen: {msg}");
    std::process::exit(2)
}

struct Args {
    pos: Vec<String>,
    concurrency: usize,
    duration: u64,
    batch: usize,
    events: usize,
    tickets: usize,
    requests: usize,
    limit: usize,
}

fn parse_args() -> (String, Args) {
    let mut it = std::env::args().skip(1);
    let mode = it
        .next()
        .unwrap_or_else(|| die("usage: loadgen ingest|seed|at-risk URL TOKEN ..."));
    let mut a = Args {
        pos: Vec::new(),
        concurrency: 16,
        duration: 20,
        batch: 1,
        events: 9,
        tickets: 100_000,
        requests: 500,
        limit: 50,
    };
    while let Some(x) = it.next() {
        let mut num = |name: &str| -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| die(format!("{name} needs a number")))
        };
        match x.as_str() {
            "--concurrency" => a.concurrency = num(&x).max(1),
            "--duration" => a.duration = num(&x) as u64,
            "--batch" => a.batch = num(&x).max(1),
            "--events" => a.events = num(&x).max(1),
            "--tickets" => a.tickets = num(&x),
            "--requests" => a.requests = num(&x).max(1),
            "--limit" => a.limit = num(&x).max(1),
            _ if x.starts_with("--") => die(format!("unknown flag {x}")),
            _ => a.pos.push(x),
        }
    }
    if let Some(url) = a.pos.first() {
        let host = url.strip_prefix("http://").unwrap_or_else(|| {
            die("the URL must be http://127.x.x.x:PORT or http://localhost:PORT")
        });
        if !(host.starts_with("127.")
            || host.starts_with("localhost:")
            || host.starts_with("[::1]"))
        {
            die("only loopback addresses are accepted");
        }
    }
    (mode, a)
}

/// RFC 3339 UTC with `Z` for Unix seconds (civil-from-days, Howard Hinnant).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    auth: String,
    client: String,
    contract: String,
}

enum Outcome {
    Ok(serde_json::Value),
    Failed(String),
}

impl Api {
    fn new(a: &Args) -> Api {
        let get = |i: usize| a.pos.get(i).cloned().unwrap_or_default();
        Api {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(1024)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_else(|e| die(e)),
            base: get(0).trim_end_matches('/').to_string(),
            auth: format!("Bearer {}", get(1)),
            client: get(2),
            contract: get(3),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Outcome {
        match req.header("authorization", &self.auth).send().await {
            Ok(resp) => {
                let status = resp.status();
                let body = resp.bytes().await.unwrap_or_default();
                if status.is_success() {
                    Outcome::Ok(serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
                } else {
                    Outcome::Failed(format!("{status}: {}", String::from_utf8_lossy(&body)))
                }
            }
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    async fn post_json(&self, path: &str, body: String) -> Outcome {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        self.send(req).await
    }

    /// Opens a ticket; its id.
    async fn open(&self, key: &str, priority: &str, at: i64) -> Result<String, String> {
        let body = serde_json::json!({
            "client": self.client, "contract_id": self.contract, "key": key,
            "priority": priority, "at": rfc3339(at), "id": format!("{key}-opened"),
        });
        match self.post_json("/api/v1/tickets", body.to_string()).await {
            Outcome::Ok(v) => v["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("no id in {v}")),
            Outcome::Failed(e) => Err(e),
        }
    }
}

/// The K events after `opened` of a ticket: a realistic conversation
/// (reply, client reply, a pause waiting on the client and its resume ...)
/// ending with `resolved`; one instant a few minutes after the previous.
fn history(key: &str, opened: i64, k: usize, rng: &mut Rng) -> Vec<serde_json::Value> {
    let mut at = opened;
    (0..k)
        .map(|i| {
            at += 60 + rng.below(900) as i64;
            let id = format!("{key}-{i}");
            let t = rfc3339(at);
            if i + 1 == k {
                return serde_json::json!({"kind": "resolved", "at": t, "id": id, "by": "agent"});
            }
            match i % 4 {
                0 => serde_json::json!({"kind": "replied", "at": t, "id": id, "by": "agent"}),
                1 => serde_json::json!({"kind": "client_replied", "at": t, "id": id}),
                2 => serde_json::json!({"kind": "paused", "at": t, "id": id, "reason": REASON,
                                        "note": "waiting for the export", "waiting_on": "client.data_owner"}),
                _ => serde_json::json!({"kind": "resumed", "at": t, "id": id, "by": "agent"}),
            }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    lat_us: Vec<u32>,
    events: u64,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    f64::from(sorted[i.min(sorted.len() - 1)]) / 1000.0
}

fn summary(label: &str, t: &mut Tally, secs: f64) {
    t.lat_us.sort_unstable();
    let l = &t.lat_us;
    println!(
        "{label}: events/s={:.0} requests/s={:.0} events={} requests={} errors={} \
         p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms seconds={secs:.1}",
        t.events as f64 / secs,
        t.requests as f64 / secs,
        t.events,
        t.requests,
        t.errors,
        percentile(l, 50.0),
        percentile(l, 90.0),
        percentile(l, 99.0),
        l.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
    );
    if let Some(e) = &t.first_error {
        println!("first error: {}", e.chars().take(400).collect::<String>());
    }
}

async fn ingest_worker(api: Api, w: usize, run: String, a: Arc<Args>, until: Instant) -> Tally {
    let mut t = Tally::default();
    let mut rng = Rng(0xACC0 + w as u64);
    let now = now_secs();
    let mut n = 0usize;
    let fail = |t: &mut Tally, e: String| {
        t.errors += 1;
        t.first_error.get_or_insert(e);
    };
    while Instant::now() < until {
        n += 1;
        let key = format!("L{run}-{w}-{n}");
        // Opened in the last week; its history ends before now.
        let opened = now - 7 * 86_400 + rng.below(5 * 86_400) as i64;
        let priority = PRIORITIES[rng.below(3) as usize];
        let start = Instant::now();
        let id = match api.open(&key, priority, opened).await {
            Ok(id) => id,
            Err(e) => {
                fail(&mut t, e);
                continue;
            }
        };
        t.lat_us.push(start.elapsed().as_micros() as u32);
        t.requests += 1;
        t.events += 1;
        let path = format!("/api/v1/tickets/{id}/events");
        for chunk in history(&key, opened, a.events, &mut rng).chunks(a.batch) {
            if Instant::now() >= until {
                break;
            }
            let body = if a.batch == 1 {
                chunk[0].to_string()
            } else {
                serde_json::Value::Array(chunk.to_vec()).to_string()
            };
            let start = Instant::now();
            let out = api.post_json(&path, body).await;
            t.lat_us.push(start.elapsed().as_micros() as u32);
            t.requests += 1;
            match out {
                Outcome::Ok(v) => t.events += v["inserted"].as_u64().unwrap_or(0),
                Outcome::Failed(e) => fail(&mut t, e),
            }
        }
    }
    t
}

async fn ingest(a: Args) {
    let api = Api::new(&a);
    let a = Arc::new(a);
    let run = format!("{:x}", now_secs() % 0xFFFFFF);
    let start = Instant::now();
    let until = start + Duration::from_secs(a.duration);
    let workers: Vec<_> = (0..a.concurrency)
        .map(|w| tokio::spawn(ingest_worker(api.clone(), w, run.clone(), a.clone(), until)))
        .collect();
    let mut all = Tally::default();
    for h in workers {
        if let Ok(mut t) = h.await {
            all.lat_us.append(&mut t.lat_us);
            all.events += t.events;
            all.requests += t.requests;
            all.errors += t.errors;
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let label = format!(
        "ingest concurrency={} batch={} events_per_ticket={}",
        a.concurrency,
        a.batch,
        a.events + 1
    );
    summary(&label, &mut all, secs);
}

async fn seed(a: Args) {
    let api = Api::new(&a);
    let total = a.tickets as u64;
    let next = Arc::new(AtomicU64::new(0));
    let run = format!("{:x}", now_secs() % 0xFFFFFF);
    let start = Instant::now();
    let now = now_secs();
    let workers: Vec<_> = (0..a.concurrency)
        .map(|w| {
            let (api, next, run) = (api.clone(), next.clone(), run.clone());
            tokio::spawn(async move {
                let mut t = Tally::default();
                let mut rng = Rng(0x5EED + w as u64);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let opened = now - rng.below(4 * 86_400) as i64;
                    let priority = PRIORITIES[rng.below(3) as usize];
                    let s = Instant::now();
                    match api.open(&format!("S{run}-{i}"), priority, opened).await {
                        Ok(_) => t.events += 1,
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert(e);
                        }
                    }
                    t.lat_us.push(s.elapsed().as_micros() as u32);
                    t.requests += 1;
                }
                t
            })
        })
        .collect();
    let mut all = Tally::default();
    for h in workers {
        if let Ok(mut t) = h.await {
            all.lat_us.append(&mut t.lat_us);
            all.events += t.events;
            all.requests += t.requests;
            all.errors += t.errors;
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
        }
    }
    summary(
        &format!("seed tickets={total} concurrency={}", a.concurrency),
        &mut all,
        start.elapsed().as_secs_f64(),
    );
}

async fn at_risk(a: Args) {
    let api = Api::new(&a);
    // Ten years of business minutes: every open ticket with a live clock.
    let url = format!(
        "{}/api/v1/tickets/at-risk?within_minutes=5256000&limit={}",
        api.base, a.limit
    );
    let mut t = Tally::default();
    let mut listed = 0usize;
    let start = Instant::now();
    for _ in 0..a.requests {
        let s = Instant::now();
        let out = api.send(api.http.get(&url)).await;
        t.lat_us.push(s.elapsed().as_micros() as u32);
        t.requests += 1;
        match out {
            Outcome::Ok(v) => listed = v.as_array().map_or(0, Vec::len),
            Outcome::Failed(e) => {
                t.errors += 1;
                t.first_error.get_or_insert(e);
            }
        }
    }
    t.lat_us.sort_unstable();
    println!(
        "at-risk limit={} listed={listed} requests={} errors={} p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms seconds={:.1}",
        a.limit,
        t.requests,
        t.errors,
        percentile(&t.lat_us, 50.0),
        percentile(&t.lat_us, 90.0),
        percentile(&t.lat_us, 99.0),
        t.lat_us.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        start.elapsed().as_secs_f64(),
    );
    if let Some(e) = &t.first_error {
        println!("first error: {e}");
    }
}

#[tokio::main]
async fn main() {
    let (mode, a) = parse_args();
    if a.pos.len() < 2 {
        die("URL and TOKEN are required");
    }
    match mode.as_str() {
        "ingest" | "seed" if a.pos.len() < 4 => {
            die("ingest and seed need URL TOKEN CLIENT CONTRACT")
        }
        "ingest" => ingest(a).await,
        "seed" => seed(a).await,
        "at-risk" => at_risk(a).await,
        other => die(format!("unknown mode {other}")),
    }
}
