-- The sessions a refresh's session waits for, when it waits for a lock (refresh/LockWaitWatch.java):
-- pg_blocking_pids gives the sessions that hold, or wait ahead for, a lock it asked for; an empty
-- list when it waits for none. Any login may call it, and pg_stat_activity shows every session's
-- login, application and state to any login (what it runs to the privileged only, and that is
-- not named: it may hold values).
select b.pid, coalesce(a.usename, '?') as login, coalesce(a.application_name, '') as application,
       coalesce(a.state, '?') as state,
       coalesce(to_char(clock_timestamp() - a.xact_start, 'FMHH24"h"MI"m"SS"s"'), '?') as in_transaction_for
from unnest(pg_blocking_pids(?)) as b(pid)
left join pg_stat_activity a on a.pid = b.pid
order by b.pid
