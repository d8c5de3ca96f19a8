-- Whether the product in dwh.state_doses, built by run :run, is the only product whose
-- refreshed_at is at or after :second, the start of its own refreshed_at's second
-- (product/RatioRepository.java, read with the product in one transaction). Its Last-Modified is
-- that second (HTTP dates have no fraction), and a client's If-Modified-Since is a Last-Modified it
-- was sent. When no other product has a refreshed_at at or after that second, every other
-- product's Last-Modified is earlier, so a date at or after this one's can only be this product's:
-- 304 is the truth. When another has one (built in the same second, as two forced refreshes back
-- to back are; or later by a clock set back), the date cannot tell them apart. Every run that
-- built a product keeps its refreshed_at (V19); runs that built none keep null and do not count.
-- One lookup in the index refresh_runs_refreshed_at, at any length of the log.
select not exists (
    select 1
    from dwh.refresh_runs
    where refreshed_at >= :second
      and run_id <> :run
)
