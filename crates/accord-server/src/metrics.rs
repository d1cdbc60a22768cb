//! A small Prometheus registry: requests by route and
//! status, request latency histograms by route, events ingested. Written
//! by hand: a handful of counters does not need an exporter crate.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Requests {
    by_status: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
}

/// The server's counters. Shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
    events_ingested: AtomicU64,
    // Monitoring and notifications (SPEC §7).
    firings: AtomicU64,
    notifications: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

impl Metrics {
    /// Records a served request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = known_method(method);
        let Ok(mut r) = self.requests.lock() else {
            return;
        };
        *r.by_status
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = r
            .latency
            .entry((method.to_string(), route.to_string()))
            .or_default();
        let secs = elapsed.as_secs_f64();
        for (count, bound) in h.counts.iter_mut().zip(BUCKETS) {
            if secs <= bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Counts events stored through the API.
    pub fn events_ingested(&self, n: usize) {
        self.events_ingested
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts threshold crossings this process fired.
    pub fn firings(&self, n: usize) {
        self.firings
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts a notification attempt's outcome: `sent`, `retried` (failed,
    /// tried again later) or `failed` (given up).
    pub fn notification(&self, channel: &'static str, outcome: &'static str) {
        if let Ok(mut m) = self.notifications.lock() {
            *m.entry((channel, outcome)).or_default() += 1;
        }
    }

    /// The Prometheus text exposition, with `clocks` (state, count) appended.
    pub fn render(&self, clocks: &[(String, i64)]) -> String {
        let mut out = String::new();
        let (by_status, latency) = match self.requests.lock() {
            Ok(r) => (r.by_status.clone(), r.latency.clone()),
            Err(_) => Default::default(),
        };
        out.push_str("# HELP accord_http_requests_total HTTP requests served.\n");
        out.push_str("# TYPE accord_http_requests_total counter\n");
        for ((method, route, status), n) in &by_status {
            let _ = writeln!(
                out,
                "accord_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP accord_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE accord_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, count) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "accord_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "accord_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str("# HELP accord_events_ingested_total Ticket events stored (API and web).\n");
        out.push_str("# TYPE accord_events_ingested_total counter\n");
        let _ = writeln!(
            out,
            "accord_events_ingested_total {}",
            self.events_ingested.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP accord_monitor_firings_total Warning thresholds and breaches fired by this process.\n",
        );
        out.push_str("# TYPE accord_monitor_firings_total counter\n");
        let _ = writeln!(
            out,
            "accord_monitor_firings_total {}",
            self.firings.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP accord_notifications_total Notification attempts by channel and outcome (sent, retried, failed).\n",
        );
        out.push_str("# TYPE accord_notifications_total counter\n");
        let notifications = self
            .notifications
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        for ((channel, outcome), n) in &notifications {
            let _ = writeln!(
                out,
                "accord_notifications_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str("# HELP accord_clocks SLA clocks by state, as last computed.\n");
        out.push_str("# TYPE accord_clocks gauge\n");
        for (state, n) in clocks {
            let _ = writeln!(out, "accord_clocks{{state=\"{}\"}} {n}", escape(state));
        }
        out
    }
}

/// A request method as a label: the standard methods by name, any other
/// token a client invents (`M000000001 /healthz`) as `other`, so that no
/// request, signed in or not, adds series without bound.
fn known_method(method: &str) -> &str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("other")
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_latency_buckets() {
        let m = Metrics::default();
        m.observe_request("GET", "/healthz", 200, Duration::from_millis(3));
        m.observe_request("GET", "/healthz", 200, Duration::from_millis(30));
        m.events_ingested(5);
        let text = m.render(&[("running".into(), 2)]);
        assert!(text.contains(
            "accord_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "accord_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("accord_events_ingested_total 5"));
        assert!(text.contains("accord_clocks{state=\"running\"} 2"));
    }

    #[test]
    fn invented_request_methods_share_one_series() {
        let m = Metrics::default();
        for i in 0..1000 {
            m.observe_request(
                &format!("M{i:09}"),
                "/healthz",
                405,
                Duration::from_millis(1),
            );
        }
        m.observe_request("PATCH", "/healthz", 405, Duration::from_millis(1));
        let text = m.render(&[]);
        assert!(text.contains(
            "accord_http_requests_total{method=\"other\",route=\"/healthz\",status=\"405\"} 1000"
        ), "{text}");
        assert!(text.contains("method=\"PATCH\""), "{text}");
        assert!(!text.contains("M000000001"), "{text}");
        assert_eq!(
            text.matches("accord_http_requests_total{").count(),
            2,
            "{text}"
        );
    }

    #[test]
    fn firings_and_notifications_are_counted_by_channel_and_outcome() {
        let m = Metrics::default();
        m.firings(3);
        m.notification("webhook", "sent");
        m.notification("webhook", "sent");
        m.notification("email", "failed");
        let text = m.render(&[]);
        assert!(text.contains("accord_monitor_firings_total 3"), "{text}");
        assert!(
            text.contains("accord_notifications_total{channel=\"webhook\",outcome=\"sent\"} 2")
        );
        assert!(
            text.contains("accord_notifications_total{channel=\"email\",outcome=\"failed\"} 1")
        );
    }
}
