package io.factum.core.spi;

/**
 * What a stored event says, for {@link Idempotency#requireSameContent}: its type and its data as the store
 * gives it back (a JSON document, possibly formatted otherwise than it was given).
 */
public record StoredContent(String type, String data) {}
