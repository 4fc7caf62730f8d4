package io.factum.testkit.tck;

import io.factum.core.AppendResult;

/** An append whose transaction has written its events but not committed yet. */
public interface HeldAppend {

    /** Lets the transaction commit and returns the append's result. */
    AppendResult commit();
}
