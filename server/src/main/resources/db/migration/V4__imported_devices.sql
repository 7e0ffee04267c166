-- pocketproxy import (README "Moving from another system"): a device brought over from the earlier generation
-- keeps that system's id, so a re-run of the import finds it instead of creating it twice. NULL for devices
-- created here. Unique per operator: two operators may import from two old systems whose ids collide.
ALTER TABLE devices ADD COLUMN legacy_id text CHECK (length(legacy_id) BETWEEN 1 AND 200);
CREATE UNIQUE INDEX devices_owner_legacy_id ON devices (owner_id, legacy_id) WHERE legacy_id IS NOT NULL;
