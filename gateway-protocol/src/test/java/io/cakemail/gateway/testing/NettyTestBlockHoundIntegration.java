package io.cakemail.gateway.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What BlockHound tolerates on event loops in tests: handing a log event to the asynchronous appender, which may
 * take its queue's lock for an instant, and creating a logger, which takes Log4j's registry lock for an instant,
 * once per logger (Netty's and Reactor Netty's classes create theirs when first used, often on an event loop), and
 * Netty's adaptive allocator freeing a magazine it has outgrown, which waits for an allocation another event loop
 * may be making from it (Netty's own BlockHound rules do not cover it; Armeria's tests allow it too), and the test
 * doubles handing their answers to a plain executor, whose queue lock another thread may hold for an instant (the real
 * authenticator and receiver never block). Everything else that blocks fails the test that did it.
 */
public final class NettyTestBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("org.apache.logging.log4j.core.appender.AsyncAppender", "append");
        builder.allowBlockingCallsInside(
                "org.apache.logging.log4j.core.util.internal.InternalLoggerRegistry", "computeIfAbsent");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.allowBlockingCallsInside("io.cakemail.gateway.testing.TestAuthenticator", "authenticate");
        builder.allowBlockingCallsInside("io.cakemail.gateway.testing.RecordingReceiver$1", "end");
    }
}
