package io.factum.spring.boot.starter;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** The ledger's balances, in SQL both SQLite and PostgreSQL accept. */
final class Balances implements SqlProjection {

    private final EventSerializer serializer;

    Balances(EventSerializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public String name() {
        return "balances";
    }

    @Override
    public EventFilter filter() {
        return EventFilter.categories("ledger");
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + context.table("balances")
                    + " (account varchar(200) PRIMARY KEY, cents bigint NOT NULL)");
        }
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        String account = event.streamId().substring("ledger-".length());
        for (Ledger.LedgerEvent change : serializer.deserializeEvents(event, Ledger.LedgerEvent.class)) {
            long cents =
                    switch (change) {
                        case Ledger.Credited credited -> credited.cents();
                        case Ledger.Debited debited -> -debited.cents();
                    };
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + context.table("balances")
                    + " (account, cents) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET cents = "
                    + context.table("balances") + ".cents + excluded.cents")) {
                statement.setString(1, account);
                statement.setLong(2, cents);
                statement.executeUpdate();
            }
        }
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + context.table("balances"));
        }
    }

    static ReadModelQuery<Optional<Long>> of(String account) {
        return (connection, context) -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT cents FROM " + context.table("balances") + " WHERE account = ?")) {
                statement.setString(1, account);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
                }
            }
        };
    }
}
