package io.factum.examples.spring.boot;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import io.factum.examples.spring.boot.account.AccountEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The read model the teller's {@code GET /accounts/{id}} reads: one row per account with its owner and
 * balance, kept exactly once in the store's database (SQL that SQLite and PostgreSQL both accept). A bean,
 * so the starter runs it with the application.
 */
final class AccountBalances implements SqlProjection {

    /** An account as the read model has it. */
    record AccountView(String id, String owner, long balanceCents) {}

    private final EventSerializer serializer;

    AccountBalances(EventSerializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public String name() {
        return "account_balances";
    }

    @Override
    public EventFilter filter() {
        return EventFilter.categories("account");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("accounts")
                    + " (id varchar(200) PRIMARY KEY, owner varchar(400) NOT NULL, cents bigint NOT NULL)");
        }
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent recorded) throws SQLException {
        String id = recorded.streamId().substring("account-".length());
        String accounts = context.table("accounts");
        for (AccountEvent event : serializer.deserializeEvents(recorded, AccountEvent.class)) {
            switch (event) {
                case AccountEvent.Opened opened ->
                    update(
                            connection,
                            "INSERT INTO " + accounts
                                    + " (id, owner, cents) VALUES (?, ?, 0) ON CONFLICT (id) DO NOTHING",
                            id,
                            opened.owner());
                case AccountEvent.Deposited deposited ->
                    update(
                            connection,
                            "UPDATE " + accounts + " SET cents = cents + ? WHERE id = ?",
                            deposited.cents(),
                            id);
                case AccountEvent.Withdrawn withdrawn ->
                    update(
                            connection,
                            "UPDATE " + accounts + " SET cents = cents - ? WHERE id = ?",
                            withdrawn.cents(),
                            id);
            }
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + context.table("accounts"));
        }
    }

    /** The account {@code id}, if it was opened. */
    static ReadModelQuery<Optional<AccountView>> byId(String id) {
        return (connection, context) -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT owner, cents FROM " + context.table("accounts") + " WHERE id = ?")) {
                statement.setString(1, id);
                try (ResultSet row = statement.executeQuery()) {
                    return row.next()
                            ? Optional.of(new AccountView(id, row.getString(1), row.getLong(2)))
                            : Optional.empty();
                }
            }
        };
    }

    private static void update(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }
}
