package io.factum.testkit.tck;

import io.factum.core.AppendResults;

/** A multi-stream or conditional append whose transaction has written its events but not committed yet. */
public interface HeldAtomicAppend {

    /** Lets the transaction commit and returns the append's results. */
    AppendResults commit();
}
