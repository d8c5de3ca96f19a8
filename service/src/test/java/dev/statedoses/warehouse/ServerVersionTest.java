package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which servers a start refuses (Warehouse.tooOld): those before PostgreSQL 13, whose lack of
 * normalize() failed every refresh of a county file with a name beyond ASCII (tried on 12.22; 13.18,
 * 14.15, 15, 16 and 17.5 loaded the same product). The start on the tests' server (16) takes the other
 * branch in every test that connects.
 */
class ServerVersionTest {

    @ParameterizedTest
    @CsvSource({
        "120022, 12.22",
        "129999, 12.99",
        "90624, 9.6.24",
        "110000, 11.0 (Debian 11.0-1)"})
    void serversBefore13AreRefusedNamingTheirVersion(int versionNum, String version) {
        assertEquals(Optional.of("it runs PostgreSQL " + version + ", and state-doses needs PostgreSQL 13 or "
            + "newer (a source check uses Unicode normalization, which 13 added)"),
            Warehouse.tooOld(versionNum, version));
    }

    @ParameterizedTest
    @CsvSource({"130000, 13.0", "131800, 13.18", "141500, 14.15", "160015, 16.15", "170000, 17.0", "180000, 18devel"})
    void thirteenAndLaterAreTaken(int versionNum, String version) {
        assertEquals(Optional.empty(), Warehouse.tooOld(versionNum, version));
    }
}
