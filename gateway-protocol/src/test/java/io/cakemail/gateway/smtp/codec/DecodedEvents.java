package io.cakemail.gateway.smtp.codec;

import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link SmtpRequestDecoder} the way a session would (DATA starts content, AUTH without an initial
 * response expects a SASL line) and records what it emits as comparable strings. Adjacent content chunks are
 * merged, so the same input split differently records the same events.
 */
final class DecodedEvents extends ChannelInboundHandlerAdapter {

    private final SmtpRequestDecoder decoder;
    private final List<String> events = new ArrayList<>();
    private final StringBuilder content = new StringBuilder();

    private DecodedEvents(SmtpRequestDecoder decoder) {
        this.decoder = decoder;
    }

    /**
     * Feeds {@code input} split at the given offsets and returns the events, once every buffer fed (and every slice
     * of it given out) is released.
     */
    static List<String> decode(SmtpRequestDecoder decoder, byte[] input, int... splits) {
        DecodedEvents recorder = new DecodedEvents(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        List<ByteBuf> fed = new ArrayList<>();
        int from = 0;
        for (int split : splits) {
            fed.add(Unpooled.copiedBuffer(input, from, split - from)); // the decoder may write into its input
            channel.writeInbound(fed.get(fed.size() - 1));
            from = split;
        }
        fed.add(Unpooled.copiedBuffer(input, from, input.length - from));
        channel.writeInbound(fed.get(fed.size() - 1));
        if (channel.finish()) {
            throw new AssertionError("unexpected outbound or unconsumed messages");
        }
        for (ByteBuf buf : fed) {
            if (buf.capacity() > 0 && buf.refCnt() != 0) {
                throw new AssertionError("a buffer the decoder was given, or a slice of it, was not released");
            }
        }
        return recorder.events();
    }

    static List<String> decode(byte[] input, int... splits) {
        return decode(new SmtpRequestDecoder(SmtpServerConfig.DEFAULT), input, splits);
    }

    static List<String> decodeByteByByte(SmtpRequestDecoder decoder, byte[] input) {
        int[] splits = new int[Math.max(0, input.length - 1)];
        for (int i = 0; i < splits.length; i++) {
            splits[i] = i + 1;
        }
        return decode(decoder, input, splits);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SmtpContent chunk) {
            try {
                ByteBuf buf = chunk.content();
                content.append(buf.toString(StandardCharsets.ISO_8859_1));
                if (chunk instanceof LastSmtpContent last) {
                    flushContent();
                    events.add(
                            last.decoderResult().isSuccess()
                                    ? "LAST"
                                    : "LAST failed: "
                                            + last.decoderResult().cause().getMessage());
                }
            } finally {
                chunk.release();
            }
            return;
        }
        flushContent();
        if (msg instanceof SaslResponse response) {
            events.add(
                    response.decoderResult().isSuccess()
                            ? "SASL " + response.line()
                            : "SASL failed: " + response.decoderResult().cause().getMessage());
        } else if (msg instanceof SmtpRequest request) {
            if (request.decoderResult().isFailure()) {
                events.add(request.command() + " failed: "
                        + request.decoderResult().cause().getMessage());
                return;
            }
            events.add(
                    request.argument().isEmpty()
                            ? request.command().name() // not toString(): it hides AUTH's
                            : request.command().name() + ' ' + request.argument());
            if (request.command() == SmtpCommand.DATA) {
                decoder.startData();
            } else if (request.command() == SmtpCommand.AUTH
                    && !request.argument().contains(" ")) {
                decoder.expectSaslResponse();
            }
        }
    }

    private void flushContent() {
        if (content.length() > 0) {
            events.add("CONTENT " + content);
            content.setLength(0);
        }
    }

    private List<String> events() {
        flushContent();
        return events;
    }
}
