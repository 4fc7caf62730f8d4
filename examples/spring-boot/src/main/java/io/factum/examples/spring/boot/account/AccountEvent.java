package io.factum.examples.spring.boot.account;

/** What happened to an account; stored by the simple names of the records. */
public sealed interface AccountEvent {

    record Opened(String owner) implements AccountEvent {}

    record Deposited(long cents) implements AccountEvent {}

    record Withdrawn(long cents) implements AccountEvent {}
}
