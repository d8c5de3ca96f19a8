package dev.statedoses.source;

/** The three inputs of a refresh, by the names errors, reports and the API use. */
public enum SourceName {
    MODERNA("moderna"),
    PFIZER("pfizer"),
    POPULATION("population");

    private final String label;

    SourceName(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The source whose {@link #label} is {@code label}, as the run log and the checks write it. */
    public static SourceName of(String label) {
        for (SourceName source : values()) {
            if (source.label.equals(label)) {
                return source;
            }
        }
        throw new IllegalArgumentException("no source is called '" + label + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
