-- Chinese text users asked about that the glossary does not explain yet:
-- the content editors' worklist. Never holds text that looked like it had
-- a code or a password in it (the engine does not pass such text on).
CREATE TABLE unknown_labels (
    text       TEXT    PRIMARY KEY,
    count      INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
