package io.factum.examples.spring.boot.account;

/** The rule that an account never goes below zero refused a withdrawal. */
public final class InsufficientFunds extends RuntimeException {

    public InsufficientFunds(long cents, long balance) {
        super("cannot withdraw " + cents + " cents, the balance is " + balance);
    }
}
