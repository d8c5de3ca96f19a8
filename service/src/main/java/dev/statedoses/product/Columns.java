package dev.statedoses.product;

import java.util.List;

/**
 * The product's columns: the JSON field names, in order, and the CSV header of each answer. The
 * same snake_case words as the warehouse's columns ({@code dwh.state_doses},
 * {@code dwh.state_doses_weekly}) and the fields of the row records.
 */
final class Columns {

    /** A state's row ({@link StateRatio}): {@code GET /ratios} and {@code GET /ratios/{state}}. */
    static final List<String> STATE = List.of("state", "state_code", "population", "doses_moderna",
        "doses_pfizer", "doses_total", "people_per_dose", "refreshed_at");

    /** The fields of a state's row that {@code ?sort=} may name: all but refreshed_at, the same for every row. */
    static final List<String> SORTABLE = STATE.subList(0, 7);

    /** A week of one state ({@link WeeklyRatio}): {@code GET /ratios/{state}/weekly}. */
    static final List<String> WEEK = List.of("week", "doses_moderna", "doses_pfizer", "doses_total",
        "people_per_dose");

    /** A state and week ({@link StateWeek}): {@code GET /ratios/weekly}. */
    static final List<String> STATE_WEEK = List.of("state", "state_code", "week", "doses_moderna",
        "doses_pfizer", "doses_total", "people_per_dose");

    private Columns() {
    }
}
