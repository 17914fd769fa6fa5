-- Users and where they are in the guide.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,           -- Telegram user ID (or the console's -user)
    lang       TEXT    NOT NULL DEFAULT '',   -- explicit language choice; '' follows lang_code
    lang_code  TEXT    NOT NULL DEFAULT '',   -- client's language code, last seen
    step       TEXT    NOT NULL,              -- current step key: the FSM state
    version    INTEGER NOT NULL DEFAULT 0,    -- grows with every change; buttons carry it
    source     TEXT    NOT NULL DEFAULT '',   -- first deep-link payload (campaign, referral)
    created_at INTEGER NOT NULL,              -- unix seconds
    updated_at INTEGER NOT NULL
);

-- Steps left behind: done ('d') or skipped ('s').
CREATE TABLE progress (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step    TEXT    NOT NULL,
    mark    TEXT    NOT NULL CHECK (mark IN ('d', 's')),
    PRIMARY KEY (user_id, step)
) WITHOUT ROWID;

-- Every move through the guide, per user.
CREATE TABLE transitions (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    update_id INTEGER NOT NULL,               -- 0 when the transport has none (console)
    event     TEXT    NOT NULL,
    src       TEXT    NOT NULL,
    dst       TEXT    NOT NULL
);
CREATE INDEX transitions_user ON transitions (user_id, id);

-- Updates already applied, so that a redelivered one is recognised.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates (at);
