package io.cakemail.gateway.smtp.session;

import io.cakemail.gateway.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * The replies a session has written since its last flush, gathered in one buffer so the replies to a pipelined group
 * leave together (RFC 2920), as one write and one TLS record. Past {@value #WRITE_AT} octets they are written at
 * once, so the channel's writability sees a client that does not read within a burst. Used on the event loop only.
 */
final class ReplyBuffer {

    /** Room for the replies to a pipelined MAIL, RCPT and DATA group; more grows the buffer. */
    private static final int CAPACITY = 256;

    private static final int WRITE_AT = 4096;

    private final ChannelHandlerContext ctx;
    private ByteBuf pending;

    ReplyBuffer(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void add(SmtpReply reply) {
        if (pending == null) {
            pending = ctx.alloc().directBuffer(CAPACITY);
        }
        pending.writeBytes(reply.encoded());
        if (pending.readableBytes() >= WRITE_AT) {
            write();
        }
    }

    /** Hands what is gathered to the channel, without flushing it. */
    void write() {
        if (pending != null) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
        }
    }

    void flush() {
        write();
        ctx.flush();
    }

    /** Drops what was not written, when the connection is gone. */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
