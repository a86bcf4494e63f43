package io.cakemail.gateway.smtp.codec;

import static java.util.Objects.requireNonNull;

import io.cakemail.gateway.smtp.BareLineEndingPolicy;
import io.cakemail.gateway.smtp.SmtpServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server side of SMTP framing, an explicit state machine over the inbound bytes.
 *
 * <p>It emits, in order:
 * <ul>
 *   <li>an {@link SmtpRequest} per command line ({@link BdatRequest} for BDAT), or a {@link SaslResponse} when the
 *       session said a SASL response comes next;</li>
 *   <li>after {@link #startData()}: the dot-unstuffed message as {@link SmtpContent} chunks (slices of the inbound
 *       buffers, never copied or aggregated), ended by a {@link LastSmtpContent} when {@code CRLF.CRLF} arrives;</li>
 *   <li>after a {@code BDAT n} line: exactly {@code n} octets as {@link SmtpContent}, the end of a {@code LAST}
 *       chunk as {@link LastSmtpContent}.</li>
 * </ul>
 *
 * <p>Only {@code CRLF.CRLF} ends DATA. A bare CR or LF is never a line ending for dot handling (SMTP smuggling):
 * it is replaced with CRLF, or marks the message as refused, per {@link BareLineEndingPolicy}. Command lines must
 * end with CRLF and hold no NUL or bare CR; a line that does, or that is longer than the limit, arrives as a
 * request with a failed {@code DecoderResult}.
 *
 * <p>The session drives the mode changes the decoder cannot infer ({@link #startData()},
 * {@link #expectSaslResponse()}, {@link #discardBufferedInput()}) and can {@link #pause()} decoding while it
 * waits for an asynchronous answer. Socket reads stop only when octets arrive while paused, not at every pause: a
 * client that waits for its reply, as most do, costs no change to the channel's read interest. Every call must
 * happen on the channel's event loop. This handler is stateful and must not be shared.
 */
public final class SmtpRequestDecoder extends ByteToMessageDecoder {

    private enum State {
        COMMAND,
        DISCARD_LINE,
        DATA,
        BDAT_CHUNK
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    private static final int MAX_BDAT_SIZE_DIGITS = 18;
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {CR, LF}).asReadOnly());

    private final int maxLineLength;
    private final BareLineEndingPolicy bareLineEndingPolicy;

    private ChannelHandlerContext ctx;
    private State state = State.COMMAND;
    private boolean paused;
    /** Reads were turned off because octets arrived while paused; {@link #resume()} turns them back on. */
    private boolean readsStopped;

    private boolean saslResponseExpected;
    private boolean atLineStart;
    private boolean bareLineEndingSeen;
    private long bdatRemaining;
    private boolean bdatLast;

    public SmtpRequestDecoder(SmtpServerConfig config) {
        this(config.maxCommandLineLength(), config.bareLineEndingPolicy());
    }

    public SmtpRequestDecoder(int maxLineLength, BareLineEndingPolicy bareLineEndingPolicy) {
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("maxLineLength: " + maxLineLength + " (expected: >= 3)");
        }
        this.maxLineLength = maxLineLength;
        this.bareLineEndingPolicy = requireNonNull(bareLineEndingPolicy, "bareLineEndingPolicy");
    }

    /** The octets after the {@code DATA} line are message content, up to {@code CRLF.CRLF}. */
    public void startData() {
        state = State.DATA;
        atLineStart = true;
        bareLineEndingSeen = false;
    }

    /** The next line answers a {@code 334} challenge and arrives as a {@link SaslResponse}. */
    public void expectSaslResponse() {
        saslResponseExpected = true;
    }

    /**
     * Drops every octet received so far and not yet decoded: what a client pipelined after STARTTLS in plaintext.
     */
    public void discardBufferedInput() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
    }

    /**
     * Stops decoding until {@link #resume()}; octets already received stay buffered, and the first octets to arrive
     * while paused stop socket reads, so what is buffered stays within one read.
     */
    public void pause() {
        paused = true;
    }

    /**
     * Decodes again, starting with what was buffered while paused. Call it from a task of its own on the event
     * loop, not from inside the processing of a decoded message.
     */
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (readsStopped) {
            readsStopped = false;
            ctx.channel().config().setAutoRead(true);
        }
        if (ctx != null && internalBuffer().isReadable()) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** While reads are stopped, no read is asked for (the base class asks when a read decoded nothing). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (readsStopped) {
            ctx.fireChannelReadComplete();
        } else {
            super.channelReadComplete(ctx);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused) {
            if (!readsStopped) {
                readsStopped = true;
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        switch (state) {
            case COMMAND -> decodeLine(in, out);
            case DISCARD_LINE -> discardLine(in, out);
            case DATA -> decodeData(in, out);
            case BDAT_CHUNK -> decodeChunk(in, out);
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void decodeLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        int lf = in.indexOf(start, start + Math.min(readable, maxLineLength), LF);
        if (lf < 0) {
            if (readable >= maxLineLength) {
                state = State.DISCARD_LINE;
                discardLine(in, out);
            }
            return;
        }
        in.readerIndex(lf + 1);
        boolean bareLf = lf == start || in.getByte(lf - 1) != CR;
        int end = bareLf ? lf : lf - 1;
        if (saslResponseExpected) {
            saslResponseExpected = false;
            out.add(
                    bareLf
                            ? SaslResponse.failed(new SmtpCodecException("Line must end with CRLF"))
                            : new SaslResponse(in.toString(start, end - start, StandardCharsets.US_ASCII)));
            return;
        }
        int space = in.indexOf(start, end, (byte) ' ');
        SmtpCommand command = SmtpCommand.lookup(in, start, (space < 0 ? end : space) - start);
        String problem = bareLf
                ? "Line must end with CRLF"
                : in.indexOf(start, end, CR) >= 0
                        ? "Bare CR in command line"
                        : in.indexOf(start, end, (byte) 0) >= 0 ? "NUL character in command line" : null;
        if (problem != null) {
            out.add(DefaultSmtpRequest.failed(command, new SmtpCodecException(problem)));
            return;
        }
        String argument = space < 0 ? "" : in.toString(space + 1, end - space - 1, StandardCharsets.UTF_8);
        if (command == SmtpCommand.BDAT) {
            decodeBdat(argument, out);
        } else {
            out.add(new DefaultSmtpRequest(command, argument));
        }
    }

    private void discardLine(ByteBuf in, List<Object> out) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
        if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.readerIndex(lf + 1);
        state = State.COMMAND;
        TooLongSmtpLineException cause = new TooLongSmtpLineException(maxLineLength);
        if (saslResponseExpected) {
            saslResponseExpected = false;
            out.add(SaslResponse.failed(cause));
        } else {
            out.add(DefaultSmtpRequest.failed(SmtpCommand.UNKNOWN, cause));
        }
    }

    private void decodeBdat(String argument, List<Object> out) {
        int space = argument.indexOf(' ');
        String size = space < 0 ? argument : argument.substring(0, space);
        String rest = space < 0 ? "" : argument.substring(space + 1);
        boolean last = rest.equalsIgnoreCase("LAST");
        if (size.isEmpty()
                || size.length() > MAX_BDAT_SIZE_DIGITS
                || !size.chars().allMatch(Character::isDigit)
                || !(rest.isEmpty() || last)) {
            BdatRequest request = new BdatRequest(-1, false, argument);
            request.setDecoderResult(DecoderResult.failure(new SmtpCodecException("Syntax: BDAT size [LAST]")));
            out.add(request);
            return;
        }
        long chunkSize = Long.parseLong(size);
        out.add(new BdatRequest(chunkSize, last, argument));
        if (chunkSize > 0) {
            bdatRemaining = chunkSize;
            bdatLast = last;
            state = State.BDAT_CHUNK;
        } else if (last) {
            out.add(LastSmtpContent.EMPTY);
        }
    }

    private void decodeChunk(ByteBuf in, List<Object> out) {
        int length = (int) Math.min(bdatRemaining, in.readableBytes());
        if (length == 0) {
            return;
        }
        ByteBuf chunk = in.readRetainedSlice(length);
        bdatRemaining -= length;
        if (bdatRemaining > 0) {
            out.add(new DefaultSmtpContent(chunk));
        } else {
            state = State.COMMAND;
            out.add(bdatLast ? new DefaultLastSmtpContent(chunk) : new DefaultSmtpContent(chunk));
        }
    }

    /**
     * Finds each LF (and any CR not right before it) with {@link ByteBuf#indexOf}, which scans eight octets at a
     * time; everything between the places that need attention is passed on as one slice. Stops, leaving the octets
     * buffered, where the next octets decide (a CR at the end, a dot at a line start).
     */
    private void decodeData(ByteBuf in, List<Object> out) {
        int runStart = in.readerIndex();
        int limit = in.writerIndex();
        int i = runStart;
        while (true) {
            if (atLineStart) {
                if (i >= limit) {
                    break;
                }
                if (in.getByte(i) == DOT) {
                    if (i + 2 >= limit) {
                        boolean undecided = i + 1 >= limit || in.getByte(i + 1) == CR;
                        if (undecided) {
                            break;
                        }
                    } else if (in.getByte(i + 1) == CR && in.getByte(i + 2) == LF) {
                        emit(in, runStart, i, out);
                        in.readerIndex(i + 3);
                        endData(out);
                        return;
                    }
                    emit(in, runStart, i, out);
                    runStart = i + 1;
                }
                atLineStart = false;
            }
            int lf = in.indexOf(i, limit, LF);
            int end = lf < 0 ? limit : lf;
            int bare = end - 1 > i ? in.indexOf(i, end - 1, CR) : -1;
            if (bare < 0) {
                if (lf < 0) {
                    i = i < limit && in.getByte(limit - 1) == CR ? limit - 1 : limit; // a final CR waits for its LF
                    break;
                }
                if (lf > i && in.getByte(lf - 1) == CR) {
                    i = lf + 1;
                    atLineStart = true;
                    continue;
                }
                bare = lf;
            }
            i = bare + 1;
            bareLineEndingSeen = true;
            if (bareLineEndingPolicy == BareLineEndingPolicy.NORMALIZE) {
                emit(in, runStart, bare, out);
                out.add(new DefaultSmtpContent(CRLF.duplicate()));
                runStart = i;
            }
        }
        emit(in, runStart, i, out);
        in.readerIndex(i);
    }

    private static void emit(ByteBuf in, int from, int to, List<Object> out) {
        if (to > from) {
            out.add(new DefaultSmtpContent(in.retainedSlice(from, to - from)));
        }
    }

    private void endData(List<Object> out) {
        state = State.COMMAND;
        if (bareLineEndingSeen && bareLineEndingPolicy == BareLineEndingPolicy.REJECT) {
            DefaultLastSmtpContent last = new DefaultLastSmtpContent(Unpooled.EMPTY_BUFFER);
            last.setDecoderResult(DecoderResult.failure(
                    new SmtpCodecException("Message contains a bare CR or LF; lines must end with CRLF")));
            out.add(last);
        } else {
            out.add(LastSmtpContent.EMPTY);
        }
    }
}
