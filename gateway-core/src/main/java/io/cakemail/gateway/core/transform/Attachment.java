package io.cakemail.gateway.core.transform;

import io.netty.buffer.ByteBuf;

/**
 * An attachment ready for the API: a filename matching the API's pattern, its {@code AttachmentType}, and the
 * content as base64 without line breaks, in a buffer the owning {@link ParsedMessage} releases.
 */
public record Attachment(String filename, String type, ByteBuf base64) {}
