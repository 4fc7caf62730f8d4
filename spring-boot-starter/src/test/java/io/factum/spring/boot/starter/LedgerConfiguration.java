package io.factum.spring.boot.starter;

import io.factum.core.EventStore;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.Rejections;
import io.factum.core.serialization.EventSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The ledger as an application declares it: a repository, one handler as a typed {@code @Bean} lambda and one
 * as a class, the domain's rejection, and a projection bean. Its event types come from {@code
 * factum.event-types} ({@link #EVENT_TYPES}).
 */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    static final String EVENT_TYPES = "factum.event-types=io.factum.spring.boot.starter.Ledger$LedgerEvent";

    @Bean
    DeciderRepository<Ledger.LedgerCommand, Ledger.LedgerEvent, Long> ledgers(
            EventStore store, EventSerializer serializer) {
        return DeciderRepository.builder(
                        store,
                        serializer,
                        "ledger",
                        Decider.of(Ledger::initial, Ledger::decide, Ledger::evolve),
                        Ledger.LedgerEvent.class)
                .build();
    }

    @Bean
    CommandHandler<Ledger.Credit> creditHandler(
            DeciderRepository<Ledger.LedgerCommand, Ledger.LedgerEvent, Long> ledgers) {
        return CommandHandler.decide(ledgers, Ledger.Credit::account);
    }

    @Bean
    DebitHandler debitHandler(DeciderRepository<Ledger.LedgerCommand, Ledger.LedgerEvent, Long> ledgers) {
        return new DebitHandler(ledgers);
    }

    @Bean
    Rejections ledgerRejections() {
        return Rejections.none().with(Ledger.Overdrawn.class);
    }

    @Bean
    Balances balances(EventSerializer serializer) {
        return new Balances(serializer);
    }

    /** A handler class: its command type is told from its implements clause. */
    static final class DebitHandler implements CommandHandler<Ledger.Debit> {
        private final CommandHandler<Ledger.Debit> decide;

        DebitHandler(DeciderRepository<Ledger.LedgerCommand, Ledger.LedgerEvent, Long> ledgers) {
            this.decide = CommandHandler.decide(ledgers, Ledger.Debit::account);
        }

        @Override
        public Object handle(Ledger.Debit command, CommandContext context) {
            return decide.handle(command, context);
        }
    }
}
