package io.factum.store.postgres;

import io.factum.core.EventQuery;
import io.factum.core.Position;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of reads by {@link EventQuery} and of the checks of append conditions. An item is {@code
 * type = ANY(?)}, {@code tags @> ?} (the GIN index on {@code tags}) or both; a query ORs its items. A read
 * is gap-free like {@code readAll} (only transactions below the xmin horizon); a check is not: it must see
 * every committed event after the condition's position, also one whose transaction is newer than a
 * transaction still open.
 */
final class Queries {

    private static final String XMIN = "(SELECT pg_snapshot_xmin(pg_current_snapshot()))";

    /** SQL and its parameters in order (a {@code String[]} parameter is a text array). */
    record Statement(String sql, List<Object> parameters) {
        void bind(Connection connection, PreparedStatement statement) throws SQLException {
            for (int i = 0; i < parameters.size(); i++) {
                Object parameter = parameters.get(i);
                if (parameter instanceof String[] array) {
                    statement.setArray(i + 1, connection.createArrayOf("text", array));
                } else {
                    statement.setObject(i + 1, parameter);
                }
            }
        }
    }

    private final Tables tables;

    Queries(Tables tables) {
        this.tables = tables;
    }

    /** Up to {@code limit} events visible to every reader that match {@code query} after {@code after}. */
    Statement read(EventQuery query, Position after, int limit) {
        return statement("SELECT " + PgEventStore.EVENT_COLUMNS, query, after, " AND tx_id < " + XMIN, limit);
    }

    /**
     * The first committed event after {@code after} that matches {@code query}, if any: its transaction,
     * position, stream and type.
     */
    Statement check(EventQuery query, Position after) {
        return statement("SELECT tx_id::text::bigint, global_position, stream_id, type", query, after, "", 1);
    }

    private Statement statement(String select, EventQuery query, Position after, String visible, int limit) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder(PlanGuards.READ)
                .append("; ")
                .append(select)
                .append(" FROM ")
                .append(tables.events())
                .append(" WHERE (tx_id, global_position) > (?::text::xid8, ?)")
                .append(visible)
                .append(" AND (");
        parameters.add(Long.toString(after.txId()));
        parameters.add(after.position());
        for (int i = 0; i < query.items().size(); i++) {
            EventQuery.Item item = query.items().get(i);
            sql.append(i == 0 ? "(" : " OR (");
            if (!item.types().isEmpty()) {
                sql.append("type = ANY(?)");
                parameters.add(item.types().toArray(String[]::new));
            }
            if (!item.tags().isEmpty()) {
                sql.append(item.types().isEmpty() ? "" : " AND ").append("tags @> ?");
                parameters.add(item.tags().toArray(String[]::new));
            }
            sql.append(')');
        }
        sql.append(") ORDER BY tx_id, global_position LIMIT ?");
        parameters.add(limit);
        return new Statement(sql.toString(), parameters);
    }
}
