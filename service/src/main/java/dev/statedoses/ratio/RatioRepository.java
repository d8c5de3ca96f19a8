package dev.statedoses.ratio;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Reads the data product, {@code dwh.state_doses}. */
public final class RatioRepository {

    private static final String COLUMNS = """
        select state, state_code, population, doses_moderna, doses_pfizer, doses_total,
               people_per_dose, refreshed_at
        from dwh.state_doses""";

    private final Jdbi jdbi;

    public RatioRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every row, by state name (byte order, so the order is the same on every server). */
    public List<StateRatio> all() {
        return jdbi.withHandle(h -> h.createQuery(COLUMNS + " order by state collate \"C\"")
            .map((rs, ctx) -> row(rs))
            .list());
    }

    /** The row of a state given by its USPS code or its name, in any case. */
    public Optional<StateRatio> find(String codeOrName) {
        return jdbi.withHandle(h -> h.createQuery(COLUMNS
                + " where state_code = upper(:key) or lower(state) = lower(:key)")
            .bind("key", codeOrName)
            .map((rs, ctx) -> row(rs))
            .findFirst());
    }

    public boolean isEmpty() {
        return jdbi.withHandle(h -> h.createQuery("select not exists (select 1 from dwh.state_doses)")
            .mapTo(Boolean.class)
            .one());
    }

    private static StateRatio row(ResultSet rs) throws SQLException {
        return new StateRatio(
            rs.getString("state"),
            rs.getString("state_code"),
            rs.getLong("population"),
            rs.getLong("doses_moderna"),
            rs.getLong("doses_pfizer"),
            rs.getLong("doses_total"),
            rs.getBigDecimal("people_per_dose"),
            rs.getTimestamp("refreshed_at").toInstant());
    }
}
