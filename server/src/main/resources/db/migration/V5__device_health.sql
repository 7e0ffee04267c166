-- Device health (README "Devices"): where the link comes from, and what the device tells of itself beyond battery,
-- signal and network type. status_updated_at is when a heartbeat last carried any of those health values.
ALTER TABLE devices
    ADD COLUMN link_address text CHECK (length(link_address) <= 64),
    ADD COLUMN charging boolean,
    ADD COLUMN carrier text CHECK (length(carrier) <= 64),
    ADD COLUMN status_updated_at timestamptz;
