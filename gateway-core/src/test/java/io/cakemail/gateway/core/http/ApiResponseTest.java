package io.cakemail.gateway.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiResponseTest {

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(withRetryAfter("7").retryAfterNanos())
                .isEqualTo(Duration.ofSeconds(7).toNanos());
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(withRetryAfter(inTenSeconds).retryAfterNanos())
                .isBetween(
                        Duration.ofSeconds(8).toNanos(), Duration.ofSeconds(10).toNanos());
        assertThat(withRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").retryAfterNanos())
                .as("past")
                .isZero();
        assertThat(withRetryAfter("soon").retryAfterNanos()).isZero();
        assertThat(new ApiResponse(503, EmptyHttpHeaders.INSTANCE, new byte[0]).retryAfterNanos())
                .isZero();
    }

    private static ApiResponse withRetryAfter(String value) {
        return new ApiResponse(503, new DefaultHttpHeaders().set(HttpHeaderNames.RETRY_AFTER, value), new byte[0]);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"detail\":[{\"loc\":[\"body\",\"content\",\"subject\"],\"msg\":\"field required\"}]} | content.subject: field required",
                "{\"detail\":[{\"msg\":\"Sender not found\",\"type\":\"bad_request\"},{\"msg\":\"List not found\"}]} | Sender not found; List not found",
                "{\"detail\":\"Not authenticated\"}                                                     | Not authenticated",
                "<html><body>Bad Gateway\\r\\n</body></html>                                            | <html><body>Bad Gateway </body></html>",
                "''                                                                                    | HTTP 502",
            })
    void theReasonIsOneLineWhateverTheShapeOfDetail(String body, String reason) {
        String raw = body.strip().equals("''") ? "" : body.strip().replace("\\r\\n", "\r\n");
        ApiResponse response = new ApiResponse(502, EmptyHttpHeaders.INSTANCE, raw.getBytes(StandardCharsets.UTF_8));
        assertThat(response.reason()).isEqualTo(reason.strip());
    }
}
