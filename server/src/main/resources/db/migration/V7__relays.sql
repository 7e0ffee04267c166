-- The farm's relays (README "Several relays"): each relay process (a server's own, or pocketproxy relay) has a row
-- from its start to its clean stop, and beats last_seen_at while it runs; a row whose beat stopped is a dead relay.
CREATE TABLE relays (
    id              uuid PRIMARY KEY,
    name            text        NOT NULL CHECK (length(name) <= 200),
    link_address    text        CHECK (length(link_address) <= 300),
    public_address  text        CHECK (length(public_address) <= 300),
    -- the link certificate's SHA-256 (base64url): pairing strings name only the relays that share the server's
    certificate_fingerprint text CHECK (length(certificate_fingerprint) <= 100),
    started_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL
);

-- Which relay holds a device's link: set when the link is made (one relay at a time across the farm), cleared when
-- it ends; a relay's clean stop clears its devices through the foreign key.
-- (V1 kept a text column of that name for this, never written.)
ALTER TABLE devices DROP COLUMN relay_id;
ALTER TABLE devices ADD COLUMN relay_id uuid REFERENCES relays (id) ON DELETE SET NULL;
CREATE INDEX devices_relay ON devices (relay_id) WHERE relay_id IS NOT NULL;
