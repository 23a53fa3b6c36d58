-- Schema 10: the catalogue search, the item's whole life, and how a payment was made.

-- Title and author words, diacritics folded both ways ("aanikirja" finds "äänikirja" and
-- "Näsi" finds "Nasi"), with prefix indexes so that a word half typed is found as fast
-- as a whole one. The same content table as before, rebuilt with them.
DROP TRIGGER records_fts_insert;
DROP TRIGGER records_fts_delete;
DROP TRIGGER records_fts_update;
DROP TABLE records_fts;
CREATE VIRTUAL TABLE records_fts USING fts5(
    title, author, content='records', content_rowid='id', tokenize="unicode61 remove_diacritics 2",
    prefix='2 3'
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
INSERT INTO records_fts(records_fts) VALUES ('rebuild');

-- Where a copy stands on the shelf (MARC 952 $c/$o, 852 $c/$h/$i).
ALTER TABLE items ADD COLUMN shelf TEXT;                -- shelving location, e.g. "Aikuisten kaunokirjat"
ALTER TABLE items ADD COLUMN call_number TEXT;          -- e.g. "84.2 LIN"

-- A copy's life beyond the shelf and the loan. NULL: it circulates as usual.
ALTER TABLE items ADD COLUMN status TEXT CHECK (status IN ('lost', 'missing', 'repair', 'withdrawn'));
CREATE INDEX items_status ON items(status) WHERE status IS NOT NULL;

-- Every change of a copy's life, with when, where and who: never which patron.
CREATE TABLE item_events (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    at      TEXT NOT NULL,
    staff   TEXT,
    branch  TEXT,
    event   TEXT NOT NULL CHECK (event IN ('lost', 'found', 'claims_returned', 'damaged', 'repair', 'missing',
                                            'withdrawn', 'available')),
    note    TEXT
) STRICT;
CREATE INDEX item_events_item ON item_events(item_id, id);

-- The patron says it was returned: the loan stays open, flagged, and accrues nothing more.
ALTER TABLE loans ADD COLUMN claims_returned_at TEXT;

-- The ledger: how a payment was made (or a refund paid back), and which charge a
-- refund gives back. Both are sealed with the row (store/chain.py, ledger version 2).
ALTER TABLE fees ADD COLUMN method TEXT CHECK (method IN ('cash', 'card', 'other'));
ALTER TABLE fees ADD COLUMN refund_of INTEGER REFERENCES fees(id);
ALTER TABLE ledger_chain ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX fees_item ON fees(item_id) WHERE item_id IS NOT NULL;
CREATE INDEX fees_refund_of ON fees(refund_of) WHERE refund_of IS NOT NULL;  -- refunded already?
-- The day's takings: payments and refunds paid back, by the time they were taken.
CREATE INDEX fees_takings ON fees(at) WHERE method IS NOT NULL;
