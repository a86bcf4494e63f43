package io.cakemail.gateway.core.transform;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.cakemail.gateway.core.memory.MessageMemory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Inline images moved into the HTML body as {@code data:} URIs, without copying either. */
final class DataUris {

    private DataUris() {}

    /**
     * The HTML (the content of a JSON string) with each {@code cid:contentId} reference replaced by a {@code data:}
     * URI of the image: a composite of the HTML's own slices and views of the image's base64, nothing copied. Neither
     * argument is released. {@code null} when the HTML does not reference the image.
     */
    static ByteBuf splice(ByteBuf html, String contentId, String mediaType, ByteBuf base64, MessageMemory memory) {
        ByteBuf reference = Unpooled.wrappedBuffer(escaped("cid:" + contentId).getBytes(StandardCharsets.UTF_8));
        int at = indexOf(reference, html, html.readerIndex());
        if (at < 0) {
            return null;
        }
        ByteBuf prefix =
                Unpooled.wrappedBuffer(escaped("data:" + mediaType + ";base64,").getBytes(StandardCharsets.US_ASCII));
        List<ByteBuf> pieces = new ArrayList<>();
        try {
            int from = html.readerIndex();
            for (; at >= 0; at = indexOf(reference, html, from)) {
                pieces.add(html.retainedSlice(from, at - from));
                pieces.add(prefix.retainedDuplicate());
                pieces.add(base64.retainedDuplicate());
                from = at + reference.readableBytes();
            }
            pieces.add(html.retainedSlice(from, html.writerIndex() - from));
        } catch (Throwable e) {
            pieces.forEach(ReferenceCountUtil::safeRelease);
            throw e;
        } finally {
            prefix.release();
        }
        return memory.composite(pieces.toArray(new ByteBuf[0]));
    }

    /** Where {@code needle} is in {@code haystack} from {@code from} on, or -1. */
    private static int indexOf(ByteBuf needle, ByteBuf haystack, int from) {
        int at = ByteBufUtil.indexOf(needle, haystack.slice(from, haystack.writerIndex() - from));
        return at < 0 ? -1 : from + at;
    }

    private static String escaped(String value) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(value));
    }
}
