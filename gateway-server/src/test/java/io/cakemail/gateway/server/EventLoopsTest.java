package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.server.listen.EventLoops;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

    @Test
    void zeroThreadsMeansOneWorkerLoopPerCore() {
        try (EventLoops loops = new EventLoops(0)) {
            assertThat(workers(loops)).isEqualTo(NettyRuntime.availableProcessors());
        }
    }

    @Test
    void aCountGivenIsTaken() {
        try (EventLoops loops = new EventLoops(3)) {
            assertThat(workers(loops)).isEqualTo(3);
        }
    }

    private static int workers(EventLoops loops) {
        int count = 0;
        for (EventExecutor ignored : loops.workers()) {
            count++;
        }
        return count;
    }
}
