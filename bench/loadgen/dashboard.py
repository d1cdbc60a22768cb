#!/usr/bin/env python3
"""The staff dashboard with many live milestones, over loopback.

Starts `accord serve` on a fresh SQLite data dir, stores CONTRACTS contracts of
PER milestones each (from bench/milestones-gen, with their events up to now but
no completions, so every milestone is live and its delays grow to today),
signs in through the web form like a browser and fetches `/` REQUESTS times in
a row, then prints latency percentiles. Python's standard library only.

    python3 bench/loadgen/dashboard.py --accord target/release/accord \
        --gen bench/milestones-gen/target/release/milestones-gen \
        [--contracts 20] [--per 50] [--requests 200] [--port 18490]
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

ADMIN = "admin@bench.example"
PASSWORD = "bench-password-not-secret"


def die(msg):
    print(f"dashboard: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accord", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--contracts", type=int, default=20)
    ap.add_argument("--per", type=int, default=50)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--port", type=int, default=18490)
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="accord-dash-")
    base = f"http://127.0.0.1:{a.port}"
    env = dict(os.environ, ACCORD_DATA_DIR=work)
    server = None
    try:
        run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
            [a.accord, *args], env=env, input=stdin, text=True, capture_output=True, check=True
        ).stdout
        run("migrate", "--data-dir", work)
        run("user", "add", "--email", ADMIN, "--name", "Bench", "--role", "admin",
            "--password-stdin", "--data-dir", work, stdin=PASSWORD + "\n")
        token = run("token", "create", "--email", ADMIN, "--name", "bench",
                    "--data-dir", work).strip().split()[-1]
        # Plain HTTP on loopback: cookies without `Secure`, so urllib sends them.
        config = os.path.join(work, "accord.toml")
        with open(config, "w") as f:
            f.write("secure_cookies = false\n")
        server = subprocess.Popen(
            [a.accord, "serve", "--data-dir", work, "--listen", f"127.0.0.1:{a.port}",
             "--config", config],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "log"), "w"),
        )
        wait_ready(base)
        api = lambda method, path, body=None, ctype="application/json": call(  # noqa: E731
            base, token, method, path, body, ctype
        )
        now = datetime.now(timezone.utc)
        stored_events = 0
        for c in range(a.contracts):
            org = api("POST", "/api/v1/organisations", json.dumps({"name": f"Bench client {c}"}))
            text = subprocess.run([a.gen, "contract", str(a.per)], capture_output=True,
                                  text=True, check=True).stdout
            cid = f"bench-{c:03}"
            text = text.replace('id = "bench-milestones"', f'id = "{cid}"', 1)
            text = re.sub(r'^client = ".*"$', f'client = "Bench client {c}"', text, count=1,
                          flags=re.M)
            api("POST", f"/api/v1/contracts?client={org['id']}", text, "application/toml")
            lines = subprocess.run([a.gen, "events", str(a.per), "--seed", str(1000 + c)],
                                   capture_output=True, text=True, check=True).stdout.splitlines()
            events = []
            for line in lines:
                e = json.loads(line)
                if e["kind"] in ("completed", "accepted"):
                    continue
                if datetime.fromisoformat(e["at"].replace("Z", "+00:00")) > now:
                    continue
                events.append(e)
            for i in range(0, len(events), 500):
                done = api("POST", f"/api/v1/contracts/{cid}/milestones/events",
                           json.dumps(events[i:i + 500]))
                stored_events += done["inserted"]
        print(f"stored {a.contracts} contracts x {a.per} milestones, {stored_events} events")

        browser = sign_in(base)
        lat = []
        size = 0
        for _ in range(a.requests):
            t = time.perf_counter()
            with browser.open(f"{base}/") as r:
                body = r.read()
                if r.status != 200:
                    die(f"GET / answered {r.status}")
            lat.append((time.perf_counter() - t) * 1000)
            size = len(body)
        if b"Milestones" not in body and b"milestone" not in body:
            die("the dashboard did not list milestones")
        lat.sort()
        pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]  # noqa: E731
        print(f"dashboard requests={len(lat)} bytes={size} p50={pct(50):.1f}ms "
              f"p90={pct(90):.1f}ms p99={pct(99):.1f}ms max={lat[-1]:.1f}ms")
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


def wait_ready(base):
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/readyz") as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    die("the server did not become ready")


def call(base, token, method, path, body, ctype):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(f"{base}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": ctype})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        die(f"{method} {path}: {e.code} {e.read().decode()[:500]}")


def sign_in(base):
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(f"{base}/login") as r:
        page = r.read().decode()
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    if not m:
        die("no csrf field on the sign-in page")
    form = urllib.parse.urlencode({"csrf": m.group(1), "email": ADMIN, "password": PASSWORD})
    req = urllib.request.Request(f"{base}/login", data=form.encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": base})
    with browser.open(req) as r:
        r.read()
    if not any(c.name.endswith("session") or "session" in c.name for c in jar):
        die("signing in set no session cookie")
    return browser


if __name__ == "__main__":
    main()
