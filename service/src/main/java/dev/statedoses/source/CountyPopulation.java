package dev.statedoses.source;

/** One line of the county population file. {@code id2} is the FIPS code, kept as text (zero-padded). */
public record CountyPopulation(long line, String id, String id2, String county, String state, long population) {
}
