package io.factum.http;

/** The subscriptions, SQL projections and consumer groups an application runs, for admin pages and health. */
public final class ReadSideRegistry {

    /** An empty registry. */
    public ReadSideRegistry() {}
}
