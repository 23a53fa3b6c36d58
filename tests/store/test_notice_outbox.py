"""The outbox in the register: what schema 12 makes of the notices schema 9 recorded and
never sent, and one sender at a time."""

from __future__ import annotations

from tiski.store import notices as notice_store
from tiski.store.db import connect, migrate, open_file

NOW = "2026-12-02T14:05:00+02:00"


def test_unsent_arrival_notices_of_holds_still_on_the_shelf_become_owed(tmp_path):
    """Schema 9 wrote a row per arrival and sent nothing. A hold still on the shelf is owed
    its notice (its week starts when it goes); the rest are past helping. Mutation
    caught: every old row sent out now, or a waiting hold's notice dropped."""
    conn = open_file(tmp_path / "old.sqlite")
    migrate(conn, upto=9)
    sql = conn.execute
    sql("INSERT INTO branches (code, name, created_at) VALUES ('PORI', 'Porin pääkirjasto', ?)", (NOW,))
    for n, (email, phone) in enumerate((("aino@example.fi", None), (None, "040 1"), (None, None)), start=1):
        sql("INSERT INTO patrons (id, first_name, last_name, email, phone, created_at, updated_at)"
            " VALUES (?, 'A', 'B', ?, ?, ?, ?)", (n, email, phone, NOW, NOW))
    sql("INSERT INTO records (id, title, created_at) VALUES (1, 'Sinuhe', ?)", (NOW,))
    for n in (1, 2, 3):
        sql("INSERT INTO items (id, barcode, record_id, format, home_branch, created_at) VALUES (?, ?, 1, 'book',"
            " 'PORI', ?)", (n, f"B{n}", NOW))
    sql("INSERT INTO holds (id, patron_id, record_id, pickup_branch, placed_at, status, item_id, pickup_by)"
        " VALUES (1, 1, 1, 'PORI', ?, 'waiting', 1, '2026-12-09'), (2, 2, 1, 'PORI', ?, 'fulfilled', 2, NULL),"
        " (3, 3, 1, 'PORI', ?, 'waiting', 3, '2026-12-09')", (NOW, NOW, NOW))
    sql("INSERT INTO notices (patron_id, kind, hold_id, created_at) VALUES (1, 'hold_arrived', 1, ?),"
        " (2, 'hold_arrived', 2, ?), (3, 'hold_arrived', 3, ?), (1, 'ill_arrived', NULL, ?)", (NOW,) * 4)
    migrate(conn)
    rows = conn.execute("SELECT patron_id, kind, channel, status FROM notices ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "hold_arrived", "email", "pending"), (2, "hold_arrived", "sms", "cancelled"),
        (3, "hold_arrived", "call", "pending"), (1, "ill_arrived", "email", "cancelled")]
    assert len({r[0] for r in conn.execute("SELECT key FROM notices")}) == 4
    conn.close()


def test_one_sender_at_a_time_and_a_dead_ones_lock_is_free(db_path):
    """The lock belongs to an open file: a second sender is told no while the first
    holds it; when the first is gone (closed, or killed), the next gets it."""
    first, second = connect(db_path), connect(db_path)
    with notice_store.sender_lock(first) as mine:
        assert mine
        with notice_store.sender_lock(second) as theirs:
            assert not theirs
    with notice_store.sender_lock(second) as theirs:
        assert theirs
    first.close()
    second.close()


def test_the_notices_lookups_use_their_indexes(desk):
    """The run every ten minutes reads the active loans by due day, a patron's ladder by
    due day, the outbox by status: each by its own index, never a big table end to end.
    Mutation caught: dropping loans_due (the run walks every loan by patron), notices_work
    (every notice ever sent read to find the pending ones) or notices_patron."""
    from datetime import date, datetime

    from tiski.clock import HELSINKI
    from tiski.store import holds as hold_store
    from tiski.store import notice_facts

    from ..conftest import item, patron
    from .test_query_plans import full_scans, statements

    card = patron(desk, "P0001", email="aino@example.fi")
    desk.loans.checkout(card, item(desk, "B0001"))
    conn, day = desk.conn, date(2026, 12, 30)
    now = datetime(2026, 12, 2, 14, tzinfo=HELSINKI)
    for name, (call, index) in {
        "loans due by day": (lambda: notice_facts.due_groups(conn, date.min, day), "loans_due"),
        "a group's loans": (lambda: notice_facts.group_loans(conn, 1, day, "PORI"), "loans_due"),
        "a patron's due days": (lambda: notice_facts.patron_groups(conn, 1), "loans_patron"),
        "the ladder": (lambda: notice_store.ladder(conn, 1, day), "notices_patron"),
        "the outbox's pending": (lambda: notice_store.to_send(conn, now), "notices_work"),
        "the open ones": (lambda: notice_store.open_notices(conn), "notices_work"),
        "the work list": (lambda: notice_store.work_list(conn, now), "notices_work"),
        "a hold's latest notice": (lambda: notice_store.newest_for_hold(conn, 1), "notices_hold"),
        "holds to expire": (lambda: hold_store.expired_waiting(conn, day), "holds_waiting"),
    }.items():
        [sql] = statements(conn, call)
        plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert f"INDEX {index}" in plan and not full_scans(conn, sql), f"{name}: {plan}"
