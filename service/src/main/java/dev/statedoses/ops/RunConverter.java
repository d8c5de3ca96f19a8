package dev.statedoses.ops;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %run} in the log pattern (LogConfiguration): {@code " run=7"} on a line logged during
 * refresh run 7 (the MDC's run_id: a run's number, or {@code rehearsal} on the lines of the
 * rehearsal after a start, refresh.Rehearsal), nothing on any other line. Logback's
 * {@code %replace( run=%X{run_id}){' run=$', ''}} said the same with a regular expression run on
 * every line, the request log's too: a Matcher and two builders a line, about a twentieth of what
 * the service allocated per read under bench/reads.sh.
 */
public final class RunConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        String run = event.getMDCPropertyMap().get("run_id");
        return run == null || run.isEmpty() ? "" : " run=" + run;
    }
}
