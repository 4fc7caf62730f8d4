package io.factum.store.postgres;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An append waiting for a writer, and the future its caller waits on; completed only after COMMIT. */
record AppendRequest(
        String streamId, ExpectedVersion expected, List<EventData> events, CompletableFuture<AppendResult> result) {

    AppendRequest(String streamId, ExpectedVersion expected, List<EventData> events) {
        this(streamId, expected, events, new CompletableFuture<>());
    }
}
