"""What hostile input looks like: escape sequences, control characters, 100 000
characters, SQL, bidi overrides, odd unicode, wrong dates and amounts."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY = [
    "\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "x" * 100_000, "'; DROP TABLE patrons; --", "\u202eevil\u202c",
    "a\x00b", "𝕬𝖎𝖓𝖔 Ä Å ß 中文 👩‍👩‍👧", "0" * 40, "-1", "1e308", "NaN", "1,5,0", "2026-02-30", "99:99",
    "../../../etc/passwd", "%s%n{}{0}[b]x[/b]", "\r\nFAKE: line", "", " ", "2026-13-01T25:61", "€", "1.999",
]
# What must never reach a terminal (or the register).
CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")

hostile = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                    st.binary(max_size=30).map(lambda b: b.decode("latin-1")))
