package io.factum.examples.orders.customers;

import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What happened to a customer. Personal data (name, email, address) lives in record components of its
 * own, which the application declares to its serializer ({@code EventTypes.Builder.personalData} in {@code
 * OrdersApp.eventSerializer}): a serializer made with {@code withPersonalData(keys)} stores each of them
 * encrypted with the customer's key (the data subject, the customer id, stays in the clear). Once the
 * customer is forgotten and the key deleted, name and email read {@value Address#ERASED_TEXT} and the
 * address reads {@link Address#ERASED}; the customer id and every other event stay readable. The records
 * carry no Factum annotation: the domain imports nothing of Factum.
 */
public sealed interface CustomerEvent {

    UUID customerId();

    record CustomerRegistered(UUID customerId, String name, String email, Address address) implements CustomerEvent {

        public CustomerRegistered {
            address = erasedIfGone(address);
        }
    }

    /** The customer lives somewhere else from now on; the old address was right until now. */
    record CustomerMovedHouse(UUID customerId, Address address) implements CustomerEvent {

        public CustomerMovedHouse {
            address = erasedIfGone(address);
        }
    }

    /** The address was entered wrongly; this is the one it always was. */
    record CustomerAddressCorrected(UUID customerId, Address address) implements CustomerEvent {

        public CustomerAddressCorrected {
            address = erasedIfGone(address);
        }
    }

    /** The customer's personal data must no longer be readable. */
    record CustomerForgotten(UUID customerId) implements CustomerEvent {}

    /**
     * The address, or {@link Address#ERASED} where it is gone: the serializer reads an erased record value
     * as {@code null}, and the rest of the code never has to check for it.
     */
    private static Address erasedIfGone(@Nullable Address address) {
        return Objects.requireNonNullElse(address, Address.ERASED);
    }
}
