package io.factum.examples.orders.web;

import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerListing;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.OrderSummary;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** What the templates show: plain values, amounts and times already as text. */
final class WebViews {

    private WebViews() {}

    /**
     * What went wrong with the task a person just tried, to show next to its form, with what they had
     * entered so that they need not type it again. {@link #NONE} when nothing went wrong.
     */
    record Feedback(String task, List<String> errors, Map<String, String> entered) {

        static final Feedback NONE = new Feedback("", List.of(), Map.of());

        Feedback {
            errors = List.copyOf(errors);
            entered = Map.copyOf(entered);
        }

        /** The messages for the form of {@code name}; empty for every other form. */
        List<String> errorsOf(String name) {
            return task.equals(name) ? errors : List.of();
        }

        /** What was entered in field {@code field} of form {@code name}, else {@code fallback}. */
        String value(String name, String field, String fallback) {
            return task.equals(name) ? entered.getOrDefault(field, fallback) : fallback;
        }
    }

    /** {@code text} as a value of a query parameter. */
    static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** An order's status in words, for its badge. */
    static String label(OrderStatus status) {
        return switch (status) {
            case PENDING -> "Pending";
            case CONFIRMED -> "Confirmed";
            case PAID -> "Paid";
            case SHIPPED -> "Shipped";
            case CANCELLED -> "Cancelled";
        };
    }

    /** The CSS class of an order's status badge. */
    static String badge(OrderStatus status) {
        return "badge badge-" + status.name().toLowerCase(Locale.ROOT);
    }

    /** The short number people read and say: the first eight hex digits of the order's id. */
    static String number(UUID orderId) {
        return "#" + orderId.toString().substring(0, 8).toUpperCase(Locale.ROOT);
    }

    /**
     * One page of the order list: the orders of {@code status} (all if empty) whose number, customer or
     * products match {@code search}, {@code total} of them, page {@code page} of {@code pages}.
     */
    record OrdersPage(
            Optional<OrderStatus> status,
            String search,
            Map<OrderStatus, Long> counts,
            List<OrderRow> orders,
            int total,
            int page,
            int pages) {

        boolean showing(OrderStatus candidate) {
            return status.map(s -> s == candidate).orElse(false);
        }

        long all() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The list's address with the status and search kept, at {@code number}. */
        String link(Optional<OrderStatus> showing, int number) {
            StringBuilder query = new StringBuilder();
            showing.ifPresent(s -> query.append("&status=").append(s.name()));
            if (!search.isEmpty()) {
                query.append("&q=").append(URLEncoder.encode(search, StandardCharsets.UTF_8));
            }
            if (number > 1) {
                query.append("&page=").append(number);
            }
            return query.isEmpty() ? "/" : "/?" + query.substring(1);
        }

        String pageLink(int number) {
            return link(status, number);
        }

        String statusLink(Optional<OrderStatus> showing) {
            return link(showing, 1);
        }

        String withoutSearch() {
            return status.map(s -> "/?status=" + s.name()).orElse("/");
        }
    }

    record OrderRow(OrderSummary order, String customerName, String total, String lastUpdated) {
        String shortId() {
            return order.orderId().toString().substring(0, 8);
        }

        String number() {
            return WebViews.number(order.orderId());
        }

        /** True if the order's number or id, its customer's name or one of its products contains {@code needle}. */
        boolean matches(String needle) {
            String plain = needle.startsWith("#") ? needle.substring(1) : needle;
            return order.orderId().toString().contains(plain)
                    || customerName.toLowerCase(Locale.ROOT).contains(needle)
                    || order.lines().stream()
                            .anyMatch(line ->
                                    line.productId().toLowerCase(Locale.ROOT).contains(needle));
        }
    }

    record CustomersPage(List<CustomerListing> customers) {}

    record NewCustomerPage(Feedback feedback) {}

    record CustomerPage(CustomerView customer, Optional<String> notice, Feedback feedback) {}

    record ForgetPage(CustomerView customer) {}

    record RemoveItemPage(OrderSummary order, String customerName, LineView line) {
        String number() {
            return WebViews.number(order.orderId());
        }
    }

    record OrderPage(
            OrderSummary order,
            String customerName,
            String total,
            List<LineView> lines,
            List<TimelineEntry> timeline,
            long streamVersion,
            Optional<AsOf> asOf,
            Optional<String> notice,
            Feedback feedback) {

        boolean pending() {
            return order.status() == OrderStatus.PENDING;
        }

        boolean cancellable() {
            return order.status() == OrderStatus.PENDING || order.status() == OrderStatus.CONFIRMED;
        }

        boolean selected(long version) {
            return asOf.map(a -> a.version() == version).orElse(false);
        }

        String number() {
            return WebViews.number(order.orderId());
        }
    }

    record LineView(String productId, int quantity, String unitPrice, String amount) {}

    /** The order as it was at one version, folded from its event stream. */
    record AsOf(long version, String status, List<LineView> lines, String total, String recordedAt) {}

    /**
     * One event of an order's stream: what happened, when, and who or what caused it.
     *
     * @param cause "a person" for a command sent from outside, or the process that sent the command
     * @param streamId the order's stream, for the link to the event in the admin pages
     * @param fromProcess whether a process (fulfilment, the payment gateway) caused it
     */
    record TimelineEntry(
            long version,
            String type,
            String recordedAt,
            String effectiveAt,
            String description,
            String cause,
            String streamId,
            boolean fromProcess,
            String correlationId,
            String causationId,
            String userId) {}

    record NotFoundPage(String message) {}

    record StalePage(String message) {}
}
