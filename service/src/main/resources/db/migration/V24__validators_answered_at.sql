-- The validators a source's upstream sent (V8) are that resource's: when the source's URL
-- redirected, they are the redirect target's. They were recorded without saying so, and sent back
-- to every hop: a redirect later moved to another file that happens to use the same ETag was
-- answered 304, and the run called the source unchanged while its bytes now came from elsewhere.
-- The URL that answered is now recorded with them, and they are sent to that URL alone.
-- Safe to run again (if not exists).
alter table dwh.refresh_run_sources add column if not exists answered_at text;

comment on column dwh.refresh_run_sources.answered_at is
    'The URL that answered, its secrets hidden, when the source''s URL redirected there (null: the source''s own '
    'URL answered, or a run before V24). Its etag and last_modified are that URL''s, and the next refresh sends '
    'them to it alone.';
