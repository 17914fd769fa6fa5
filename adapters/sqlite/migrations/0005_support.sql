-- Support tickets: a person takes over the chat until the ticket closes.
ALTER TABLE users ADD COLUMN ticket INTEGER NOT NULL DEFAULT 0;      -- open ticket, 0 if none
ALTER TABLE users ADD COLUMN recent TEXT NOT NULL DEFAULT '[]';       -- last typed messages (JSON), for the agent's card

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    description     TEXT    NOT NULL DEFAULT '',
    user_name       TEXT    NOT NULL DEFAULT '',
    user_username   TEXT    NOT NULL DEFAULT '',
    thread_id       INTEGER NOT NULL DEFAULT 0,   -- forum topic in the support chat, 0 in reply mode
    claimed_by      INTEGER NOT NULL DEFAULT 0,
    claimed_name    TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE INDEX tickets_thread ON tickets (thread_id);

-- Relayed messages, both ways: which message in the user's chat is which
-- in the support chat (replies and edits are found through it).
CREATE TABLE ticket_messages (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_msg    INTEGER NOT NULL,
    support_msg INTEGER NOT NULL,
    from_agent  INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_msg, from_agent)
) WITHOUT ROWID;
CREATE UNIQUE INDEX ticket_messages_support ON ticket_messages (support_msg);

-- Agents' internal notes: never relayed.
CREATE TABLE ticket_notes (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id  INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
