-- What the operator last heard about each device: a suppressed offline alert is sent when the cooldown
-- ends only if this still says the device is online (DESIGN.md section 3, "Cooldown without lying").
ALTER TABLE devices
    ADD COLUMN last_alert text CHECK (last_alert IN ('device.offline', 'device.online'));

-- The deliveries list of one operator, newest first, and the dispatcher's claim of due rows.
CREATE INDEX webhook_deliveries_owner_id ON webhook_deliveries (owner_id, id);
