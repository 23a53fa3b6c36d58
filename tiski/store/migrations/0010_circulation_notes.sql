-- Schema 10: circulation notes — a short note staff attach to a patron ("kortti tuli
-- postissa", "soita ennen kuin varaus raukeaa"), shown at the desk whenever the card is
-- read until someone marks it done (Koha's circulation messages). Who wrote it and who
-- marked it done are kept; the text never goes into the audit trail.
CREATE TABLE circulation_notes (
    id        INTEGER PRIMARY KEY,
    patron_id INTEGER NOT NULL REFERENCES patrons(id),
    text      TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    added_by  TEXT,
    branch    TEXT,
    done_at   TEXT,
    done_by   TEXT
) STRICT;

-- The open notes of a patron, read at every card scan.
CREATE INDEX circulation_notes_open ON circulation_notes(patron_id) WHERE done_at IS NULL;
