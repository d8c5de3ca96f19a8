package dev.statedoses.web;

/**
 * A query parameter an endpoint takes: its name, whether it may be given more than once, and for
 * one that may not, its problem (type and title: a wrong value and a repeat answer the same one)
 * and what one value looks like, for a repeat's detail.
 */
public record QueryParameter(String name, boolean repeatable, String type, String title, String oneValue) {

    /** Given at most once; a repeat is answered 400 with {@code type} and {@code title}. */
    public static QueryParameter once(String name, String type, String title, String oneValue) {
        return new QueryParameter(name, false, type, title, oneValue);
    }

    /** May be given any number of times: the endpoint reads every value. */
    public static QueryParameter repeatable(String name) {
        return new QueryParameter(name, true, null, null, null);
    }

    /** A 400 for a value of this parameter that is not one: the parameter's problem, with {@code detail}. */
    public ProblemException invalid(String detail) {
        return new ProblemException(Problem.of(400, type, title, detail));
    }
}
