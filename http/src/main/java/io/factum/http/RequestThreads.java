package io.factum.http;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * The threads requests run on: Jetty's own pool of platform threads for its selectors and non-blocking
 * work, and a virtual thread per request handler. A request that waits (a long poll waiting for events, an
 * append whose body is still arriving) then holds a virtual thread, which costs some memory and no platform
 * thread, so a few hundred of them no longer exhaust a pool of 250 and leave health checks and appends
 * queued behind them.
 *
 * <p>Jetty decides what runs where ({@link QueuedThreadPool#setVirtualThreadsExecutor}): only tasks that may
 * block go to virtual threads. Javalin's own switch ({@code config.concurrency.useVirtualThreads}) runs
 * everything, Jetty's selector loops too, on virtual threads and tells Jetty it is never low on threads.
 */
final class RequestThreads {

    /** Javalin's default pool size, for Jetty's non-blocking work. */
    static final int MAX_PLATFORM_THREADS = 250;

    static final int MIN_PLATFORM_THREADS = 8;

    /**
     * How long a platform thread may wait for work before it ends (Jetty's default: a minute, and one
     * thread a minute). They take bursts of new connections only, so that after hundreds of clients came at
     * once all but {@link #MIN_PLATFORM_THREADS} end within seconds.
     */
    static final int PLATFORM_IDLE_MILLIS = 10_000;

    private RequestThreads() {}

    static ThreadPool pool() {
        QueuedThreadPool pool = new QueuedThreadPool(MAX_PLATFORM_THREADS, MIN_PLATFORM_THREADS, PLATFORM_IDLE_MILLIS);
        pool.setName("factum-http");
        // with reserved threads, Jetty may hand its selector's work to one of them and run the request on the
        // selector's own platform thread (execute-produce-consume); without, a handler always gets a virtual one
        pool.setReservedThreads(0);
        pool.setMaxEvictCount(MAX_PLATFORM_THREADS);
        ThreadFactory virtual = Thread.ofVirtual().name("factum-http-", 0).factory();
        Executor perTask = task -> virtual.newThread(task).start();
        pool.setVirtualThreadsExecutor(perTask);
        return pool;
    }
}
