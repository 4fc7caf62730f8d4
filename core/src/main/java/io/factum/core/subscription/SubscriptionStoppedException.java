package io.factum.core.subscription;

import io.factum.core.FactumException;

/** A subscription cannot go on (for example, a newer version of its projection took over). */
public final class SubscriptionStoppedException extends FactumException {

    public SubscriptionStoppedException(String message) {
        super(message);
    }
}
