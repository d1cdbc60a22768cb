-- Notifications of threshold crossings (SPEC §4, §7): webhooks the provider
-- registers, an outbox of notifications written in the same transaction as
-- the fired crossing, and every delivery attempt.

-- The contract version a crossing fired under, for the notification's body.
ALTER TABLE fired_crossings ADD COLUMN contract_version BIGINT;

CREATE TABLE webhooks (
    id           TEXT PRIMARY KEY,
    url          TEXT NOT NULL,
    -- The HMAC-SHA256 key; it must be kept to sign, and is shown once.
    secret       TEXT NOT NULL,
    events       TEXT NOT NULL CHECK (events IN ('all', 'warning', 'breach')),
    -- Only this client's tickets; NULL for every client.
    client_id    TEXT REFERENCES organisations (id),
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT
);

-- One row per firing and channel recipient: a webhook or an e-mail address.
CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    ticket_id        TEXT NOT NULL,
    metric           TEXT NOT NULL,
    cycle            BIGINT NOT NULL,
    share            TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    webhook_id       TEXT REFERENCES webhooks (id),
    recipient        TEXT NOT NULL,
    recipient_name   TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts         BIGINT NOT NULL,
    -- When a pending row is next due; a claimed row's lease runs until then.
    next_attempt_at  BIGINT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL)),
    FOREIGN KEY (ticket_id, metric, cycle, share)
        REFERENCES fired_crossings (ticket_id, metric, cycle, share)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_ticket ON notifications (ticket_id);

CREATE TABLE delivery_attempts (
    notification_id  TEXT NOT NULL REFERENCES notifications (id),
    attempt          BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    duration_ms      BIGINT NOT NULL,
    status_code      BIGINT,
    error            TEXT,
    PRIMARY KEY (notification_id, attempt)
);
