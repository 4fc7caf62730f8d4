package io.factum.spring.boot.starter;

import java.util.List;

/** A small domain for the tests: accounts credited and debited, never below zero. No Factum type in it. */
final class Ledger {

    sealed interface LedgerCommand {}

    record Credit(String account, long cents) implements LedgerCommand {}

    record Debit(String account, long cents) implements LedgerCommand {}

    sealed interface LedgerEvent {}

    record Credited(long cents) implements LedgerEvent {}

    record Debited(long cents) implements LedgerEvent {}

    /** The domain's own rejection. */
    static final class Overdrawn extends RuntimeException {
        Overdrawn(long cents, long balance) {
            super("cannot debit " + cents + ", the balance is " + balance);
        }
    }

    static Long initial() {
        return 0L;
    }

    static List<LedgerEvent> decide(LedgerCommand command, Long balance) {
        return switch (command) {
            case Credit credit -> List.of(new Credited(credit.cents()));
            case Debit debit when debit.cents() > balance -> throw new Overdrawn(debit.cents(), balance);
            case Debit debit -> List.of(new Debited(debit.cents()));
        };
    }

    static Long evolve(Long balance, LedgerEvent event) {
        return switch (event) {
            case Credited credited -> balance + credited.cents();
            case Debited debited -> balance - debited.cents();
        };
    }

    private Ledger() {}
}
