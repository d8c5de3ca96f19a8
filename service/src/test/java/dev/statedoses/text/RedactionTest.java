package dev.statedoses.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one function that hides a source URL's secrets wherever the URL leaves the process: a
 * user-info's password and the values of secret query parameters, in any case, in many shapes;
 * the rest of the URL kept as given.
 */
class RedactionTest {

    @Test
    void aPreSignedS3UrlKeepsEverythingButItsCredentialSignatureAndToken() {
        assertEquals("https://bucket.s3.us-east-2.amazonaws.com/cdc/m.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=***&X-Amz-Date=20211130T000000Z&X-Amz-Expires=3600"
                + "&X-Amz-Security-Token=***&X-Amz-SignedHeaders=host&X-Amz-Signature=***",
            Redaction.url("https://bucket.s3.us-east-2.amazonaws.com/cdc/m.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAEXAMPLE%2F20211130%2Fus-east-2%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20211130T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE"
                + "&X-Amz-SignedHeaders=host&X-Amz-Signature=8f1b6e0c0d2e"));
    }

    /**
     * The same file signed again is the same source: S3's and Google Cloud Storage's signing
     * parameters (any case, escaped or not) do not count, everything else does.
     */
    @Test
    void aUrlSignedAgainIsTheSameSourceAndOneNamingAnotherFileIsNot() {
        String shown = Redaction.url("https://b.s3.amazonaws.com/m.csv?versionId=3&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIA%2F20211129%2Fus-east-2%2Fs3%2Faws4_request&X-Amz-Date=20211129T080000Z"
            + "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc");
        assertTrue(Redaction.sameSource(shown, URI.create("https://b.s3.amazonaws.com/m.csv?versionId=3"
            + "&x-amz-algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20211130%2Fus-east-2%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20211130T080000Z&X-Amz-Expires=3600&X-Amz-Security-Token=tok&X-Amz-SignedHeaders=host"
            + "&X%2DAmz%2DSignature=def")));
        assertTrue(Redaction.sameSource(shown, URI.create("https://b.s3.amazonaws.com/m.csv?versionId=3")));
        assertFalse(Redaction.sameSource(shown, URI.create("https://b.s3.amazonaws.com/m.csv?versionId=4"
            + "&X-Amz-Date=20211129T080000Z&X-Amz-Signature=abc")));
        assertFalse(Redaction.sameSource(shown, URI.create("https://b.s3.amazonaws.com/p.csv?versionId=3")));
        assertFalse(Redaction.sameSource(shown, URI.create("https://b.s3.amazonaws.com/m.csv?versionId=3&x-id=GetObject")));
        assertTrue(Redaction.sameSource("https://storage.googleapis.com/b/m.csv?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                + "&X-Goog-Credential=***&X-Goog-Date=20211129T080000Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host"
                + "&X-Goog-Signature=***",
            URI.create("https://storage.googleapis.com/b/m.csv?X-Goog-Algorithm=GOOG4-RSA-SHA256"
                + "&X-Goog-Credential=r%40p.iam.gserviceaccount.com%2F20211130%2Fauto%2Fstorage%2Fgoog4_request"
                + "&X-Goog-Date=20211130T080000Z&X-Goog-Expires=600&X-Goog-SignedHeaders=host&X-Goog-Signature=0f")));
        // Only a secret's value changes: the same source, as before (an Azure SAS's sig, a token).
        assertTrue(Redaction.sameSource("https://a.blob.core.windows.net/c/m.csv?sv=2020-08-04&se=2021-12-01&sig=***",
            URI.create("https://a.blob.core.windows.net/c/m.csv?sv=2020-08-04&se=2021-12-01&sig=new")));
        // A SAS issued again with another expiry is another source: se may mean anything elsewhere.
        assertFalse(Redaction.sameSource("https://a.blob.core.windows.net/c/m.csv?sv=2020-08-04&se=2021-12-01&sig=***",
            URI.create("https://a.blob.core.windows.net/c/m.csv?sv=2020-08-04&se=2021-12-31&sig=new")));
        // Separators and the other parameters' order count, as the upstream may read them.
        assertFalse(Redaction.sameSource("http://h/m.csv?a=1;b=2", URI.create("http://h/m.csv?a=1&b=2")));
        assertFalse(Redaction.sameSource("http://h/m.csv?a=1&b=2", URI.create("http://h/m.csv?b=2&a=1")));
        assertTrue(Redaction.sameSource("http://h/m.csv?a=1;X-Amz-Date=1;b=2",
            URI.create("http://h/m.csv?a=1;X-Amz-Date=2;b=2")));
        assertFalse(Redaction.sameSource(null, URI.create("http://h/m.csv")));
    }

    @Test
    void userInfoLosesItsPasswordOrWhollyWhenItIsOneWord() {
        assertEquals("https://analyst:***@example.org/m.csv",
            Redaction.url("https://analyst:S3cr3t pw@example.org/m.csv"));
        assertEquals("https://***@example.org:8443/m.csv", Redaction.url("https://ghp_tokenABC@example.org:8443/m.csv"));
        assertEquals("https://a:***@example.org/m.csv", Redaction.url(URI.create("https://a:b%40c@example.org/m.csv")));
        assertEquals("https://a:***@example.org/m.csv", Redaction.url("https://a:b@c@example.org/m.csv"));
    }

    /** An Azure Functions URL carries its function key as {@code code}; a name holding "code" is no key. */
    @Test
    void anAzureFunctionsKeyIsHidden() {
        assertEquals("https://doses.azurewebsites.net/api/moderna?code=***&clientId=default",
            Redaction.url("https://doses.azurewebsites.net/api/moderna?code=aB3_xYz-9Qw%3D%3D&clientId=default"));
        assertEquals("https://h/api/m?CODE=***", Redaction.url("https://h/api/m?CODE=k3y"));
        assertEquals("https://h/m.csv?state_code=NY&zipcode=10001&codec=gzip",
            Redaction.url("https://h/m.csv?state_code=NY&zipcode=10001&codec=gzip"));
    }

    @Test
    void urlsWithoutSecretsAreUnchanged() {
        for (String url : List.of("https://covid19-lake.s3.us-east-2.amazonaws.com/static-datasets/csv/"
                + "CountyPopulation/County_Population.csv", "file:/data/m.csv", "file:data/m.csv",
                "file:///data/m.csv", "http://[::1]:8080/m.csv?v=2&format=csv", "http://h/p?a&b=&=c&&",
                "http://h/p#frag", "", "not a url", "http://h/p?keyless", "http://h/p?sort=key")) {
            assertEquals(url, Redaction.url(url), url);
        }
        assertEquals(null, Redaction.url((String) null));
    }

    @Test
    void fragmentsAndSemicolonsAndEncodedNamesAreLookedAtToo() {
        assertEquals("http://h/p?v=1;token=***#access_token=***&state=x",
            Redaction.url("http://h/p?v=1;token=abc#access_token=def&state=x"));
        assertEquals("http://h/p?X%2DAmz%2DSignature=***", Redaction.url("http://h/p?X%2DAmz%2DSignature=abc"));
        assertEquals("http://h/p#a?token=***", Redaction.url("http://h/p#a?token=abc"));
        assertEquals("http://h/p?bad%zzname=1&key=***", Redaction.url("http://h/p?bad%zzname=1&key=abc"));
        // A query written with a second ?, as a Location that is no URL may be: "?sig" is sig.
        assertEquals("user:pw@??sig=***", Redaction.url("user:pw@??sig=abc"));
        assertEquals("/m.csv??code=***&x=1", Redaction.url("/m.csv??code=abc&x=1"));
    }

    @Test
    void urlsInFreeTextAreRedactedInPlace() {
        assertEquals("pfizer source (https://h/p.csv?sig=***&sv=1): upstream answered HTTP 404; "
                + "see https://a:***@h/x, and file:/data/m.csv",
            Redaction.inText("pfizer source (https://h/p.csv?sig=abc&sv=1): upstream answered HTTP 404; "
                + "see https://a:b@h/x, and file:/data/m.csv"));
        assertEquals("no url here", Redaction.inText("no url here"));
    }

    /**
     * Generated: every secret name the brief lists, in three cases, in many positions among
     * harmless parameters, with and without user-info, over http, https and unusual hosts and
     * ports. The secret never survives; every other part of the URL does, in place.
     */
    @Test
    void generatedUrlsNeverShowTheirSecretsAndAlwaysTheRest() {
        List<String> names = List.of("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "signature",
            "sig", "token", "access_token", "key", "api_key", "apikey", "password", "secret", "client_secret",
            "X-Goog-Signature", "refresh_token", "subscription-key", "passwd", "pwd", "auth", "code");
        List<String> hosts = List.of("example.org", "127.0.0.1:8080", "[::1]:9000", "s3.us-east-2.amazonaws.com",
            "xn--bcher-kva.example");
        Random random = new Random(20261130);
        int cases = 0;
        for (String name : names) {
            for (String spelled : List.of(name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT))) {
                for (int round = 0; round < 8; round++) {
                    String secret = "SeCrEt" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
                    String host = hosts.get(random.nextInt(hosts.size()));
                    List<String> before = harmless(random);
                    List<String> after = harmless(random);
                    List<String> pairs = new ArrayList<>(before);
                    pairs.add(spelled + "=" + secret);
                    pairs.addAll(after);
                    String password = random.nextBoolean() ? "pw" + secret : null;
                    String prefix = (random.nextBoolean() ? "https" : "http") + "://"
                        + (password == null ? "" : "analyst:" + password + "@") + host + "/data/m%20v2.csv";
                    String url = prefix + "?" + String.join("&", pairs);
                    String shown = Redaction.url(url);
                    assertFalse(shown.contains(secret), url + " -> " + shown);
                    List<String> expected = new ArrayList<>(before);
                    expected.add(spelled + "=***");
                    expected.addAll(after);
                    String expectedPrefix = password == null ? prefix : prefix.replace(password, "***");
                    assertEquals(expectedPrefix + "?" + String.join("&", expected), shown, url);
                    assertTrue(shown.contains(host + "/data/m%20v2.csv"), shown);
                    cases++;
                }
            }
        }
        assertEquals(20 * 3 * 8, cases);
    }

    /**
     * User-info wherever a URL parser finds an authority: after {@code scheme://}, at the start
     * of a scheme-relative reference ({@code //u:pw@host/…}, as a redirect's Location may be),
     * and with either slash a backslash, as browsers and WHATWG parsers read them. Such a Location
     * put its password in the problem, the log and the run log. Generated: each way of writing
     * the slashes, with a password or a lone user (a token), hosts with a space (a Location that
     * is no URL), alone and quoted in free text.
     */
    @Test
    void userInfoIsHiddenWhereverAParserFindsAnAuthority() {
        List<String> schemes = List.of("https:", "http:", "");
        List<String> slashes = List.of("//", "\\\\", "/\\", "\\/");
        List<String> hosts = List.of("127.0.0.1:18351", "exa mple", "example.org", "[::1]:9000");
        Random random = new Random(20261207);
        int cases = 0;
        for (String scheme : schemes) {
            for (String slash : slashes) {
                for (String host : hosts) {
                    String secret = "SeCrEt" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
                    boolean lone = random.nextBoolean();
                    String userInfo = lone ? secret : "u:" + secret;
                    String url = scheme + slash + userInfo + "@" + host + "/m.csv";
                    String shown = Redaction.url(url);
                    assertEquals(scheme + slash + (lone ? "***" : "u:***") + "@" + host + "/m.csv", shown, url);
                    String text = "a redirect with 2 different Locations (" + url + ", " + url + "): refused";
                    String inText = Redaction.inText(text);
                    assertFalse(inText.contains(secret.substring(0, 12)), text + " -> " + inText);
                    assertTrue(inText.startsWith("a redirect with 2 different Locations (" + scheme + slash), inText);
                    cases++;
                }
            }
        }
        assertEquals(3 * 4 * 4, cases);
    }

    /** Parameters that are not secrets (none holds a secret word), 0 to 3 of them. */
    private static List<String> harmless(Random random) {
        List<String> all = List.of("v=2", "format=csv", "X-Amz-Date=20211130T000000Z", "X-Amz-Expires=3600",
            "X-Amz-SignedHeaders=host", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "sv=2020-08-04", "page=1", "flag",
            "zipcode=10001", "state_code=NY", "clientId=default");
        List<String> chosen = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            chosen.add(all.get(random.nextInt(all.size())));
        }
        return chosen;
    }
}
