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

    @Override
    public String toString() {
        return label;
    }
}
