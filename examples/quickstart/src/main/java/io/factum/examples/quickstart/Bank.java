package io.factum.examples.quickstart;

import io.factum.core.aggregate.RuleViolation;
import java.util.List;

/** The README's quick start: a bank account as a decider — plain records and three plain functions. */
final class Bank {
    sealed interface Command {}

    record Open(String id, String owner) implements Command {}

    record Deposit(String id, long cents) implements Command {}

    record Withdraw(String id, long cents) implements Command {}

    sealed interface Event {}

    record Opened(String owner) implements Event {}

    record Deposited(long cents) implements Event {}

    record Withdrawn(long cents) implements Event {}

    record Account(boolean open, long balance) {}

    static Account initial() {
        return new Account(false, 0);
    }

    static List<Event> decide(Command command, Account account) {
        return switch (command) {
            case Open open -> account.open() ? List.of() : List.of(new Opened(open.owner()));
            case Deposit deposit -> List.of(new Deposited(deposit.cents()));
            case Withdraw withdraw
            when withdraw.cents() > account.balance() ->
                throw new RuleViolation(
                        "no-overdraft",
                        "cannot withdraw " + withdraw.cents() + ", the balance is " + account.balance());
            case Withdraw withdraw -> List.of(new Withdrawn(withdraw.cents()));
        };
    }

    static Account evolve(Account account, Event event) {
        return switch (event) {
            case Opened opened -> new Account(true, 0);
            case Deposited deposited -> new Account(true, account.balance() + deposited.cents());
            case Withdrawn withdrawn -> new Account(true, account.balance() - withdrawn.cents());
        };
    }

    private Bank() {}
}
