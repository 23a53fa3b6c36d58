-- Schema 1: the patron and collection register, circulation, fees, bans, ILL.
-- Timestamps are ISO 8601 local time with offset (Europe/Helsinki); days are YYYY-MM-DD.
-- Money is integer cents.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE branches (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    closes          TEXT NOT NULL DEFAULT '20:00',   -- HH:MM, when loans due that day end
    closed_weekdays TEXT NOT NULL DEFAULT '',        -- e.g. 'sat,sun'
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE branch_closures (                      -- exceptional closures (holidays)
    branch TEXT NOT NULL REFERENCES branches(code),
    day    TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (branch, day)
) STRICT, WITHOUT ROWID;

CREATE TABLE patrons (
    id                 INTEGER PRIMARY KEY,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    hetu               TEXT UNIQUE,                  -- compact, validated; never shown in full
    birth_date         TEXT,                         -- NULL only for organisations
    is_organisation    INTEGER NOT NULL DEFAULT 0 CHECK (is_organisation IN (0, 1)),
    responsible_person TEXT,                         -- organisation cards
    guardian_name      TEXT,                         -- under-15s: who consented
    consent_date       TEXT,
    email              TEXT,
    phone              TEXT,
    phone_digits       TEXT,                         -- normalised for search
    address            TEXT,
    verify_id          INTEGER NOT NULL DEFAULT 0 CHECK (verify_id IN (0, 1)),
    pin_hash           TEXT,                         -- scrypt; never the PIN
    home_branch        TEXT REFERENCES branches(code),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;

CREATE TABLE cards (
    card       TEXT PRIMARY KEY,
    patron_id  INTEGER NOT NULL REFERENCES patrons(id),
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost', 'replaced')),
    issued_at  TEXT NOT NULL,
    closed_at  TEXT                                  -- when reported lost or replaced
) STRICT;
CREATE INDEX cards_patron ON cards(patron_id);
CREATE UNIQUE INDEX cards_one_active ON cards(patron_id) WHERE status = 'active';

CREATE TABLE records (                              -- bibliographic records (titles)
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    author      TEXT,
    isbn        TEXT,
    year        INTEGER,
    language    TEXT,                               -- MARC 008/35-37, e.g. 'fin'
    large_print INTEGER NOT NULL DEFAULT 0,
    easy_read   INTEGER NOT NULL DEFAULT 0,
    audience    TEXT,                               -- 'children' | 'youth' | NULL (adult/general)
    control_no  TEXT,                               -- MARC 001 of an imported record
    control_org TEXT,                               -- MARC 003: whose 001 it is
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX records_isbn ON records(isbn);
CREATE INDEX records_control_no ON records(control_no);

CREATE TABLE record_terms (                         -- subjects (650) and genres (655)
    record_id INTEGER NOT NULL REFERENCES records(id),
    kind      TEXT NOT NULL CHECK (kind IN ('subject', 'genre')),
    term      TEXT NOT NULL,
    PRIMARY KEY (record_id, kind, term)
) STRICT, WITHOUT ROWID;
CREATE INDEX record_terms_term ON record_terms(term);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    barcode     TEXT NOT NULL UNIQUE,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    format      TEXT NOT NULL,
    rating      INTEGER,                            -- KAVI / PEGI age, NULL = all ages
    children    INTEGER NOT NULL DEFAULT 0 CHECK (children IN (0, 1)),
    price_cents INTEGER CHECK (price_cents >= 0),
    home_branch TEXT NOT NULL REFERENCES branches(code),
    loanable    INTEGER NOT NULL DEFAULT 1 CHECK (loanable IN (0, 1)),
    transit_to  TEXT REFERENCES branches(code),     -- in transit to this branch
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX items_record ON items(record_id);
CREATE INDEX items_transit ON items(transit_to) WHERE transit_to IS NOT NULL;

CREATE TABLE loans (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items(id),
    patron_id       INTEGER REFERENCES patrons(id),
    card            TEXT NOT NULL,                  -- the card presented
    kind            TEXT NOT NULL DEFAULT 'normal' CHECK (kind IN ('normal', 'kirjakassi')),
    branch          TEXT NOT NULL REFERENCES branches(code),
    loaned_at       TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    due_at          TEXT NOT NULL,                  -- the due date at the branch's closing time
    renewals        INTEGER NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    lost_card       INTEGER NOT NULL DEFAULT 0,     -- made with a card after it was reported lost
    returned_at     TEXT,
    returned_branch TEXT REFERENCES branches(code),
    returned_on     TEXT                            -- the day the return counts from (drop box)
) STRICT;
-- The invariant: an item is on at most one active loan.
CREATE UNIQUE INDEX loans_active_item ON loans(item_id) WHERE returned_at IS NULL;
CREATE INDEX loans_patron ON loans(patron_id, returned_at);
CREATE INDEX loans_card ON loans(card);

CREATE TABLE holds (
    id            INTEGER PRIMARY KEY,
    patron_id     INTEGER NOT NULL REFERENCES patrons(id),
    record_id     INTEGER NOT NULL REFERENCES records(id),
    pickup_branch TEXT NOT NULL REFERENCES branches(code),
    placed_at     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'in_transit', 'waiting', 'fulfilled', 'cancelled', 'expired')),
    item_id       INTEGER REFERENCES items(id),     -- the copy trapped for it
    trapped_at    TEXT,
    pickup_by     TEXT,                             -- last day on the hold shelf
    pickup_code   TEXT,                             -- shelf label: never the name
    closed_at     TEXT
) STRICT;
CREATE INDEX holds_record ON holds(record_id, status);
CREATE INDEX holds_patron ON holds(patron_id, status);
CREATE INDEX holds_waiting ON holds(pickup_by) WHERE status = 'waiting';
CREATE UNIQUE INDEX holds_trapped_item ON holds(item_id) WHERE status IN ('in_transit', 'waiting');
CREATE UNIQUE INDEX holds_once ON holds(patron_id, record_id) WHERE status IN ('queued', 'in_transit', 'waiting');

CREATE TABLE notices (                              -- messages owed to patrons (arrival notices…)
    id         INTEGER PRIMARY KEY,
    patron_id  INTEGER NOT NULL REFERENCES patrons(id),
    kind       TEXT NOT NULL,
    hold_id    INTEGER REFERENCES holds(id),
    loan_id    INTEGER REFERENCES loans(id),
    created_at TEXT NOT NULL,
    sent_at    TEXT
) STRICT;
CREATE INDEX notices_patron ON notices(patron_id);
CREATE INDEX notices_unsent ON notices(created_at) WHERE sent_at IS NULL;

CREATE TABLE ill_requests (                         -- interlibrary loans (kaukolainat)
    id           INTEGER PRIMARY KEY,
    patron_id    INTEGER NOT NULL REFERENCES patrons(id),
    title        TEXT NOT NULL,
    from_library TEXT NOT NULL,
    price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
    status       TEXT NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'arrived', 'cancelled')),
    branch       TEXT REFERENCES branches(code),
    ordered_at   TEXT NOT NULL,
    closed_at    TEXT
) STRICT;
CREATE INDEX ill_patron ON ill_requests(patron_id);

CREATE TABLE fees (                                 -- the ledger: insert only
    id           INTEGER PRIMARY KEY,
    patron_id    INTEGER NOT NULL REFERENCES patrons(id),
    entry        TEXT NOT NULL CHECK (entry IN ('charge', 'payment', 'waiver')),
    charge_type  TEXT CHECK ((entry = 'charge') = (charge_type IS NOT NULL)),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason       TEXT,
    item_id      INTEGER REFERENCES items(id),
    loan_id      INTEGER REFERENCES loans(id),
    hold_id      INTEGER REFERENCES holds(id),
    ill_id       INTEGER REFERENCES ill_requests(id),
    branch       TEXT,
    staff        TEXT,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX fees_patron ON fees(patron_id);
CREATE INDEX fees_loan ON fees(loan_id) WHERE loan_id IS NOT NULL;

CREATE TABLE fee_settlements (                      -- which charge a payment or waiver settled
    credit_id    INTEGER NOT NULL REFERENCES fees(id),
    charge_id    INTEGER NOT NULL REFERENCES fees(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (credit_id, charge_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX fee_settlements_charge ON fee_settlements(charge_id);

CREATE TRIGGER fees_no_update BEFORE UPDATE ON fees
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;
CREATE TRIGGER fees_no_delete BEFORE DELETE ON fees
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;
CREATE TRIGGER fee_settlements_no_update BEFORE UPDATE ON fee_settlements
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;
CREATE TRIGGER fee_settlements_no_delete BEFORE DELETE ON fee_settlements
BEGIN SELECT RAISE(ABORT, 'the fee ledger is append-only'); END;

CREATE TABLE bans (
    id           INTEGER PRIMARY KEY,
    patron_id    INTEGER NOT NULL REFERENCES patrons(id),
    type         TEXT NOT NULL CHECK (type IN ('borrowing', 'use', 'visit')),
    reason       TEXT NOT NULL,
    written      INTEGER NOT NULL DEFAULT 0 CHECK (written IN (0, 1)),
    hearing_date TEXT CHECK (written = 0 OR hearing_date IS NOT NULL),
    clearance    INTEGER NOT NULL DEFAULT 0,        -- from the annual clearance: lasts until paid
    starts_on    TEXT NOT NULL,
    until        TEXT,
    given_by     TEXT,
    branch       TEXT,
    created_at   TEXT NOT NULL,
    lifted_at    TEXT,
    lifted_reason TEXT
) STRICT;
CREATE INDEX bans_patron ON bans(patron_id);

CREATE TABLE overrides (                            -- every confirmable blocker staff overrode
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    branch    TEXT,
    staff     TEXT,
    patron_id INTEGER REFERENCES patrons(id),
    item_id   INTEGER REFERENCES items(id),
    loan_id   INTEGER REFERENCES loans(id),
    code      TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
CREATE INDEX overrides_patron ON overrides(patron_id);

CREATE TABLE staff (
    username      TEXT PRIMARY KEY,
    name          TEXT,
    role          TEXT NOT NULL CHECK (role IN ('desk', 'digituki', 'admin')),
    password_hash TEXT,
    unix_user     TEXT UNIQUE,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
) STRICT;

-- Full-text search: patron names and contacts, titles and authors.
CREATE VIRTUAL TABLE patrons_fts USING fts5(
    first_name, last_name, email, phone_digits,
    content='patrons', content_rowid='id', tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER patrons_fts_insert AFTER INSERT ON patrons BEGIN
    INSERT INTO patrons_fts(rowid, first_name, last_name, email, phone_digits)
    VALUES (new.id, new.first_name, new.last_name, new.email, new.phone_digits);
END;
CREATE TRIGGER patrons_fts_delete AFTER DELETE ON patrons BEGIN
    INSERT INTO patrons_fts(patrons_fts, rowid, first_name, last_name, email, phone_digits)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.phone_digits);
END;
CREATE TRIGGER patrons_fts_update AFTER UPDATE OF first_name, last_name, email, phone_digits ON patrons BEGIN
    INSERT INTO patrons_fts(patrons_fts, rowid, first_name, last_name, email, phone_digits)
    VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.phone_digits);
    INSERT INTO patrons_fts(rowid, first_name, last_name, email, phone_digits)
    VALUES (new.id, new.first_name, new.last_name, new.email, new.phone_digits);
END;

CREATE VIRTUAL TABLE records_fts USING fts5(
    title, author, content='records', content_rowid='id', tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, title, author) VALUES (new.id, new.title, new.author);
END;
CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, title, author) VALUES ('delete', old.id, old.title, old.author);
END;
CREATE TRIGGER records_fts_update AFTER UPDATE OF title, author ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, title, author) VALUES ('delete', old.id, old.title, old.author);
    INSERT INTO records_fts(rowid, title, author) VALUES (new.id, new.title, new.author);
END;
