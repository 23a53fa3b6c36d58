-- Schema 4: the audit trail. Who read or changed a patron's data, when, where, what —
-- never the HETU or the PIN. Append-only: triggers refuse updates and deletes.

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    staff     TEXT,                                 -- the account that acted (NULL: first-run admin)
    branch    TEXT,
    action    TEXT NOT NULL,                        -- the facade call: patron_view, checkout, pay_fee…
    kind      TEXT NOT NULL CHECK (kind IN ('read', 'change', 'session')),
    patron_id INTEGER,                              -- whose data (no foreign key: the log outlives records)
    detail    TEXT                                  -- barcodes, amounts, codes — never identity codes or PINs
) STRICT;
CREATE INDEX audit_patron ON audit_log(patron_id, at);
CREATE INDEX audit_staff ON audit_log(staff, at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
