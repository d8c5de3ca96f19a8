-- The raw tables are rebuilt by a refresh that loads their source: an unchanged source keeps the
-- rows of the run that loaded it.
comment on schema raw is
    'The sources of the last successful refresh as they came, typed, one row per data line, with the run '
    'that loaded them and the line they came from. Rebuilt by every refresh that loads a source, in its '
    'transaction; a source found unchanged keeps its rows, and the run that loaded them.';
