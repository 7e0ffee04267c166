-- Usage history (docs/architecture.md sections 5 and 6): what the relays flush into
-- proxy_connections.bandwidth_used is also added, in the same statement, to the hour it was written in.
-- The server rolls hours older than 90 days up into days and prunes days older than two years.
--
-- One row per connection, usage period (usage_generation), device and bucket:
--   * usage_generation: a reset starts a new period; the rows of the old one stay, so the history keeps
--     what moved, and the rows of the current period add up to bandwidth_used exactly.
--   * device_id: the device the connection exited through when the bytes were written, so a device's
--     history stays its own after one of its connections is moved to another device.
-- No foreign key to proxy_connections or devices, on purpose: deleting a connection (or a device it no
-- longer uses) does not rewrite the traffic its devices and connections carried. Such rows stay until
-- their retention ends; deleting the operator deletes them at once.
CREATE TABLE usage_buckets (
    connection_id    uuid NOT NULL,
    usage_generation bigint NOT NULL,
    device_id        uuid NOT NULL,
    owner_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    resolution       text NOT NULL CHECK (resolution IN ('hour', 'day')),
    -- The start of the UTC hour or day the bucket covers.
    bucket_start     timestamptz NOT NULL CHECK (bucket_start = date_trunc(resolution, bucket_start, 'UTC')),
    bytes            bigint NOT NULL CHECK (bytes >= 0),
    -- Serves a connection's series (connection_id, then a range of bucket_start) and the flush's upsert.
    PRIMARY KEY (connection_id, bucket_start, resolution, usage_generation, device_id)
) WITH (fillfactor = 80); -- room for the flush's updates of the current hour to stay on their page

-- A device's series (always asked together with its owner) and the cascade of an operator's deletion.
CREATE INDEX usage_buckets_owner_device ON usage_buckets (owner_id, device_id, bucket_start);
-- The roll-up's and the pruning's scans of the oldest buckets of one resolution.
CREATE INDEX usage_buckets_resolution_start ON usage_buckets (resolution, bucket_start);
