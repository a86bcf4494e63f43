package io.cakemail.gateway.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of SASL PLAIN and LOGIN on their own with Jazzer (the session target reaches them through
 * AUTH too): {@code benchmarks/fuzz.sh} fuzzes it, and {@code mvn verify} runs the inputs kept in
 * {@code SaslFuzzTestInputs} (decoded responses). PLAIN gives credentials only for exactly {@code [authzid] NUL authcid
 * NUL passwd}, with no NUL left in either and an authorization identity that is the user's own; LOGIN asks for the
 * password after the username and then gives both; nothing else comes out of either, whatever the client sends.
 */
class SaslFuzzTest {

    @FuzzTest(maxDuration = "")
    void plainGivesCredentialsOnlyForItsOwnShape(byte[] response) {
        SaslStep step = SaslExchange.start("plain").respond(response);

        long nuls = countNuls(response);
        if (step instanceof SaslStep.Credentials credentials) {
            assertThat(nuls).isEqualTo(2);
            assertThat(credentials.username()).doesNotContain("\0");
            assertThat(credentials.password()).doesNotContain("\0");
        } else {
            assertThat(step).isInstanceOf(SaslStep.Failed.class);
            if (nuls == 2) { // the right shape: only an authorization identity other than the user's fails it
                assertThat(response[0]).as("an authorization identity").isNotZero();
            }
        }
    }

    @FuzzTest(maxDuration = "")
    void loginAsksForThePasswordThenGivesBoth(byte[] responses) {
        int cut = responses.length == 0 ? 0 : Math.floorMod(Arrays.hashCode(responses), responses.length + 1);
        SaslExchange login = SaslExchange.start("LOGIN");

        SaslStep first = login.respond(Arrays.copyOfRange(responses, 0, cut));
        SaslStep second = login.respond(Arrays.copyOfRange(responses, cut, responses.length));

        assertThat(first).isInstanceOf(SaslStep.Challenge.class);
        assertThat(second).isInstanceOf(SaslStep.Credentials.class);
    }

    private static long countNuls(byte[] bytes) {
        long nuls = 0;
        for (byte b : bytes) {
            if (b == 0) {
                nuls++;
            }
        }
        return nuls;
    }
}
