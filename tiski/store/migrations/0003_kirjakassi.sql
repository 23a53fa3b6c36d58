-- Schema 3: the book bag (kirjakassi) — home delivery for those who cannot come.

CREATE TABLE kirjakassi_clients (
    patron_id        INTEGER PRIMARY KEY REFERENCES patrons(id),
    branch           TEXT NOT NULL REFERENCES branches(code),
    eligibility      TEXT NOT NULL CHECK (eligibility IN ('age', 'illness', 'disability')),  -- the category only
    delivery_address TEXT NOT NULL,
    contact_name     TEXT NOT NULL,                  -- who carries the bag: a person or a partner
    contact_phone    TEXT,
    contact_relation TEXT,
    rhythm_weeks     INTEGER NOT NULL CHECK (rhythm_weeks BETWEEN 1 AND 12),
    weekday          INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    bag_size         INTEGER NOT NULL CHECK (bag_size BETWEEN 1 AND 40),
    history_consent  INTEGER NOT NULL DEFAULT 0 CHECK (history_consent IN (0, 1)),
    consent_date     TEXT,                           -- when the client agreed to a history
    starts_on        TEXT NOT NULL,
    paused_from      TEXT,
    paused_until     TEXT,
    ends_on          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (history_consent = 0 OR consent_date IS NOT NULL)
) STRICT;

CREATE TABLE kirjakassi_interviews (                -- the client's wishes; every version kept
    id          INTEGER PRIMARY KEY,
    patron_id   INTEGER NOT NULL REFERENCES kirjakassi_clients(patron_id),
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
    answers     TEXT NOT NULL,                       -- JSON
    interviewer TEXT,
    interviewed_on TEXT,                             -- dated and signed when complete
    updated_at  TEXT NOT NULL,
    UNIQUE (patron_id, version)
) STRICT;

CREATE TABLE kirjakassi_deliveries (
    id          INTEGER PRIMARY KEY,
    patron_id   INTEGER NOT NULL REFERENCES kirjakassi_clients(patron_id),
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'packing'
                CHECK (status IN ('packing', 'packed', 'sent', 'returned')),
    packed_at   TEXT,
    sent_at     TEXT,
    returned_at TEXT,
    UNIQUE (patron_id, due_on)
) STRICT;
CREATE INDEX kirjakassi_deliveries_due ON kirjakassi_deliveries(due_on, status);

CREATE TABLE kirjakassi_bag_items (
    delivery_id INTEGER NOT NULL REFERENCES kirjakassi_deliveries(id),
    item_id     INTEGER NOT NULL REFERENCES items(id),
    loan_id     INTEGER REFERENCES loans(id),
    reason      TEXT,
    PRIMARY KEY (delivery_id, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE kirjakassi_received (                  -- only with the client's consent
    patron_id   INTEGER NOT NULL REFERENCES kirjakassi_clients(patron_id),
    record_id   INTEGER NOT NULL REFERENCES records(id),
    received_on TEXT NOT NULL,
    PRIMARY KEY (patron_id, record_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX records_author ON records(author);
