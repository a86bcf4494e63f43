package io.cakemail.gateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiResponseTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
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
