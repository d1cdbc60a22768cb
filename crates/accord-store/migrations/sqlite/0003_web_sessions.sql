-- The web application's sessions (issue 6; SPEC §1, §9). Only a SHA-256
-- of the session id is stored, so a copy of the database cannot be used to
-- sign in; each sign-in makes a new id (no fixation), and "sign out
-- everywhere" deletes every row of a user.

CREATE TABLE web_sessions (
    id_hash       BLOB PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- The IANA zone a user reads times in; NULL means their contract's zone
-- (client users) or UTC (staff).
ALTER TABLE users ADD COLUMN time_zone TEXT;
