package dev.statedoses.support;

import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;

/** How tests read the API's numbers: as BigDecimal, so 1.7629 is compared as written, not as a double. */
public final class ExactNumbers {

    public static final RestAssuredConfig DECIMALS = RestAssuredConfig.config()
        .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));

    private ExactNumbers() {
    }
}
