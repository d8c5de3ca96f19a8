-- The one column of V11 left without a comment (every column has one: warehouse/CommentsTest).
comment on column dwh.refresh_schedule.singleton is
    'Always true: the primary key that keeps dwh.refresh_schedule to one row.';
