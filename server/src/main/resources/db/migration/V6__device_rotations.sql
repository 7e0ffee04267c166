-- IP rotations (README "Rotating a device's IP"): one row per rotation, kept so an operator sees each outcome and a
-- rotation never stays "running" past a server restart or its timeout. One running rotation per device at most.
CREATE TABLE device_rotations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id    uuid        NOT NULL,
    owner_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    old_ip       text        CHECK (length(old_ip) <= 64),
    new_ip       text        CHECK (length(new_ip) <= 64),
    changed      boolean,
    error        text        CHECK (length(error) <= 400),
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    FOREIGN KEY (device_id, owner_id) REFERENCES devices (id, owner_id) ON DELETE CASCADE,
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (status <> 'done' OR (new_ip IS NOT NULL AND changed IS NOT NULL)),
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE UNIQUE INDEX device_rotations_one_running ON device_rotations (device_id) WHERE status = 'running';
CREATE INDEX device_rotations_newest ON device_rotations (device_id, started_at DESC);

-- Automatic rotation: every rotation_interval seconds while the device is online (NULL: only on request).
ALTER TABLE devices ADD COLUMN rotation_interval integer CHECK (rotation_interval > 0);

-- A connection's customer rotation link (/rotate/<secret>): the SHA-256 of its secret, never the secret itself.
ALTER TABLE proxy_connections ADD COLUMN rotation_link_digest bytea UNIQUE CHECK (length(rotation_link_digest) = 32);
