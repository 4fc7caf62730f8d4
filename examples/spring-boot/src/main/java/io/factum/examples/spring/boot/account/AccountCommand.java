package io.factum.examples.spring.boot.account;

/** What a teller asks of an account. */
public sealed interface AccountCommand {

    /** The account's id, the part of its stream id after {@code account-}. */
    String accountId();

    record Open(String accountId, String owner) implements AccountCommand {}

    record Deposit(String accountId, long cents) implements AccountCommand {}

    record Withdraw(String accountId, long cents) implements AccountCommand {}
}
