package io.factum.core.aggregate;

import java.util.List;

/** A bank account as a decider: plain functions of plain records, no Factum types but RuleViolation. */
final class BankAccount {

    sealed interface Command {}

    record Open(String owner) implements Command {}

    record Deposit(long amount) implements Command {}

    record Withdraw(long amount) implements Command {}

    sealed interface Event {}

    record Opened(String owner) implements Event {}

    record Deposited(long amount) implements Event {}

    record Withdrawn(long amount) implements Event {}

    record State(boolean open, long balance) {}

    static final Decider<Command, Event, State> DECIDER =
            Decider.of(BankAccount::initial, BankAccount::decide, BankAccount::evolve);

    private BankAccount() {}

    static State initial() {
        return new State(false, 0);
    }

    static List<Event> decide(Command command, State state) {
        return switch (command) {
            case Open open when state.open() -> List.of();
            case Open open -> List.of(new Opened(open.owner()));
            case Deposit deposit -> {
                requireOpen(state);
                yield List.of(new Deposited(deposit.amount()));
            }
            case Withdraw withdraw -> {
                requireOpen(state);
                if (withdraw.amount() > state.balance()) {
                    throw new RuleViolation(
                            "no-overdraft",
                            "cannot withdraw " + withdraw.amount() + " from a balance of " + state.balance());
                }
                yield List.of(new Withdrawn(withdraw.amount()));
            }
        };
    }

    static State evolve(State state, Event event) {
        return switch (event) {
            case Opened opened -> new State(true, 0);
            case Deposited deposited -> new State(true, state.balance() + deposited.amount());
            case Withdrawn withdrawn -> new State(true, state.balance() - withdrawn.amount());
        };
    }

    private static void requireOpen(State state) {
        if (!state.open()) {
            throw new RuleViolation("account-open", "the account is not open");
        }
    }

    /** The same account in the classic style. */
    static final class Classic extends AggregateRoot<Event> {
        private boolean open;
        private long balance;

        void open(String owner) {
            if (!open) {
                raise(new Opened(owner));
            }
        }

        void deposit(long amount) {
            if (!open) {
                throw new RuleViolation("account-open", "the account is not open");
            }
            raise(new Deposited(amount));
        }

        void withdraw(long amount) {
            if (amount > balance) {
                throw new RuleViolation("no-overdraft", "cannot withdraw " + amount + " from a balance of " + balance);
            }
            raise(new Withdrawn(amount));
        }

        long balance() {
            return balance;
        }

        @Override
        protected void apply(Event event) {
            switch (event) {
                case Opened opened -> open = true;
                case Deposited deposited -> balance += deposited.amount();
                case Withdrawn withdrawn -> balance -= withdrawn.amount();
            }
        }
    }
}
