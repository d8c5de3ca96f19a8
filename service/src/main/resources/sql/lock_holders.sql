-- The sessions of this database that hold a lock a start waits for, to name them when it waits
-- or gives up (warehouse/ChangeLock.java, warehouse/FlywayLock.java): the advisory key given
-- (a bigint key: its high half in classid, its low half in objid, objsubid 1), or, for the table
-- given, a lock in a mode that conflicts with SHARE UPDATE EXCLUSIVE (every mode but the three
-- that reads and writes take). Either may be null. pg_locks shows every database's locks, and a
-- relation's oid or a key means something within one only. pg_stat_activity shows every
-- session's login and application name to any login, and the rest to the privileged only.
select l.pid, coalesce(a.usename, '?') as login, coalesce(a.application_name, '') as application
from pg_locks l
left join pg_stat_activity a on a.pid = l.pid
where l.granted
  and l.pid <> pg_backend_pid()
  and l.database = (select oid from pg_database where datname = current_database())
  and ((l.locktype = 'advisory' and l.objsubid = 1
        and l.classid::bigint = (?::bigint >> 32) and l.objid::bigint = (?::bigint & 4294967295))
    or (l.locktype = 'relation' and l.relation = to_regclass(?::text)
        and l.mode not in ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')))
order by l.pid
