package io.factum.examples.spring.boot.account;

import java.util.List;

/**
 * A bank account as a decider: three plain functions over records, with no Factum type (the bus is told
 * that {@link InsufficientFunds} and {@link UnknownAccount} are rejections).
 *
 * @param open whether it was opened
 * @param balance the balance in cents, never below zero
 */
public record Account(boolean open, long balance) {

    public static Account initial() {
        return new Account(false, 0);
    }

    public static List<AccountEvent> decide(AccountCommand command, Account account) {
        return switch (command) {
            case AccountCommand.Open open ->
                account.open() ? List.of() : List.of(new AccountEvent.Opened(open.owner()));
            case AccountCommand.Deposit deposit when !account.open() -> throw new UnknownAccount(deposit.accountId());
            case AccountCommand.Deposit deposit -> List.of(new AccountEvent.Deposited(deposit.cents()));
            case AccountCommand.Withdraw withdraw
            when !account.open() -> throw new UnknownAccount(withdraw.accountId());
            case AccountCommand.Withdraw withdraw
            when withdraw.cents() > account.balance() ->
                throw new InsufficientFunds(withdraw.cents(), account.balance());
            case AccountCommand.Withdraw withdraw -> List.of(new AccountEvent.Withdrawn(withdraw.cents()));
        };
    }

    public static Account evolve(Account account, AccountEvent event) {
        return switch (event) {
            case AccountEvent.Opened opened -> new Account(true, 0);
            case AccountEvent.Deposited deposited -> new Account(true, account.balance() + deposited.cents());
            case AccountEvent.Withdrawn withdrawn -> new Account(true, account.balance() - withdrawn.cents());
        };
    }
}
