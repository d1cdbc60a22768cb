-- Accord's first schema (SPEC §1, §2, §4). Instants are integer Unix
-- milliseconds; ids are UUIDv7 text; derived rows (clocks, the ticket's
-- priority, status, at-risk and next-crossing columns) are rewritten with
-- the events that change them.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('provider', 'client')),
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
-- One provider per installation.
CREATE UNIQUE INDEX organisations_one_provider ON organisations (kind) WHERE kind = 'provider';

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'client')),
    client_id      TEXT REFERENCES organisations (id),
    password_hash  TEXT,
    created_at     INTEGER NOT NULL,
    CHECK ((role = 'client') = (client_id IS NOT NULL))
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE contract_versions (
    contract_id     TEXT NOT NULL,
    version         INTEGER NOT NULL,
    client_id       TEXT NOT NULL REFERENCES organisations (id),
    effective_from  TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    source          TEXT NOT NULL,
    uploaded_at     INTEGER NOT NULL,
    PRIMARY KEY (contract_id, version)
);
CREATE INDEX contract_versions_client ON contract_versions (client_id, contract_id);

CREATE TABLE tickets (
    id                TEXT PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES organisations (id),
    key               TEXT NOT NULL,
    contract_id       TEXT NOT NULL,
    contract_version  INTEGER NOT NULL,
    opened_at         INTEGER NOT NULL,
    priority          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'closed')),
    at_risk_secs      INTEGER,
    next_crossing_at  INTEGER,
    updated_at        INTEGER NOT NULL,
    UNIQUE (client_id, key),
    FOREIGN KEY (contract_id, contract_version) REFERENCES contract_versions (contract_id, version)
);
CREATE INDEX tickets_at_risk ON tickets (at_risk_secs, id)
    WHERE status = 'open' AND at_risk_secs IS NOT NULL;
CREATE INDEX tickets_client_at_risk ON tickets (client_id, at_risk_secs, id)
    WHERE status = 'open' AND at_risk_secs IS NOT NULL;
CREATE INDEX tickets_next_crossing ON tickets (next_crossing_at)
    WHERE next_crossing_at IS NOT NULL;

CREATE TABLE ticket_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    event_key    TEXT NOT NULL,
    event_id     TEXT,
    kind         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    priority     TEXT,
    reason       TEXT,
    waiting_on   TEXT,
    note         TEXT,
    by_whom      TEXT,
    recorded_at  INTEGER NOT NULL,
    UNIQUE (ticket_id, event_key)
);

CREATE TABLE clocks (
    ticket_id            TEXT NOT NULL REFERENCES tickets (id),
    metric               TEXT NOT NULL,
    cycle                INTEGER NOT NULL,
    client_id            TEXT NOT NULL,
    state                TEXT NOT NULL,
    target_secs          INTEGER NOT NULL,
    elapsed_secs         INTEGER NOT NULL,
    paused_secs          INTEGER NOT NULL,
    remaining_secs       INTEGER NOT NULL,
    started_at           INTEGER NOT NULL,
    stopped_at           INTEGER,
    deadline             INTEGER,
    breached_at          INTEGER,
    next_share           TEXT,
    next_threshold_secs  INTEGER,
    next_crossing_at     INTEGER,
    evaluated_at         INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, metric, cycle)
);
CREATE INDEX clocks_next_crossing ON clocks (next_crossing_at)
    WHERE next_crossing_at IS NOT NULL;

CREATE TABLE fired_crossings (
    ticket_id       TEXT NOT NULL REFERENCES tickets (id),
    metric          TEXT NOT NULL,
    cycle           INTEGER NOT NULL,
    share           TEXT NOT NULL,
    threshold_secs  INTEGER NOT NULL,
    crossed_at      INTEGER NOT NULL,
    fired_at        INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, metric, cycle, share)
);
