-- PocketProxy schema, version 1: DESIGN.md section 4.
-- Every operator-owned table carries owner_id; every query filters by it.
-- No plaintext password exists anywhere: users and connections keep bcrypt hashes, sessions and
-- devices keep SHA-256 digests of their tokens.

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored lower-cased by the application, so the unique constraint is case-insensitive.
    email          text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash  text NOT NULL CHECK (password_hash LIKE '$2%'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role           text NOT NULL CHECK (role IN ('admin', 'operator')),
    webhook_url    text,
    webhook_secret text NOT NULL CHECK (webhook_secret LIKE 'whsec\_%'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A login session or API token. The token itself is shown once; only its digest is kept.
CREATE TABLE sessions (
    token_digest bytea PRIMARY KEY CHECK (length(token_digest) = 32),
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE devices (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id              uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_digest          bytea NOT NULL UNIQUE CHECK (length(token_digest) = 32),
    status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'online', 'offline')),
    last_heartbeat        timestamptz,
    last_offline_alert_at timestamptz,
    egress_ip             text,
    battery               smallint CHECK (battery BETWEEN 0 AND 100),
    signal                smallint,
    network_type          text,
    agent_version         text,
    relay_id              text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    -- Lets proxy_connections reference (device, owner) so a connection can never exit through
    -- another operator's device.
    UNIQUE (id, owner_id)
);
CREATE INDEX devices_owner_id ON devices (owner_id);

CREATE TABLE device_status_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id       uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('pending', 'online', 'offline')),
    previous_status text NOT NULL CHECK (previous_status IN ('pending', 'online', 'offline')),
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_status_log_device_at ON device_status_log (device_id, at DESC);

CREATE TABLE proxy_connections (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    device_id        uuid NOT NULL,
    type             text NOT NULL CHECK (type IN ('HTTP', 'SOCKS5', 'OPENVPN')),
    username         text NOT NULL UNIQUE,
    password_hash    text NOT NULL CHECK (password_hash LIKE '$2%'),
    active           boolean NOT NULL DEFAULT true,
    bandwidth_limit  bigint NOT NULL DEFAULT 0 CHECK (bandwidth_limit >= 0),
    bandwidth_used   bigint NOT NULL DEFAULT 0 CHECK (bandwidth_used >= 0),
    -- Incremented by every usage reset; relays add their deltas only to the generation they counted in.
    usage_generation bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- NO ACTION (not RESTRICT): deleting an operator cascades to devices and connections in one statement.
    FOREIGN KEY (device_id, owner_id) REFERENCES devices (id, owner_id)
);
CREATE INDEX proxy_connections_owner_id ON proxy_connections (owner_id);
CREATE INDEX proxy_connections_device_id ON proxy_connections (device_id);

-- Transactional outbox of webhook events: written in the same transaction as the change they report.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    event            text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_owner_created ON webhook_deliveries (owner_id, created_at DESC);
