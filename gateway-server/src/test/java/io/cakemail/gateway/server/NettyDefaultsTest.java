package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.NettyDefaults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {

    private final String before = System.getProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL);
        } else {
            System.setProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL, before);
        }
    }

    @Test
    void leakSamplingIsSparserThanNettysUnlessTheCommandLineSaysOtherwise() {
        System.clearProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL);
        NettyDefaults.apply();
        assertThat(System.getProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL)).isEqualTo("1024");

        System.setProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL, "1");
        NettyDefaults.apply();
        assertThat(System.getProperty(NettyDefaults.LEAK_SAMPLING_INTERVAL)).isEqualTo("1");
    }
}
