package io.factum.examples.spring.boot.account;

/** A deposit or a withdrawal on an account that was never opened. */
public final class UnknownAccount extends RuntimeException {

    public UnknownAccount(String accountId) {
        super("account " + accountId + " is not open; open it first");
    }
}
