-- Updates received from Telegram and not yet fully handled. An update is
-- stored here before Telegram is told it was received (the getUpdates
-- offset, or the webhook's 200), and removed once its replies are sent:
-- a crash at any moment loses nothing Telegram considers delivered.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    payload     BLOB    NOT NULL,             -- the update as Telegram sent it (JSON)
    received_at INTEGER NOT NULL
);

-- Users who blocked the bot: nothing is sent to them until they write again.
ALTER TABLE users ADD COLUMN blocked_at INTEGER;

-- Keys the bot generates once and keeps: the callback-data MAC key, the
-- webhook secret.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
