package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a redirect the client did not follow is said to be (Redirects.notFollowed), case by case. */
class RedirectsTest {

    private static final URI ASKED = URI.create("https://lake.example/data/m.csv");

    @ParameterizedTest
    @ValueSource(ints = {300, 301, 302, 303, 305, 306, 307, 308, 399})
    void everyThreeHundredButNotModifiedIsARedirect(int status) {
        assertTrue(Redirects.isRedirect(status));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 299, 304, 400, 404, 500})
    void notModifiedAndOtherStatusesAreNot(int status) {
        assertFalse(Redirects.isRedirect(status));
    }

    @Test
    void aRedirectWithoutALocationSaysSo() {
        assertEquals("upstream answered HTTP 302, a redirect without a Location to follow",
            Redirects.notFollowed(302, ASKED, List.of(), 0));
        assertEquals("upstream answered HTTP 307 after 1 redirect, a redirect without a Location to follow",
            Redirects.notFollowed(307, ASKED, List.of("  "), 1));
    }

    /**
     * Location is one URL: two lines that differ leave the file's place unknown, and are named
     * (secrets hidden); the same URL twice, or beside an empty line, is followed.
     */
    @Test
    void twoDifferentLocationsAreNotChosenAmong() {
        assertEquals("upstream answered HTTP 302, a redirect with 2 different Locations (/a.csv, "
                + "https://mirror.example/m.csv?X-Amz-Signature=***): which one the file is at cannot be told",
            Redirects.notFollowed(302, ASKED, List.of("/a.csv", "https://mirror.example/m.csv?X-Amz-Signature=s"), 0));
        // Scheme-relative, or with a backslash, a Location's user-info is an authority's too: hidden.
        assertEquals("upstream answered HTTP 302, a redirect with 2 different Locations (//u:***@127.0.0.1:18351/m.csv, "
                + "http:\\\\***@exa mple/m.csv): which one the file is at cannot be told",
            Redirects.notFollowed(302, ASKED, List.of("//u:SECRETPW1@127.0.0.1:18351/m.csv",
                "http:\\\\SECRETTOKEN@exa mple/m.csv"), 0));
        assertEquals(Optional.empty(), Redirects.target(301, ASKED, List.of("/a.csv", " /b.csv")));
        assertEquals(Optional.of(ASKED.resolve("/a.csv")), Redirects.target(307, ASKED, List.of("/a.csv", " /a.csv ")));
        assertEquals(Optional.of(ASKED.resolve("/a.csv")), Redirects.target(308, ASKED, List.of("", "/a.csv")));
    }

    @Test
    void aKindThatIsNeverFollowedIsNamed() {
        assertEquals("upstream answered HTTP 300, a redirect of a kind that is not followed (Multiple Choices): "
            + "point the source's URL at the file itself", Redirects.notFollowed(300, ASKED, List.of("/a.csv"), 0));
        assertEquals("upstream answered HTTP 305, a redirect of a kind that is not followed (Use Proxy): "
            + "point the source's URL at the file itself", Redirects.notFollowed(305, ASKED, List.of(), 0));
        assertEquals("upstream answered HTTP 399, a redirect of a kind that is not followed (not a redirect HTTP "
            + "defines): point the source's URL at the file itself",
            Redirects.notFollowed(399, ASKED, List.of(), 0));
    }

    @Test
    void aLocationOfAnotherSchemeIsShownWithItsSecretsHidden() {
        assertEquals("upstream answered HTTP 302, a redirect to ftp://files.example/m.csv?X-Amz-Signature=***, "
            + "which is not followed: only http and https URLs are",
            Redirects.notFollowed(302, ASKED, List.of("ftp://files.example/m.csv?X-Amz-Signature=abc123"), 0));
        assertEquals("upstream answered HTTP 301, a redirect to file:///etc/passwd, which is not followed: only "
            + "http and https URLs are", Redirects.notFollowed(301, ASKED, List.of("file:///etc/passwd"), 0));
    }

    @Test
    void fromHttpsToHttpIsRefusedAsTheClientRefusesIt() {
        assertEquals("upstream answered HTTP 308, a redirect from https to http://lake.example/data/m.csv, which "
            + "is not followed: it would fetch the file unencrypted",
            Redirects.notFollowed(308, ASKED, List.of("http://lake.example/data/m.csv"), 0));
    }

    @Test
    void aRelativeLocationIsReadAgainstTheUrlThatAnsweredAndALoopIsCalledOne() {
        URI last = URI.create("http://127.0.0.1:8000/hop/5");
        assertEquals("upstream answered HTTP 302 after 4 redirects, the last to http://127.0.0.1:8000/hop/6: the "
            + "client follows no more, so they go round in a loop, or more than a source needs",
            Redirects.notFollowed(302, last, List.of("6"), 4));
    }

    @Test
    void aLocationThatIsNoUrlIsShownAsText() {
        assertEquals("upstream answered HTTP 302, a redirect to something that is not a URL (http://[::1: expected "
            + "closing bracket for IPv6 address)", Redirects.notFollowed(302, ASKED, List.of("http://[::1"), 0));
    }

    @Test
    void theFiveRedirectsOfHttpAreFollowedToAHostRelativeOrNot() {
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            assertEquals(Optional.of(URI.create("https://lake.example/other/m.csv")),
                Redirects.target(status, ASKED, List.of("../other/m.csv")));
            assertEquals(Optional.of(URI.create("http://mirror.example:8080/m.csv")),
                Redirects.target(status, URI.create("http://lake.example/m.csv"),
                    List.of(" http://mirror.example:8080/m.csv ")));
        }
        assertEquals(Optional.empty(), Redirects.target(300, ASKED, List.of("/m.csv")));
        assertEquals(Optional.empty(), Redirects.target(302, ASKED, List.of("http://lake.example/m.csv")));
        assertEquals(Optional.empty(), Redirects.target(302, ASKED, List.of("https://lake.example:0/m.csv")));
    }

    /**
     * Whatever an upstream writes in Location (2,000 seeded ones: schemes, hosts, ports, escapes,
     * spaces, brackets, relative paths, pieces of each), a fetch either follows it to an http or
     * https URL with a host and a port it can connect to, or says why not; the two never disagree,
     * nothing else is thrown, and a secret in a query is not shown.
     */
    @Test
    void everyLocationIsEitherFollowedOrRefusedWithAReason() {
        String[] pieces = {"http:", "https:", "ftp:", "file:", "//", "/", "lake.example", "h", ":", "0", "80",
            "99999", "65535", "8080", "[::1]", "[::1", "%", "%zz", "%41", "?", "#", "?sig=s3cr3t", "&token=s3cr3t",
            " ", "..", ".", "m.csv", "_", "@", "user:pw@", "\\", "é", "\t", ""};
        java.util.Random random = new java.util.Random(20261201);
        for (int i = 0; i < 2000; i++) {
            StringBuilder written = new StringBuilder();
            for (int n = random.nextInt(7); n >= 0; n--) {
                written.append(pieces[random.nextInt(pieces.length)]);
            }
            String location = written.toString();
            int status = new int[] {301, 302, 303, 307, 308, 300}[random.nextInt(6)];
            URI from = random.nextBoolean() ? ASKED : URI.create("http://127.0.0.1:8000/a/b.csv");
            Optional<URI> target = Redirects.target(status, from, List.of(location));
            String said = Redirects.notFollowed(status, from, List.of(location), 5);
            assertEquals(target.isPresent(), said.contains("the client follows no more"), location + " -> " + said);
            target.ifPresent(to -> {
                assertTrue(to.getScheme().equalsIgnoreCase("http") || to.getScheme().equalsIgnoreCase("https"), to
                    .toString());
                assertTrue(to.getHost() != null && to.getPort() >= -1 && to.getPort() <= 65535 && to.getPort() != 0,
                    to.toString());
            });
            // A secret that appears once, as the value of the query's sig or token parameter, is
            // hidden (one in a fragment, never sent, or in a parameter of another name, such as
            // "m.csv/?sig", may show).
            int query = location.indexOf("?");
            int secret = location.indexOf("s3cr3t");
            boolean inQuery = query >= 0 && location.indexOf("#") < 0 && secret == location.lastIndexOf("s3cr3t")
                && (location.startsWith("sig=", query + 1) || location.startsWith("?sig=", query + 1)
                    || location.indexOf("&token=", query) >= 0);
            if (inQuery) {
                assertFalse(said.contains("s3cr3t"), location + " -> " + said);
            }
        }
    }
}

