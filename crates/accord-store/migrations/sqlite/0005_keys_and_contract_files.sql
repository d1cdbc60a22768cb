-- Ticket keys unique across the installation, and the files (holiday
-- calendars) a contract version was uploaded with.

-- Every key in use, once: a new ticket's key must be absent here. `number`
-- is n of a key `T-n`, so the next generated key is the highest plus one.
-- Older databases may hold one key for tickets of several clients: the key
-- is recorded once (taken) and those tickets keep it.
CREATE TABLE ticket_keys (
    key         TEXT PRIMARY KEY,
    number      INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ticket_keys_number ON ticket_keys (number) WHERE number IS NOT NULL;
INSERT INTO ticket_keys (key, number, created_at)
SELECT key,
       CASE WHEN key GLOB 'T-[0-9]*' AND substr(key, 3) NOT GLOB '*[^0-9]*' AND length(key) <= 20
            THEN CAST(substr(key, 3) AS INTEGER) END,
       MIN(opened_at)
FROM tickets GROUP BY key;
CREATE INDEX tickets_key ON tickets (key);

-- The files a contract version names in `holiday_files`, by the name it
-- writes there, stored with the version and never changed.
CREATE TABLE contract_files (
    contract_id  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (contract_id, version, name),
    FOREIGN KEY (contract_id, version) REFERENCES contract_versions (contract_id, version)
);
