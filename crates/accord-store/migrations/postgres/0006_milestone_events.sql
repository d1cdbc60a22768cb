-- Milestone events (SPEC §6, §10): each contract's append-only log, read
-- back whole by the milestone fold. `event` is the SPEC §10 JSON object;
-- `event_key` is its idempotency key (`id:` its id, else a hash of its
-- content), unique per contract and milestone. `client_id` is the tenant.
CREATE TABLE milestone_events (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    contract_id  TEXT NOT NULL,
    milestone    TEXT NOT NULL,
    event_key    TEXT NOT NULL,
    event        TEXT NOT NULL,
    at           BIGINT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    UNIQUE (contract_id, milestone, event_key)
);
CREATE INDEX milestone_events_contract ON milestone_events (contract_id, seq);

-- What has been said about each milestone, once: a notice key such as
-- `deliverable_overdue:export`, `overdue:2026-04-07` or `shifted:2026-04-07`.
-- The `milestone.change` job inserts one before it writes the outbox rows.
CREATE TABLE milestone_notices (
    contract_id  TEXT NOT NULL,
    milestone    TEXT NOT NULL,
    notice       TEXT NOT NULL,
    notified_at  BIGINT NOT NULL,
    PRIMARY KEY (contract_id, milestone, notice)
);
