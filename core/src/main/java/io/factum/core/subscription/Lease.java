package io.factum.core.subscription;

import java.time.Instant;

/**
 * A member's hold on one bucket of a consumer group, and the fence of its commits: every time the bucket
 * changes hands its epoch grows, and a commit carrying an older epoch is refused.
 *
 * @param group the consumer group
 * @param bucket the bucket, 0 to the group's bucket count - 1
 * @param member the member holding it
 * @param epoch how many times the bucket has been taken; grows with each new holder
 * @param expiresAt when the lease ends unless it is renewed
 */
public record Lease(String group, int bucket, String member, long epoch, Instant expiresAt) {}
