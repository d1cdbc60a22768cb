-- Accord's first schema (SPEC §1, §2, §4). Instants are integer Unix
-- milliseconds; ids are UUIDv7 text; derived rows (clocks, the ticket's
-- priority, status, at-risk and next-crossing columns) are rewritten with
-- the events that change them.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('provider', 'client')),
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
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
    created_at     BIGINT NOT NULL,
    CHECK ((role = 'client') = (client_id IS NOT NULL))
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE contract_versions (
    contract_id     TEXT NOT NULL,
    version         BIGINT NOT NULL,
    client_id       TEXT NOT NULL REFERENCES organisations (id),
    effective_from  TEXT NOT NULL,
    source_name     TEXT NOT NULL,
    source          TEXT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    PRIMARY KEY (contract_id, version)
);
CREATE INDEX contract_versions_client ON contract_versions (client_id, contract_id);

CREATE TABLE tickets (
    id                TEXT PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES organisations (id),
    key               TEXT NOT NULL,
    contract_id       TEXT NOT NULL,
    contract_version  BIGINT NOT NULL,
    opened_at         BIGINT NOT NULL,
    priority          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'closed')),
    at_risk_secs      BIGINT,
    next_crossing_at  BIGINT,
    updated_at        BIGINT NOT NULL,
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
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    event_key    TEXT NOT NULL,
    event_id     TEXT,
    kind         TEXT NOT NULL,
    at           BIGINT NOT NULL,
    priority     TEXT,
    reason       TEXT,
    waiting_on   TEXT,
    note         TEXT,
    by_whom      TEXT,
    recorded_at  BIGINT NOT NULL,
    UNIQUE (ticket_id, event_key)
);

CREATE TABLE clocks (
    ticket_id            TEXT NOT NULL REFERENCES tickets (id),
    metric               TEXT NOT NULL,
    cycle                BIGINT NOT NULL,
    client_id            TEXT NOT NULL,
    state                TEXT NOT NULL,
    target_secs          BIGINT NOT NULL,
    elapsed_secs         BIGINT NOT NULL,
    paused_secs          BIGINT NOT NULL,
    remaining_secs       BIGINT NOT NULL,
    started_at           BIGINT NOT NULL,
    stopped_at           BIGINT,
    deadline             BIGINT,
    breached_at          BIGINT,
    next_share           TEXT,
    next_threshold_secs  BIGINT,
    next_crossing_at     BIGINT,
    evaluated_at         BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, metric, cycle)
);
CREATE INDEX clocks_next_crossing ON clocks (next_crossing_at)
    WHERE next_crossing_at IS NOT NULL;

CREATE TABLE fired_crossings (
    ticket_id       TEXT NOT NULL REFERENCES tickets (id),
    metric          TEXT NOT NULL,
    cycle           BIGINT NOT NULL,
    share           TEXT NOT NULL,
    threshold_secs  BIGINT NOT NULL,
    crossed_at      BIGINT NOT NULL,
    fired_at        BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, metric, cycle, share)
);
