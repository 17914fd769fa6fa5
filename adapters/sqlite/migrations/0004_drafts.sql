-- What the user's next typed message answers (an order item's field, a rate).
ALTER TABLE users ADD COLUMN input TEXT NOT NULL DEFAULT '';

-- Order drafts and their items. Money is integer fen (1/100 CNY), never a float.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    -- Deferred: a new user's first update may create a draft before the
    -- users row is written at the end of the same transaction.
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    number     INTEGER NOT NULL,               -- 1, 2, ... per user: what the user sees
    status     TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ordered', 'paid')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, number)
);

CREATE TABLE draft_items (
    id         INTEGER PRIMARY KEY,
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    link       TEXT    NOT NULL DEFAULT '',
    offer_id   TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL DEFAULT '',
    spec       TEXT    NOT NULL DEFAULT '',
    quantity   INTEGER NOT NULL DEFAULT 0 CHECK (quantity BETWEEN 0 AND 1000000),
    unit_fen   INTEGER NOT NULL DEFAULT 0 CHECK (unit_fen >= 0),
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX draft_items_draft ON draft_items (draft_id, id);
