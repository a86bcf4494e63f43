package io.cakemail.gateway.core.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cakemail.gateway.core.json.SubmissionBody;
import io.cakemail.gateway.core.json.SubmissionJson;
import io.cakemail.gateway.core.memory.FailingAllocator;
import io.cakemail.gateway.core.memory.MemoryBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every allocation along the transform and the submission paths fails in turn, for every message of the golden
 * corpus and for large ones whose parts span many chunks: each run ends in the message's usual outcome or in
 * no room ({@link Refusal.Kind#NO_ROOM}), with every buffer released (the paranoid leak detector checks after the class) and every charge
 * back in the memory budget.
 */
class AllocationFailureTest {

    private static final TransformConfig DATA_URI = new TransformConfig(
            TransformConfig.DEFAULT.limits(),
            TransformConfig.UnsupportedAttachments.OMIT,
            TransformConfig.InlineImages.DATA_URI,
            TransformConfig.MissingContent.PLACEHOLDER);

    static Stream<Path> messages() throws IOException {
        return GoldenMessagesTest.messages();
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyAllocationMayFailWithoutLeavingAnythingBehind(Path file) throws IOException {
        everyAllocationMayFail(file.getFileName().toString(), Files.readAllBytes(file));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain; charset=utf-8",
                "text/plain; charset=koi8-r",
                "text/plain; charset=utf-16le",
                "text/html; charset=utf-8"
            })
    void largeBodiesToo(String contentType) {
        String line = contentType.contains("html") ? "<p>caf\u00e9 \"quoted\" \\ text</p>\r\n" : "caf\u00e9 line\r\n";
        String charset = contentType.substring(contentType.indexOf('=') + 1);
        byte[] body = line.repeat(6_000).getBytes(java.nio.charset.Charset.forName(charset));
        byte[] head = ("From: a@example.com\r\nSubject: large\r\nContent-Type: " + contentType
                        + "\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        everyAllocationMayFail(contentType, concat(head, body, "\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void largeAttachmentsAndInlineImagesToo() {
        String image = Base64.getMimeEncoder().encodeToString(new byte[100_000]);
        String message = "From: a@example.com\r\nSubject: large\r\nContent-Type: multipart/related; boundary=b\r\n"
                + "\r\n--b\r\nContent-Type: text/html\r\n\r\n"
                + "<img src=\"cid:one\"><img src=\"cid:one\"><img src=\"cid:two\">\r\n"
                + "--b\r\nContent-Type: image/png\r\nContent-ID: <one>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + image + "\r\n"
                + "--b\r\nContent-Type: image/png\r\nContent-ID: <two>\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + image + "\r\n"
                + "--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n"
                + "\r\n" + image + "\r\n--b--\r\n";
        everyAllocationMayFail("related", message.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void everyAllocationMayFail(String name, byte[] message) {
        String file = name;
        for (TransformConfig config : new TransformConfig[] {TransformConfig.DEFAULT, DATA_URI}) {
            for (int failing = 1; ; failing++) {
                MemoryBudget budget = new MemoryBudget(1L << 30);
                FailingAllocator allocator = new FailingAllocator(PooledByteBufAllocator.DEFAULT, failing);
                String outcome = run(message, config, budget, allocator);
                assertThat(budget.used())
                        .as("%s, allocation %d failing: charged after the message", file, failing)
                        .isZero();
                if (!allocator.failed()) {
                    assertThat(outcome).isNotEqualTo(Refusal.Kind.NO_ROOM.name());
                    break;
                }
                if (failing > 10_000) {
                    fail("more than 10,000 allocations for " + file);
                }
            }
        }
    }

    /** Transforms, writes the JSON and makes two recipients' bodies; what happened, in a few words. */
    private static String run(byte[] message, TransformConfig config, MemoryBudget budget, FailingAllocator allocator) {
        TransformResult result;
        try (MessageTransformer transformer = new MessageTransformer(config, budget.newMessage(allocator, "test"))) {
            for (int offset = 0; offset < message.length; offset += 4096) {
                int size = Math.min(4096, message.length - offset);
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.buffer(size).writeBytes(message, offset, size);
                try {
                    transformer.feed(chunk);
                } finally {
                    chunk.release();
                }
            }
            result = transformer.finish();
        }
        if (result instanceof TransformResult.Refused refused) {
            return refused.refusal().kind().name();
        }
        ParsedMessage parsed = ((TransformResult.Transformed) result).message();
        SubmissionBody body;
        try {
            body = SubmissionJson.write(parsed, "sender-1", "transactional", null);
        } catch (OutOfMemoryError e) {
            return "json: " + e.getMessage();
        } finally {
            parsed.release();
        }
        try {
            body.reserveFanOut(2);
            for (String recipient : new String[] {"one@example.com", "two@example.com"}) {
                body.forRecipient(recipient).release();
            }
            return "sent";
        } catch (OutOfMemoryError e) {
            return "fan-out: " + e.getMessage();
        } finally {
            body.release();
        }
    }
}
