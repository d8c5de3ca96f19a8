package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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
            Redirects.notFollowed(302, ASKED, Optional.empty(), 0));
        assertEquals("upstream answered HTTP 307 after 1 redirect, a redirect without a Location to follow",
            Redirects.notFollowed(307, ASKED, Optional.of("  "), 1));
    }

    @Test
    void aKindThatIsNeverFollowedIsNamed() {
        assertEquals("upstream answered HTTP 300, a redirect of a kind that is not followed (Multiple Choices): "
            + "point the source's URL at the file itself", Redirects.notFollowed(300, ASKED, Optional.of("/a.csv"), 0));
        assertEquals("upstream answered HTTP 305, a redirect of a kind that is not followed (Use Proxy): "
            + "point the source's URL at the file itself", Redirects.notFollowed(305, ASKED, Optional.empty(), 0));
        assertEquals("upstream answered HTTP 399, a redirect of a kind that is not followed (not a redirect HTTP "
            + "defines): point the source's URL at the file itself",
            Redirects.notFollowed(399, ASKED, Optional.empty(), 0));
    }

    @Test
    void aLocationOfAnotherSchemeIsShownWithItsSecretsHidden() {
        assertEquals("upstream answered HTTP 302, a redirect to ftp://files.example/m.csv?X-Amz-Signature=***, "
            + "which is not followed: only http and https URLs are",
            Redirects.notFollowed(302, ASKED, Optional.of("ftp://files.example/m.csv?X-Amz-Signature=abc123"), 0));
        assertEquals("upstream answered HTTP 301, a redirect to file:///etc/passwd, which is not followed: only "
            + "http and https URLs are", Redirects.notFollowed(301, ASKED, Optional.of("file:///etc/passwd"), 0));
    }

    @Test
    void fromHttpsToHttpIsRefusedAsTheClientRefusesIt() {
        assertEquals("upstream answered HTTP 308, a redirect from https to http://lake.example/data/m.csv, which "
            + "is not followed: it would fetch the file unencrypted",
            Redirects.notFollowed(308, ASKED, Optional.of("http://lake.example/data/m.csv"), 0));
    }

    @Test
    void aRelativeLocationIsReadAgainstTheUrlThatAnsweredAndALoopIsCalledOne() {
        URI last = URI.create("http://127.0.0.1:8000/hop/5");
        assertEquals("upstream answered HTTP 302 after 4 redirects, the last to http://127.0.0.1:8000/hop/6: the "
            + "client follows no more, so they go round in a loop, or more than a source needs",
            Redirects.notFollowed(302, last, Optional.of("6"), 4));
    }

    @Test
    void aLocationThatIsNoUrlIsShownAsText() {
        assertEquals("upstream answered HTTP 302, a redirect to something that is not a URL (http://[::1)",
            Redirects.notFollowed(302, ASKED, Optional.of("http://[::1"), 0));
    }
}
