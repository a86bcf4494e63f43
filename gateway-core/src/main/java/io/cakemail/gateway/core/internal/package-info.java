/**
 * Types public only so that the gateway's own modules (and its benchmarks) can share them, as Netty's
 * {@code io.netty.util.internal}: not an API, and they change without notice.
 */
package io.cakemail.gateway.core.internal;
