-- 019: quarantine orders from start to end.
--
-- Place: an order made by the policy has no place (lat_e6/lon_e6 NULL);
-- staff confirm one later, from a check-in's location or as coordinates.
-- Who set it, when, and from which check-in is kept.
ALTER TABLE quarantine_orders ADD COLUMN place_checkin_id BIGINT;
ALTER TABLE quarantine_orders ADD COLUMN place_set_by BIGINT;
ALTER TABLE quarantine_orders ADD COLUMN place_set_at BIGINT;
-- End: completed (the last day passed, or ended by staff), released (early,
-- with a reason) or cancelled; status becomes ended or cancelled.
ALTER TABLE quarantine_orders ADD COLUMN outcome TEXT;
ALTER TABLE quarantine_orders ADD COLUMN end_reason TEXT;
ALTER TABLE quarantine_orders ADD COLUMN ended_by BIGINT;
ALTER TABLE quarantine_orders ADD COLUMN ended_at BIGINT;
-- The monitor job pages through active orders by id.
CREATE INDEX quarantine_orders_active ON quarantine_orders (status, id);
UPDATE quarantine_orders SET outcome = 'completed', ended_at = updated_at WHERE status = 'ended';
UPDATE quarantine_orders SET outcome = 'cancelled', ended_at = updated_at WHERE status = 'cancelled';

-- Slots: a check-in answers a slot only when made inside that slot's window
-- (07:00-21:00 local time cut into equal slots).  One made outside every
-- window (in the night) answers none: in_slot = 0 and slot_start holds the
-- check-in's own time.  Earlier rows put such check-ins in the first slot
-- (before 07:00) or the last (from 21:00 on); they are corrected here.
ALTER TABLE quarantine_checkins ADD COLUMN in_slot INTEGER NOT NULL DEFAULT 1;
UPDATE quarantine_checkins SET in_slot = 0, slot_start = at
 WHERE at < slot_start OR (at + 25200) % 86400 >= 75600;

-- Alerts: acknowledged (someone is on it) and resolved with a note, each
-- with who (account) and when.
ALTER TABLE quarantine_alerts ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE quarantine_alerts ADD COLUMN acknowledged_by BIGINT;
ALTER TABLE quarantine_alerts ADD COLUMN acknowledge_note TEXT;
ALTER TABLE quarantine_alerts ADD COLUMN resolved_by BIGINT;
ALTER TABLE quarantine_alerts ADD COLUMN resolution_note TEXT;
