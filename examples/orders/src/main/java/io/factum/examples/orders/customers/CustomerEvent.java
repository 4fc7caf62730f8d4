package io.factum.examples.orders.customers;

import io.factum.core.gdpr.DataSubject;
import io.factum.core.gdpr.PersonalData;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What happened to a customer. Personal data (name, email, address) lives in record components of its
 * own, marked {@link PersonalData}: a serializer made with {@code withPersonalData(keys)} stores each of
 * them encrypted with the customer's key (the {@link DataSubject}, the customer id, stays in the clear).
 * Once the customer is forgotten and the key deleted, name and email read {@code "[erased]"} and the
 * address reads {@link Address#ERASED}; the customer id and every other event stay readable.
 */
public sealed interface CustomerEvent {

    UUID customerId();

    record CustomerRegistered(
            @DataSubject UUID customerId,
            @PersonalData String name,
            @PersonalData String email,
            @PersonalData Address address)
            implements CustomerEvent {

        public CustomerRegistered {
            address = erasedIfGone(address);
        }
    }

    /** The customer lives somewhere else from now on; the old address was right until now. */
    record CustomerMovedHouse(
            @DataSubject UUID customerId, @PersonalData Address address) implements CustomerEvent {

        public CustomerMovedHouse {
            address = erasedIfGone(address);
        }
    }

    /** The address was entered wrongly; this is the one it always was. */
    record CustomerAddressCorrected(
            @DataSubject UUID customerId, @PersonalData Address address) implements CustomerEvent {

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
