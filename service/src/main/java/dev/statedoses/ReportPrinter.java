package dev.statedoses;

import dev.statedoses.product.StateRatio;
import dev.statedoses.refresh.CheckResult;
import dev.statedoses.refresh.Exclusion;
import dev.statedoses.refresh.RefreshReport;
import dev.statedoses.refresh.SourceReport;
import java.util.ArrayList;
import java.util.List;

/** The `refresh` command's output: the product as an aligned table, what was left out, the checks. */
final class ReportPrinter {

    private ReportPrinter() {
    }

    static String format(RefreshReport report, List<StateRatio> rows) {
        StringBuilder out = new StringBuilder();
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"state", "state_code", "population", "doses_moderna", "doses_pfizer",
            "doses_total", "people_per_dose"});
        for (StateRatio r : rows) {
            table.add(new String[] {r.state(), r.stateCode(), Long.toString(r.population()),
                Long.toString(r.dosesModerna()), Long.toString(r.dosesPfizer()), Long.toString(r.dosesTotal()),
                r.peoplePerDose() == null ? "" : r.peoplePerDose().toPlainString()});
        }
        appendTable(out, table, 2);

        out.append('\n').append("Doses not in any state row (").append(report.dosesExcluded()).append(" of ")
            .append(report.dosesInSources()).append(" allocated):\n");
        List<String[]> excluded = new ArrayList<>();
        excluded.add(new String[] {"jurisdiction", "kind", "doses_moderna", "doses_pfizer", "doses_total"});
        for (Exclusion e : report.exclusions()) {
            excluded.add(new String[] {e.jurisdiction(), e.kind(), Long.toString(e.dosesModerna()),
                Long.toString(e.dosesPfizer()), Long.toString(e.dosesTotal())});
        }
        appendTable(out, excluded, 2);

        boolean unchanged = RefreshReport.UNCHANGED.equals(report.status());
        // An unchanged run builds nothing and runs no check: what is shown is the kept product's.
        out.append('\n').append(unchanged ? "Data checks (of the refresh that built the kept product):\n"
            : "Data checks:\n");
        List<String[]> checks = new ArrayList<>();
        checks.add(new String[] {"check", "status", "detail"});
        for (CheckResult c : report.checks()) {
            checks.add(new String[] {c.name(), c.status(), c.detail()});
        }
        appendTable(out, checks, 3);

        out.append('\n').append("Run ").append(report.runId()).append(", ").append(report.durationMs())
            .append(" ms, ").append(unchanged
                ? "unchanged: every source is as the last successful refresh loaded it, and its product (above) is "
                    + "kept; " + report.stateRows() + " state rows, from:\n"
                : report.stateRows() + " state rows, from:\n");
        for (SourceReport s : report.sources()) {
            out.append("  ").append(s.source()).append(": ").append(s.rows()).append(" rows, ")
                .append(s.bytes()).append(" bytes, sha256 ").append(s.sha256()).append(", ").append(s.url())
                .append(s.unchanged() ? " (unchanged)" : "").append('\n');
        }
        return out.toString();
    }

    /** Text columns left-aligned, the others (numbers) right-aligned, from column firstNumber on. */
    private static void appendTable(StringBuilder out, List<String[]> table, int firstNumber) {
        int[] widths = new int[table.get(0).length];
        for (String[] row : table) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : table) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(widths[i] - row[i].length());
                line.append(i >= firstNumber ? pad + row[i] : row[i] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
