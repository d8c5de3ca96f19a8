package dev.statedoses.refresh;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What a product accounts for, as a refresh reports it: its state rows, the doses in the sources,
 * in the state rows and left out (with the exclusions), and the data checks that passed it.
 */
record Totals(int stateRows, long inSources, long inStateRows, long excluded, List<Exclusion> exclusions,
              List<CheckResult> checks) {

    /** The product run {@code runId} has just built, as the transform counted its doses (run_dose_totals). */
    static Totals ofRun(Handle tx, long runId) {
        List<Exclusion> exclusions = exclusions(tx, runId);
        return tx.createQuery("select state_rows, in_sources, in_state_rows, excluded from run_dose_totals")
            .map((rs, ctx) -> new Totals(rs.getInt("state_rows"), rs.getLong("in_sources"),
                rs.getLong("in_state_rows"), rs.getLong("excluded"), exclusions, List.of()))
            .one();
    }

    /**
     * The product in the warehouse now, as the run that built it accounted for it: for a refresh
     * that found every source unchanged and kept it. (Every dose of a committed product is in a
     * state row or an exclusion: the reconciliation check saw to it.)
     */
    static Totals ofProduct(Handle tx) {
        Long productRun = tx.createQuery("select max(run_id) from dwh.state_doses").mapTo(Long.class).one();
        if (productRun == null) {
            return new Totals(0, 0, 0, 0, List.of(), List.of());
        }
        List<Exclusion> exclusions = exclusions(tx, productRun);
        long excluded = exclusions.stream().mapToLong(Exclusion::dosesTotal).sum();
        List<CheckResult> checks = RefreshRuns.checks(tx, productRun);
        return tx.createQuery("select count(*) as state_rows, coalesce(sum(doses_total), 0) as in_state_rows "
                + "from dwh.state_doses")
            .map((rs, ctx) -> new Totals(rs.getInt("state_rows"), rs.getLong("in_state_rows") + excluded,
                rs.getLong("in_state_rows"), excluded, exclusions, checks))
            .one();
    }

    Totals withChecks(List<CheckResult> ran) {
        return new Totals(stateRows, inSources, inStateRows, excluded, exclusions, List.copyOf(ran));
    }

    /** The doses run {@code runId} left out of the state rows (dwh.refresh_exclusions), the most first. */
    private static List<Exclusion> exclusions(Handle tx, long runId) {
        return tx.createQuery("""
                select jurisdiction, kind, doses_moderna, doses_pfizer, doses_total
                from dwh.refresh_exclusions where run_id = :run
                order by doses_total desc, jurisdiction""")
            .bind("run", runId)
            .map((rs, ctx) -> new Exclusion(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5)))
            .list();
    }
}
