package io.factum.examples.spring.boot;

import io.factum.core.EventStore;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.Rejections;
import io.factum.core.serialization.EventSerializer;
import io.factum.examples.spring.boot.account.Account;
import io.factum.examples.spring.boot.account.AccountCommand;
import io.factum.examples.spring.boot.account.AccountEvent;
import io.factum.examples.spring.boot.account.InsufficientFunds;
import io.factum.examples.spring.boot.account.UnknownAccount;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Everything the bank tells Factum, as beans: the starter opens the store ({@code factum.store.*}), builds
 * the serializer from {@code factum.event-types}, the command bus from the handler beans and the rejections,
 * and runs the projection.
 */
@Configuration(proxyBeanMethods = false)
class BankConfiguration {

    @Bean
    DeciderRepository<AccountCommand, AccountEvent, Account> accounts(EventStore store, EventSerializer serializer) {
        return DeciderRepository.builder(
                        store,
                        serializer,
                        "account",
                        Decider.of(Account::initial, Account::decide, Account::evolve),
                        AccountEvent.class)
                .build();
    }

    @Bean
    CommandHandler<AccountCommand.Open> open(DeciderRepository<AccountCommand, AccountEvent, Account> accounts) {
        return CommandHandler.decide(accounts, AccountCommand::accountId);
    }

    @Bean
    CommandHandler<AccountCommand.Deposit> deposit(DeciderRepository<AccountCommand, AccountEvent, Account> accounts) {
        // a deposit is the same whichever balance it meets: safe to decide again after a conflict
        return CommandHandler.decide(accounts, AccountCommand::accountId, ConflictRetry.DEFAULT);
    }

    @Bean
    CommandHandler<AccountCommand.Withdraw> withdraw(
            DeciderRepository<AccountCommand, AccountEvent, Account> accounts) {
        return CommandHandler.decide(accounts, AccountCommand::accountId, ConflictRetry.DEFAULT);
    }

    @Bean
    Rejections accountRules() {
        return Rejections.none().with(InsufficientFunds.class).with(UnknownAccount.class);
    }

    @Bean
    AccountBalances accountBalances(EventSerializer serializer) {
        return new AccountBalances(serializer);
    }
}
