package io.cakemail.gateway.smtp.codec;

import io.netty.buffer.ByteBufHolder;

/**
 * A chunk of message content, already dot-unstuffed. The receiver of a chunk owns it and must release it.
 */
public interface SmtpContent extends ByteBufHolder {}
