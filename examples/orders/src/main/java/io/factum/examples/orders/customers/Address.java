package io.factum.examples.orders.customers;

/** A postal address: personal data, kept as one value so it can be protected as one. */
public record Address(String street, String city, String postalCode, String country) {

    /**
     * How a text of a forgotten customer reads: the same word the serializer puts in place of erased
     * personal data ({@code CryptoShredder.ERASED}, which a test keeps equal to this).
     */
    public static final String ERASED_TEXT = "[erased]";

    /**
     * What an address reads as once its customer was forgotten: every field {@value #ERASED_TEXT}. (An
     * encrypted address is one value, so without its key it reads as {@code null}; the events put this in
     * its place.)
     */
    public static final Address ERASED = new Address(ERASED_TEXT, ERASED_TEXT, ERASED_TEXT, ERASED_TEXT);
}
