package io.cakemail.gateway.server;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of CIDR blocks, such as {@code 10.0.0.0/8,fd00::/8}, matched with Netty's {@link IpSubnetFilterRule}. Two
 * lists are equal when they were written the same.
 */
final class Subnets {

    static final Subnets NONE = new Subnets(List.of(), List.of());

    private final List<String> blocks;
    private final List<IpSubnetFilterRule> rules;

    private Subnets(List<String> blocks, List<IpSubnetFilterRule> rules) {
        this.blocks = blocks;
        this.rules = rules;
    }

    /** Reads {@code a.b.c.d/n} and IPv6 blocks separated by commas; fails with what is wrong. */
    static Subnets parse(String text) {
        List<String> blocks = new ArrayList<>();
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String block : text.split(",")) {
            String cidr = block.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            int slash = cidr.indexOf('/');
            try {
                if (slash < 0) {
                    throw new IllegalArgumentException("no prefix length");
                }
                rules.add(new IpSubnetFilterRule(
                        cidr.substring(0, slash),
                        Integer.parseInt(cidr.substring(slash + 1)),
                        IpFilterRuleType.ACCEPT));
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new IllegalArgumentException(
                        "'" + cidr + "' is not a CIDR block (expected: address/prefix, e.g. 10.0.0.0/8)", e);
            }
            blocks.add(cidr);
        }
        return new Subnets(List.copyOf(blocks), List.copyOf(rules));
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether {@code address} is an IP address in one of the blocks. */
    boolean contains(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(inet)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Subnets subnets && subnets.blocks.equals(blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", blocks);
    }
}
