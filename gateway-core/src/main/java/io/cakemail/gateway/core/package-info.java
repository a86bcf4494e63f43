/**
 * Cakemail-side core of the gateway: the streaming MIME to JSON transformer and the Cakemail API client.
 * It knows nothing of SMTP connections (see {@code gateway-protocol}) and is wired in by {@code gateway-server}.
 */
package io.cakemail.gateway.core;
