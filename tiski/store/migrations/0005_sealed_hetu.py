"""Schema 5: identity codes sealed at rest (see tiski.store.hetu_vault).

The plain `hetu` column stays (SQLite cannot drop a UNIQUE column in place) but is
emptied: every code moves into `hetu_sealed`, its keyed digest into `hetu_digest`
(unique), its shown form ('131052-****') into `hetu_masked`."""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE patrons ADD COLUMN hetu_sealed TEXT")
    conn.execute("ALTER TABLE patrons ADD COLUMN hetu_digest TEXT")
    conn.execute("ALTER TABLE patrons ADD COLUMN hetu_masked TEXT")
    conn.execute("CREATE UNIQUE INDEX patrons_hetu_digest ON patrons(hetu_digest)")
    rows = conn.execute("SELECT id, hetu FROM patrons WHERE hetu IS NOT NULL").fetchall()
    if not rows:
        return
    from ..hetu_vault import HetuVault

    vault = HetuVault.of(conn, create=True)
    conn.executemany(
        "UPDATE patrons SET hetu_sealed = ?, hetu_digest = ?, hetu_masked = ?, hetu = NULL WHERE id = ?",
        [(vault.seal(hetu), vault.digest(hetu), hetu[:7] + "****", patron_id) for patron_id, hetu in rows],
    )
