-- Schema 2: digital support (digituki) — drop-in hours and bookable slots, the walk-in
-- queue, appointments, call-back requests, the service directory for referrals, and the
-- anonymous statistics that are all that is kept once a day is over.

CREATE TABLE digituki_schedule (                    -- when help is given, per branch (and helper)
    id           INTEGER PRIMARY KEY,
    branch       TEXT NOT NULL REFERENCES branches(code),
    kind         TEXT NOT NULL CHECK (kind IN ('drop_in', 'appointments')),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),   -- 0 = Monday
    starts       TEXT NOT NULL,                      -- HH:MM
    ends         TEXT NOT NULL,
    slot_minutes INTEGER CHECK (slot_minutes IS NULL OR slot_minutes BETWEEN 10 AND 240),
    helper       TEXT                                -- appointments with one helper; NULL = anyone
) STRICT;
CREATE INDEX digituki_schedule_branch ON digituki_schedule(branch, kind, weekday);

CREATE TABLE digituki_appointments (                -- "lainaa kirjastolainen"
    id         INTEGER PRIMARY KEY,
    branch     TEXT NOT NULL REFERENCES branches(code),
    helper     TEXT,
    starts_at  TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes > 0),
    name       TEXT,                                 -- first name; erased after the day
    phone      TEXT,                                 -- erased after the day
    topic      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'booked'
               CHECK (status IN ('booked', 'cancelled', 'no_show', 'arrived')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX digituki_appointments_day ON digituki_appointments(branch, starts_at);

CREATE TABLE digituki_visits (                      -- today's queue and those being helped
    id             INTEGER PRIMARY KEY,
    branch         TEXT NOT NULL REFERENCES branches(code),
    day            TEXT NOT NULL,
    queue_no       INTEGER NOT NULL,
    name           TEXT,                             -- a first name or nothing
    card           TEXT,                             -- optional: data minimisation
    topic          TEXT NOT NULL,
    device         TEXT NOT NULL,
    language       TEXT NOT NULL,
    appointment_id INTEGER REFERENCES digituki_appointments(id),
    arrived_at     TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'waiting'
                   CHECK (status IN ('waiting', 'serving', 'paused', 'finished', 'left')),
    helper         TEXT,
    started_at     TEXT,
    paused_at      TEXT,
    paused_seconds INTEGER NOT NULL DEFAULT 0,
    finished_at    TEXT,
    cap_hit        INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT CHECK (outcome IN ('solved', 'partly', 'referred', 'not_helped')),
    referral       TEXT,
    note           TEXT,
    UNIQUE (branch, day, queue_no)
) STRICT;
CREATE INDEX digituki_visits_open ON digituki_visits(branch, status, day);

CREATE TABLE digituki_callbacks (                   -- remote support: by phone only
    id          INTEGER PRIMARY KEY,
    branch      TEXT REFERENCES branches(code),
    name        TEXT,                                -- erased once closed and the day is over
    phone       TEXT,
    channel     TEXT NOT NULL DEFAULT 'phone' CHECK (channel = 'phone'),
    topic       TEXT NOT NULL,
    wish_from   TEXT,
    wish_to     TEXT,
    received_at TEXT NOT NULL,
    due_by      TEXT NOT NULL,                       -- the end of the next working day
    source      TEXT NOT NULL CHECK (source IN ('staff', 'web')),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    outcome     TEXT CHECK (outcome IN ('solved', 'partly', 'referred', 'not_helped')),
    referral    TEXT,
    closed_at   TEXT
) STRICT;
CREATE INDEX digituki_callbacks_open ON digituki_callbacks(status, due_by);

CREATE TABLE digituki_call_attempts (
    id          INTEGER PRIMARY KEY,
    callback_id INTEGER NOT NULL REFERENCES digituki_callbacks(id),
    at          TEXT NOT NULL,
    staff       TEXT,
    result      TEXT NOT NULL CHECK (result IN ('answered', 'no_answer', 'busy', 'wrong_number')),
    note        TEXT
) STRICT;
CREATE INDEX digituki_call_attempts_callback ON digituki_call_attempts(callback_id);

CREATE TABLE digituki_services (                    -- where to refer: never away empty-handed
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL DEFAULT 'other',
    phone   TEXT,
    address TEXT,
    url     TEXT,
    note    TEXT,
    active  INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE digituki_stats (                       -- what is kept: no names, no times of day
    id              INTEGER PRIMARY KEY,
    day             TEXT NOT NULL,
    branch          TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('walk_in', 'appointment', 'callback')),
    topic           TEXT NOT NULL,
    device          TEXT,
    wait_seconds    INTEGER,
    service_seconds INTEGER,
    outcome         TEXT,                            -- NULL: left without help or no-show
    referral        TEXT,
    cap_hit         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX digituki_stats_day ON digituki_stats(day, branch);
