package io.cakemail.gateway.server.config;

import io.cakemail.gateway.common.Setting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of CIDR blocks, such as {@code 10.0.0.0/8,fd00::/8}. Read with the configuration, before logging starts,
 * so it touches neither Netty nor DNS: an address must be an IP literal. Two lists are equal when they were written
 * the same.
 */
public final class Subnets {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<String> written;
    private final List<Block> blocks;

    /** One block: the network's octets, masked, and its prefix length. */
    private record Block(byte[] network, int prefix) {
        /** Compared in place, octet by octet: it is asked for every message of a client. */
        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int mask = (0xff << (8 - prefix % 8)) & 0xff;
            return prefix % 8 == 0 || (address[whole] & mask) == (network[whole] & 0xff);
        }
    }

    private Subnets(List<String> written, List<Block> blocks) {
        this.written = written;
        this.blocks = blocks;
    }

    /** A setting of CIDR blocks separated by commas; {@code defaultValue} written the same way (empty for none). */
    static Setting<Subnets> setting(String name, String defaultValue, String description) {
        return Setting.parsed(
                name,
                defaultValue,
                Subnets::parse,
                "CIDR blocks separated by commas, e.g. 10.0.0.0/8,fd00::/8",
                description);
    }

    /** Reads {@code a.b.c.d/n} and IPv6 blocks separated by commas; fails with what is wrong. */
    public static Subnets parse(String text) {
        List<String> written = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        for (String part : text.split(",")) {
            String cidr = part.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            blocks.add(block(cidr));
            written.add(cidr);
        }
        return new Subnets(List.copyOf(written), List.copyOf(blocks));
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? "" : cidr.substring(0, slash);
        if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
            throw notABlock(cidr, null);
        }
        try {
            byte[] octets = InetAddress.getByName(address).getAddress(); // a literal: no lookup
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix > octets.length * 8) {
                throw notABlock(cidr, null);
            }
            return new Block(masked(octets, prefix), prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw notABlock(cidr, e);
        }
    }

    private static IllegalArgumentException notABlock(String cidr, Exception cause) {
        return new IllegalArgumentException(
                "'" + cidr + "' is not a CIDR block (expected: address/prefix, e.g. 10.0.0.0/8)", cause);
    }

    /** {@code octets} with every bit past the first {@code prefix} cleared. */
    public static byte[] masked(byte[] octets, int prefix) {
        byte[] masked = octets.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(1 << (7 - bit % 8));
        }
        return masked;
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether {@code address} is an IP address in one of the blocks. */
    public boolean contains(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false;
        }
        byte[] octets = inet.getAddress().getAddress();
        for (Block block : blocks) {
            if (block.contains(octets)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Subnets subnets && subnets.written.equals(written);
    }

    @Override
    public int hashCode() {
        return written.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", written);
    }
}
