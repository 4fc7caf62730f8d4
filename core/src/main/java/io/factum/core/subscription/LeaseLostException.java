package io.factum.core.subscription;

import io.factum.core.FactumException;

/**
 * A member of a consumer group tried to commit for a bucket whose lease it no longer holds (it expired and
 * another member took it, or it was released): the fence held and nothing was written.
 */
public final class LeaseLostException extends FactumException {

    private final Lease lease;

    public LeaseLostException(Lease lease, String found) {
        super("consumer group " + lease.group() + ", bucket " + lease.bucket() + ": member " + lease.member()
                + " holds no lease with epoch " + lease.epoch() + " any more (" + found + "); nothing was written");
        this.lease = lease;
    }

    /** The lease the writer thought it held. */
    public Lease lease() {
        return lease;
    }
}
