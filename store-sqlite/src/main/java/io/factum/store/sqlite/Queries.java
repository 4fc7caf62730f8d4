package io.factum.store.sqlite;

import io.factum.core.EventQuery;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of reads by {@link EventQuery} and of the checks of append conditions: the positions of the
 * matching events after a position, one {@code UNION} branch per item, each driven by an index, then the
 * events of those positions in order. An item with tags is driven by {@code factum_event_tags} (its first
 * tag, from the position on) and checks its other tags and types by key; an item of types only by the
 * index on {@code type}. So a condition's check reads only events after its position.
 */
final class Queries {

    /** SQL and its parameters in order. */
    record Statement(String sql, List<Object> parameters) {
        void bind(PreparedStatement statement) throws SQLException {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
        }
    }

    private Queries() {}

    /** Up to {@code limit} events matching {@code query} after {@code after}, forward. */
    static Statement events(EventQuery query, long after, int limit) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(Rows.EVENT_COLUMNS)
                .append(" FROM factum_events WHERE global_position IN (");
        for (int i = 0; i < query.items().size(); i++) {
            sql.append(i == 0 ? "" : " UNION ");
            item(sql, parameters, query.items().get(i), after);
        }
        sql.append(") ORDER BY global_position LIMIT ?");
        parameters.add(limit);
        return new Statement(sql.toString(), parameters);
    }

    private static void item(StringBuilder sql, List<Object> parameters, EventQuery.Item item, long after) {
        List<String> tags = List.copyOf(item.tags());
        List<String> types = List.copyOf(item.types());
        if (tags.isEmpty()) {
            sql.append("SELECT global_position FROM factum_events WHERE type IN (")
                    .append("?, ".repeat(types.size() - 1))
                    .append("?) AND global_position > ?");
            parameters.addAll(types);
            parameters.add(after);
            return;
        }
        sql.append("SELECT t.global_position FROM factum_event_tags t WHERE t.tag = ? AND t.global_position > ?");
        parameters.add(tags.get(0));
        parameters.add(after);
        for (String tag : tags.subList(1, tags.size())) {
            sql.append(" AND EXISTS (SELECT 1 FROM factum_event_tags o WHERE o.tag = ?")
                    .append(" AND o.global_position = t.global_position)");
            parameters.add(tag);
        }
        if (!types.isEmpty()) {
            sql.append(" AND EXISTS (SELECT 1 FROM factum_events e WHERE e.global_position = t.global_position")
                    .append(" AND e.type IN (")
                    .append("?, ".repeat(types.size() - 1))
                    .append("?))");
            parameters.addAll(types);
        }
    }
}
