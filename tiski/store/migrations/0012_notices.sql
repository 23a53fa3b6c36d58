-- Schema 12: notices are sent. The `notices` table becomes an outbox: one row per notice
-- owed to a patron, under a key that makes it unique (the hold and the day it reached the
-- shelf, the loans' due date and the reminder's level…), with the channel it goes by, its
-- text, its status and what became of each try. A notice holds only what it must: its
-- text names titles, dates and amounts, never the patron (the address and the name come
-- from the register when it is sent). Patrons choose a channel per kind; branches say
-- their opening hours and contact line in notices; an invoiced loan is marked billed.

CREATE TABLE notices_new (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,               -- never produced twice: see core/notices.py
    patron_id   INTEGER NOT NULL REFERENCES patrons(id),
    kind        TEXT NOT NULL CHECK (kind IN ('hold_arrived', 'ill_arrived', 'due_soon', 'overdue', 'invoice')),
    level       INTEGER NOT NULL DEFAULT 0,         -- the reminder's number; the invoice's after them
    hold_id     INTEGER REFERENCES holds(id),
    ill_id      INTEGER REFERENCES ill_requests(id) ON DELETE SET NULL,
    due_date    TEXT,                               -- the loans' due date (reminders, invoices)
    branch      TEXT REFERENCES branches(code),     -- whose notice: the pickup or the owning library
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'call')),
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',           -- the text as sent (or as it will be)
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    tries       INTEGER NOT NULL DEFAULT 0 CHECK (tries >= 0),
    last_error  TEXT,                               -- why the last try failed: never patron data
    attempt_at  TEXT,                               -- a try under way (a run that died leaves it)
    next_try_at TEXT,                               -- not before: the backoff after a failure
    charged     INTEGER NOT NULL DEFAULT 0 CHECK (charged IN (0, 1)),  -- its fees are in the ledger
    created_at  TEXT NOT NULL,
    sent_at     TEXT
) STRICT;

-- Until now nothing was sent. An arrival notice for a hold still on the shelf is owed
-- (the patron's pickup week starts when it goes); the rest are past helping.
INSERT INTO notices_new (id, key, patron_id, kind, hold_id, channel, status, created_at, sent_at)
SELECT n.id,
       CASE WHEN n.kind = 'hold_arrived' THEN 'hold_arrived:' || n.hold_id || ':schema9-' || n.id
            ELSE 'schema9:' || n.id END,
       n.patron_id, n.kind, n.hold_id,
       CASE WHEN p.email IS NOT NULL THEN 'email' WHEN p.phone IS NOT NULL THEN 'sms'
            WHEN p.address IS NOT NULL THEN 'letter' ELSE 'call' END,
       CASE WHEN n.sent_at IS NOT NULL THEN 'sent'
            WHEN n.kind = 'hold_arrived' AND h.status = 'waiting' THEN 'pending'
            ELSE 'cancelled' END,
       n.created_at, n.sent_at
FROM notices n JOIN patrons p ON p.id = n.patron_id LEFT JOIN holds h ON h.id = n.hold_id;

DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;

CREATE INDEX notices_work ON notices(status, next_try_at);
CREATE INDEX notices_patron ON notices(patron_id, kind, due_date);
CREATE INDEX notices_hold ON notices(hold_id) WHERE hold_id IS NOT NULL;

CREATE TABLE notice_preferences (                   -- the patron's own channel per kind
    patron_id INTEGER NOT NULL REFERENCES patrons(id),
    kind      TEXT NOT NULL,
    channel   TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'call', 'none')),
    PRIMARY KEY (patron_id, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE branch_notices (                       -- what a branch's notices say of it
    branch        TEXT PRIMARY KEY REFERENCES branches(code),
    opening_hours TEXT NOT NULL DEFAULT '',         -- "ma–to 10–19, pe 10–16, la 10–15"
    contact       TEXT NOT NULL DEFAULT ''          -- address, phone, web: the last line of a notice
) STRICT, WITHOUT ROWID;

ALTER TABLE loans ADD COLUMN billed_at TEXT;        -- invoiced: a later return credits the replacement

-- The daily run's question: whose loans fall due on which day (active loans only).
CREATE INDEX loans_due ON loans(due_date) WHERE returned_at IS NULL;
