-- 031: an e-mail address on staff accounts (set by admins), for the officials' daily report
-- and account notices by e-mail, and broadcasts to accounts without a phone.
ALTER TABLE accounts ADD COLUMN email TEXT;
