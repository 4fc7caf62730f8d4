package io.factum.examples.orders.fulfilment;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.serialization.Envelope;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.BatchHandler;
import io.factum.core.subscription.EventHandler;
import io.factum.examples.orders.payments.PaymentCommand;
import io.factum.examples.orders.payments.PaymentCommand.ApprovePayment;
import io.factum.examples.orders.payments.PaymentCommand.DeclinePayment;
import io.factum.examples.orders.payments.PaymentEvent;
import io.factum.examples.orders.payments.PaymentEvent.PaymentRequested;
import io.factum.examples.orders.payments.PaymentProvider;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The adapter to the payment provider: for each {@link PaymentRequested} it charges the provider and
 * records the answer as a command to the payment. It runs as an at-least-once subscription handler; the
 * answer's command id is derived from the request's event id, and the command id decides the ids of the
 * events it appends, so the answer to a redelivered request is recorded once. The only I/O of the payment flow lives here, outside every decider
 * and process reaction.
 */
public final class PaymentGateway implements EventHandler {

    private final EventSerializer serializer;
    private final PaymentProvider provider;
    private final CommandBus bus;

    public PaymentGateway(EventSerializer serializer, PaymentProvider provider, CommandBus bus) {
        this.serializer = serializer;
        this.provider = provider;
        this.bus = bus;
    }

    /** The events it reads. */
    public static EventFilter filter() {
        return EventFilter.categories("payment").andEventTypes("PaymentRequested");
    }

    /** How many payments {@link #concurrently()} charges at once. */
    public static final int PARALLELISM = 16;

    /**
     * This gateway for a {@link io.factum.core.subscription.Subscription#batchHandler}: the payments of a
     * batch (one stream per order) charged and answered side by side, at most {@link #PARALLELISM} at once,
     * so that the provider's answers and the commands they send overlap instead of queueing.
     */
    public BatchHandler concurrently() {
        return BatchHandler.concurrentBy(RecordedEvent::streamId, PARALLELISM, this);
    }

    @Override
    public void handle(RecordedEvent recorded) {
        for (Envelope<PaymentEvent> envelope : serializer.deserialize(recorded, PaymentEvent.class)) {
            if (!(envelope.event() instanceof PaymentRequested requested)) {
                continue;
            }
            Optional<PaymentCommand> answer =
                    switch (provider.charge(requested.orderId(), requested.amount())) {
                        case APPROVE -> Optional.of(new ApprovePayment(requested.orderId()));
                        case DECLINE ->
                            Optional.of(new DeclinePayment(requested.orderId(), "declined by the payment provider"));
                        case NEVER_ANSWER -> Optional.empty();
                    };
            if (answer.isEmpty()) {
                continue;
            }
            UUID commandId =
                    UUID.nameUUIDFromBytes(("payment-answer:" + recorded.eventId()).getBytes(StandardCharsets.UTF_8));
            CommandResult result =
                    bus.send(answer.get(), CommandContext.causedBy(envelope.metadata(), recorded.eventId(), commandId));
            if (!(result instanceof CommandResult.Accepted) && !(result instanceof CommandResult.Rejected)) {
                throw new IllegalStateException(
                        "the payment answer for order " + requested.orderId() + " was not handled: " + result);
            }
        }
    }
}
