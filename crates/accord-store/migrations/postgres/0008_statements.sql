-- Compliance statements (SPEC §7): one row per contract and period. A draft
-- holds the figures computed by the core (`computed`, the SPEC §10 JSON) as
-- of `as_of`, with the contract version used; drafts are recomputed, never
-- issued ones. Issuing freezes the JSON, HTML and PDF with the SHA-256 of
-- the JSON, printed on the document itself. `client_id` is the tenant.
CREATE TABLE statements (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    contract_id  TEXT NOT NULL,
    period       TEXT NOT NULL,
    version      BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
    computed     TEXT NOT NULL,
    as_of        BIGINT NOT NULL,
    computed_at  BIGINT NOT NULL,
    issued_json  TEXT,
    issued_html  TEXT,
    issued_pdf   BYTEA,
    sha256       TEXT,
    issued_by    TEXT,
    issued_at    BIGINT,
    UNIQUE (contract_id, period),
    CHECK ((status = 'issued') = (issued_at IS NOT NULL AND issued_json IS NOT NULL
           AND issued_html IS NOT NULL AND issued_pdf IS NOT NULL AND sha256 IS NOT NULL))
);
CREATE INDEX statements_client ON statements (client_id, contract_id);

-- Contracts stored before statements existed get their `statement.period_end`
-- job, due at once: finding no month of the contract ending then, it sets
-- itself to the end of the month in progress.
INSERT INTO scheduled_jobs (kind, subject, due_at)
    SELECT DISTINCT 'statement.period_end', contract_id, 0 FROM contract_versions;
