-- Puts back the one row of dwh.refresh_lock when it is gone (deleted by hand: a clean-up of the
-- dwh tables, a restore without it), and answers whether it did (refresh/RefreshService.java).
-- Without it no refresh can take the lock, and every one was turned away as "another refresh is
-- running", which was not true. Run in a transaction of its own, and only when taking the lock
-- failed: instances doing it at once wait for each other's insert only, not for a refresh.
insert into dwh.refresh_lock default values
on conflict do nothing
