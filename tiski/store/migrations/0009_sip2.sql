-- Schema 9: self-service machines speaking SIP2. A machine is a staff account with the
-- role 'automat' (so roles and the audit trail name it like anyone else), its password
-- and its wire settings in sip2_accounts; wrong patron PINs typed at the machines are
-- kept until a right one, for the lockout. Machine logins, right and wrong, are in the
-- audit trail like the staff's.

-- The staff table again, with the new role (SQLite cannot change a CHECK in place).
CREATE TABLE staff_new (
    username      TEXT PRIMARY KEY,
    name          TEXT,
    role          TEXT NOT NULL CHECK (role IN ('desk', 'digituki', 'admin', 'automat')),
    password_hash TEXT,
    unix_user     TEXT UNIQUE,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT,
    token_hash    TEXT
) STRICT;
INSERT INTO staff_new (username, name, role, password_hash, unix_user, created_at, disabled_at, token_hash)
    SELECT username, name, role, password_hash, unix_user, created_at, disabled_at, token_hash FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;

CREATE TABLE sip2_accounts (
    name            TEXT PRIMARY KEY REFERENCES staff(username),
    branch          TEXT NOT NULL REFERENCES branches(code),
    password_hash   TEXT NOT NULL,                  -- scrypt; the machine's, not a person's
    encoding        TEXT NOT NULL CHECK (encoding IN ('utf-8', 'cp850', 'latin-1')),
    terminator      TEXT NOT NULL CHECK (terminator IN ('cr', 'crlf')),
    error_detect    INTEGER NOT NULL CHECK (error_detect IN (0, 1)),     -- AY/AZ required
    fees_at_machine INTEGER NOT NULL CHECK (fees_at_machine IN (0, 1)),  -- 37 Fee Paid taken
    language        TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE pin_failures (                         -- never the PIN typed, only that it was wrong
    id        INTEGER PRIMARY KEY,
    patron_id INTEGER NOT NULL REFERENCES patrons(id),
    machine   TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX pin_failures_patron ON pin_failures(patron_id, at);
