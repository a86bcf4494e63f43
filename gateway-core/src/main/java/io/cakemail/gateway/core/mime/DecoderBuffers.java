package io.cakemail.gateway.core.mime;

/**
 * Scratch arrays the transfer decoders of one parse share: only one part is decoded at a time, so one set serves
 * every part of a message.
 */
final class DecoderBuffers {

    static final int BLOCK = 1024;

    /** Encoded octets copied out of the input buffer. */
    final byte[] input = new byte[BLOCK];
    /** Decoded octets before they go to the output buffer; room for a block plus what a decoder held back. */
    final byte[] output = new byte[BLOCK + 256 + 8];
}
