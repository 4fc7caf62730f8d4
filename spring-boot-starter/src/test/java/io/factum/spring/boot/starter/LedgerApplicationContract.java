package io.factum.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.ReadDirection;
import io.factum.core.StreamSlice;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;

/**
 * What a Spring Boot application with the starter does, on whichever store its subclass configures: the
 * commands reach the store through the bus built of its handler beans, the projection bean follows the log,
 * and the actuator shows Factum's health and meters.
 */
abstract class LedgerApplicationContract {

    @Autowired
    CommandBus bus;

    @Autowired
    FactumSubscriptions subscriptions;

    @Autowired
    EventStore store;

    @Autowired
    HealthEndpoint health;

    @Autowired
    MeterRegistry meters;

    private final String account = UUID.randomUUID().toString();

    @Test
    void a_command_through_the_bus_reaches_the_read_model() {
        bus.send(new Ledger.Credit(account, 300), CommandContext.create());
        var debited = (CommandResult.Accepted) bus.send(new Ledger.Debit(account, 120), CommandContext.create());

        assertThat(subscriptions
                        .projection("balances")
                        .query(debited.position(), Duration.ofSeconds(10), Balances.of(account)))
                .contains(180L);
    }

    @Test
    void a_command_the_domain_rejects_writes_nothing() {
        CommandResult result = bus.send(new Ledger.Debit(account, 1), CommandContext.create());

        assertThat(result).isInstanceOf(CommandResult.Rejected.class);
        assertThat(store.readStream("ledger-" + account, ReadDirection.FORWARD, StreamSlice.START, 10)
                        .events())
                .isEmpty();
    }

    @Test
    void the_health_endpoint_shows_factum_up() {
        assertThat(health.healthForPath("factum").getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("factum", "store").getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("factum", "subscriptions").getStatus()).isEqualTo(Status.UP);
        assertThat(health.healthForPath("factum", "parkedEvents").getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void the_application_s_meter_registry_has_the_projection_s_and_the_commands_meters() {
        bus.send(new Ledger.Credit(account, 5), CommandContext.create());

        assertThat(meters.get("factum.subscription.lag.events")
                        .tag("subscription", "balances@v1")
                        .gauge())
                .isNotNull();
        assertThat(meters.get("factum.commands")
                        .tag("command", "Credit")
                        .timer()
                        .count())
                .isPositive();
    }
}
