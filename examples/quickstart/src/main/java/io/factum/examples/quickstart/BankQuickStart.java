package io.factum.examples.quickstart;

import io.factum.core.EventStore;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;

/** Wires {@link Bank} to a store and a command bus, and sends it a few commands. */
final class BankQuickStart {

    private BankQuickStart() {}

    static void run(EventStore store) {
        var serializer = EventSerializer.of(
                EventTypes.builder().registerSealed(Bank.Event.class).build());
        var decider = Decider.of(Bank::initial, Bank::decide, Bank::evolve);
        var accounts = DeciderRepository.builder(store, serializer, "account", decider, Bank.Event.class)
                .build();
        var bus = CommandBus.builder()
                .handle(Bank.Open.class, CommandHandler.decide(accounts, Bank.Open::id))
                .handle(Bank.Deposit.class, CommandHandler.decide(accounts, Bank.Deposit::id))
                .handle(Bank.Withdraw.class, CommandHandler.decide(accounts, Bank.Withdraw::id))
                .expectHandlersFor(Bank.Command.class)
                .build();

        String id = Long.toString(System.currentTimeMillis(), 36);
        System.out.println(bus.send(new Bank.Open(id, "ada"), CommandContext.create()));
        System.out.println(bus.send(new Bank.Deposit(id, 10_00), CommandContext.create()));
        System.out.println(bus.send(new Bank.Withdraw(id, 25_00), CommandContext.create()));
        System.out.println(
                "balance of account " + id + ": " + accounts.load(id).state().balance() + " cents");
    }
}
