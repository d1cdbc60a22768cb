-- Time tracking and invoicing (SPEC §8, §10).
--
-- A time entry: its SPEC §10 fields as columns (`entry_key` is its SPEC §10
-- `id`, unique per contract; `id` is the service's, used in URLs), its work
-- date and period (`YYYY-MM`) in the contract's reporting zone when it was
-- written, and its status `draft | submitted | approved | invoiced`. A
-- correction is a new entry whose `corrects` names the one it replaces
-- (which is kept, and shown as corrected); one correction per entry.
-- `client_id` is the tenant.
CREATE TABLE time_entries (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES organisations (id),
    contract_id        TEXT NOT NULL,
    entry_key          TEXT NOT NULL,
    person             TEXT NOT NULL,
    start_at           BIGINT NOT NULL,
    end_at             BIGINT NOT NULL,
    activity           TEXT NOT NULL,
    ticket             TEXT,
    milestone          TEXT,
    billable           TEXT NOT NULL,
    rate               TEXT,
    note               TEXT,
    work_date          TEXT NOT NULL,
    period             TEXT NOT NULL,
    status             TEXT NOT NULL,
    corrects           TEXT REFERENCES time_entries (id),
    correction_reason  TEXT,
    invoice_id         TEXT,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (contract_id, entry_key)
);
CREATE INDEX time_entries_period ON time_entries (contract_id, period, start_at);
CREATE INDEX time_entries_person ON time_entries (person, start_at);
CREATE UNIQUE INDEX time_entries_correction ON time_entries (corrects)
    WHERE corrects IS NOT NULL;

-- Every change of an entry's status (and its creation and deletion, `from`
-- or `to` absent), with who, when and why: the audit trail outlives a
-- deleted draft, so it names the entry without a foreign key.
CREATE TABLE time_entry_transitions (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    contract_id  TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    by_email     TEXT NOT NULL,
    at           BIGINT NOT NULL,
    why          TEXT
);
CREATE INDEX time_entry_transitions_entry ON time_entry_transitions (entry_id, seq);

-- Running timers, one per person: stopping one writes a draft entry.
CREATE TABLE timers (
    person       TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    contract_id  TEXT NOT NULL,
    activity     TEXT NOT NULL,
    ticket       TEXT,
    milestone    TEXT,
    billable     TEXT NOT NULL,
    note         TEXT,
    started_at   BIGINT NOT NULL
);

-- Locked periods of a contract's time entries (`YYYY-MM`), and the
-- client's acceptance of a locked period (when the contract asks for it).
CREATE TABLE locked_periods (
    contract_id  TEXT NOT NULL,
    period       TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    locked_by    TEXT NOT NULL,
    locked_at    BIGINT NOT NULL,
    PRIMARY KEY (contract_id, period)
);
CREATE TABLE period_acceptances (
    contract_id  TEXT NOT NULL,
    period       TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES organisations (id),
    accepted_by  TEXT NOT NULL,
    accepted_at  BIGINT NOT NULL,
    PRIMARY KEY (contract_id, period)
);

-- Invoices per (contract, period): `draft | issued | paid | overdue | void`;
-- a credit note (`kind`) voids an issued invoice in the same series and
-- names it in `credit_note_for`. Numbers are allocated from
-- `invoice_series` in the transaction that issues, so they never skip.
-- Money is a decimal string; dates `YYYY-MM-DD`.
CREATE TABLE invoice_series (
    series       TEXT PRIMARY KEY,
    last_number  BIGINT NOT NULL
);
CREATE TABLE invoices (
    id                TEXT PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES organisations (id),
    contract_id       TEXT NOT NULL,
    contract_version  BIGINT NOT NULL,
    period            TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    series            TEXT,
    number            TEXT,
    issue_date        TEXT,
    due_date          TEXT,
    currency          TEXT NOT NULL,
    credits           TEXT NOT NULL,
    credits_note      TEXT,
    net               TEXT NOT NULL,
    tax               TEXT NOT NULL,
    gross             TEXT NOT NULL,
    paid_amount       TEXT,
    paid_on           TEXT,
    void_reason       TEXT,
    credit_note_for   TEXT REFERENCES invoices (id),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (series, number)
);
CREATE INDEX invoices_contract ON invoices (contract_id, period);

-- The frozen documents of an issued invoice: what is served forever.
CREATE TABLE invoice_documents (
    invoice_id    TEXT NOT NULL REFERENCES invoices (id),
    format        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    body          BYTEA NOT NULL,
    sha256        TEXT NOT NULL,
    PRIMARY KEY (invoice_id, format)
);
