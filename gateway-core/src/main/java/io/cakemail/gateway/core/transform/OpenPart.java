package io.cakemail.gateway.core.transform;

/** A part the parser has opened and not ended: a multipart, or a leaf whose content has somewhere to go. */
interface OpenPart {}
