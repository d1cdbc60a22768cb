-- One scheduler and one outbox for every kind of due work and every message
-- (SPEC §4, §7). What must happen at an instant is a scheduled job (kind,
-- subject, due_at, payload), claimed exactly once; what must be sent is an
-- outbox message (topic, subject, payload) per recipient, with attempts and
-- backoff. Threshold crossings become the first kind of job; notifications
-- of crossings the first topics.

CREATE TABLE scheduled_jobs (
    kind      TEXT NOT NULL,
    -- What the job is about, e.g. a ticket id; one job per (kind, subject).
    subject   TEXT NOT NULL,
    due_at    BIGINT NOT NULL,
    payload   TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (kind, subject)
);
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at);

INSERT INTO scheduled_jobs (kind, subject, due_at)
    SELECT 'clock.crossing', id, next_crossing_at FROM tickets WHERE next_crossing_at IS NOT NULL;
ALTER TABLE tickets DROP COLUMN next_crossing_at;

-- Webhooks subscribe to a list of topics (space-separated).
ALTER TABLE webhooks ADD COLUMN topics TEXT NOT NULL DEFAULT '';
UPDATE webhooks SET topics = CASE events
    WHEN 'warning' THEN 'clock.warning'
    WHEN 'breach' THEN 'clock.breach'
    ELSE 'clock.warning clock.breach' END;
ALTER TABLE webhooks DROP COLUMN events;

-- One row per message and recipient: a webhook or an e-mail address. The
-- payload is the message's facts as JSON, written when it was caused.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    topic            TEXT NOT NULL,
    subject          TEXT NOT NULL,
    payload          TEXT NOT NULL,
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
    CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_subject ON outbox (subject, topic);

INSERT INTO outbox
    (id, topic, subject, payload, channel, webhook_id, recipient, recipient_name, status,
     attempts, next_attempt_at, created_at, finished_at)
SELECT n.id,
       CASE WHEN n.share::numeric >= 1 THEN 'clock.breach' ELSE 'clock.warning' END,
       n.ticket_id,
       json_build_object(
           'kind', CASE WHEN n.share::numeric >= 1 THEN 'breach' ELSE 'warning' END,
           'ticket', json_build_object('id', t.id, 'key', t.key),
           'client', json_build_object('id', o.id, 'name', o.name),
           'contract', json_build_object('id', t.contract_id,
                                   'version', COALESCE(f.contract_version, t.contract_version)),
           'metric', n.metric,
           'cycle', n.cycle,
           'share', n.share,
           'threshold_s', f.threshold_secs,
           'crossed_at', to_char(to_timestamp(f.crossed_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'fired_at', to_char(to_timestamp(f.fired_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text,
       n.channel, n.webhook_id, n.recipient, n.recipient_name, n.status, n.attempts,
       n.next_attempt_at, n.created_at, n.finished_at
FROM notifications n
JOIN fired_crossings f ON f.ticket_id = n.ticket_id AND f.metric = n.metric
     AND f.cycle = n.cycle AND f.share = n.share
JOIN tickets t ON t.id = n.ticket_id
JOIN organisations o ON o.id = t.client_id;

ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_notification_id_fkey;
ALTER TABLE delivery_attempts ADD FOREIGN KEY (notification_id) REFERENCES outbox (id);
DROP TABLE notifications;
