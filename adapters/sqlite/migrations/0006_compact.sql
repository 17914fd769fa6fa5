-- Progress moves into the users row ("step=mark,step=mark"): one row per
-- user instead of one per step, read and written with the session.
ALTER TABLE users ADD COLUMN progress TEXT NOT NULL DEFAULT '';
UPDATE users SET progress = COALESCE(
    (SELECT group_concat(step || '=' || mark, ',') FROM progress p WHERE p.user_id = users.id), '');
DROP TABLE progress;

-- Processed updates are pruned by an hourly scan; an index on the time
-- would cost more space than the scan costs time.
DROP INDEX processed_updates_at;
