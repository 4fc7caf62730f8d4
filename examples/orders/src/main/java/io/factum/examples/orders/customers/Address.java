package io.factum.examples.orders.customers;

import io.factum.core.gdpr.CryptoShredder;

/** A postal address: personal data, kept as one value so it can be protected as one. */
public record Address(String street, String city, String postalCode, String country) {

    /**
     * What an address reads as once its customer was forgotten: every field {@value CryptoShredder#ERASED}.
     * (An encrypted address is one value, so without its key it reads as {@code null}; the events put this
     * in its place.)
     */
    public static final Address ERASED =
            new Address(CryptoShredder.ERASED, CryptoShredder.ERASED, CryptoShredder.ERASED, CryptoShredder.ERASED);
}
