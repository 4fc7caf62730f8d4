package io.factum.examples.orders.web;

import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerListing;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.OrderSummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    record OrdersPage(Optional<OrderStatus> status, Map<OrderStatus, Long> counts, List<OrderRow> orders) {
        boolean showing(OrderStatus candidate) {
            return status.map(s -> s == candidate).orElse(false);
        }
    }

    record OrderRow(OrderSummary order, String customerName, String total, String lastUpdated) {
        String shortId() {
            return order.orderId().toString().substring(0, 8);
        }
    }

    record CustomersPage(List<CustomerListing> customers) {}

    record NewCustomerPage(Feedback feedback) {}

    record CustomerPage(CustomerView customer, Optional<String> notice, Feedback feedback) {}

    record ForgetPage(CustomerView customer) {}

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
    }

    record LineView(String productId, int quantity, String unitPrice, String amount) {}

    /** The order as it was at one version, folded from its event stream. */
    record AsOf(long version, String status, List<LineView> lines, String total, String recordedAt) {}

    /**
     * One event of an order's stream: what happened, when, and who or what caused it.
     *
     * @param cause "a person" for a command sent from outside, or the process that sent the command
     * @param fromProcess whether a process (fulfilment, the payment gateway) caused it
     */
    record TimelineEntry(
            long version,
            String type,
            String recordedAt,
            String effectiveAt,
            String description,
            String cause,
            boolean fromProcess,
            String correlationId,
            String causationId,
            String userId) {}

    record NotFoundPage(String message) {}

    record StalePage(String message) {}
}
