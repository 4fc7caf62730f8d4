package io.factum.examples.orders.validation;

import io.factum.core.command.Validator;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand.CorrectAddress;
import io.factum.examples.orders.customers.CustomerCommand.MoveHouse;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The shape of customer commands, checked by the command bus before any aggregate is loaded: every
 * violated field is named ({@code name}, {@code email}, {@code address.street}, ...), and every text is
 * bounded by what the read models keep. Commands may come from JSON, so a missing field is checked here as
 * {@code null}.
 */
public final class CustomerValidators {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private CustomerValidators() {}

    public static List<Validator<?>> all() {
        return List.of(
                withAddress(
                        Validator.of(RegisterCustomer.class)
                                .require("name", c -> filled(c.name()), "must not be blank")
                                .require("name", c -> fits(c.name(), 400), c -> tooLong(c.name(), 400))
                                .require("email", c -> fits(c.email(), 254), c -> tooLong(c.email(), 254))
                                .require(
                                        "email",
                                        c -> c.email() != null
                                                && EMAIL.matcher(c.email()).matches(),
                                        "must be an email address like ada@example.com"),
                        RegisterCustomer::address),
                withAddress(Validator.of(MoveHouse.class), MoveHouse::address),
                withAddress(Validator.of(CorrectAddress.class), CorrectAddress::address));
    }

    private static <C> Validator<C> withAddress(Validator<C> validator, Function<C, @Nullable Address> address) {
        return validator
                .require("address", c -> address.apply(c) != null, "is required")
                .require("address.street", c -> blankOrFilled(address.apply(c), Address::street), "must not be blank")
                .require("address.city", c -> blankOrFilled(address.apply(c), Address::city), "must not be blank")
                .require(
                        "address.postalCode",
                        c -> blankOrFilled(address.apply(c), Address::postalCode),
                        "must not be blank")
                .require("address.country", c -> blankOrFilled(address.apply(c), Address::country), "must not be blank")
                .require(
                        "address.street",
                        c -> fits(address.apply(c), Address::street, 400),
                        c -> tooLong(address.apply(c).street(), 400))
                .require(
                        "address.city",
                        c -> fits(address.apply(c), Address::city, 200),
                        c -> tooLong(address.apply(c).city(), 200))
                .require(
                        "address.postalCode",
                        c -> fits(address.apply(c), Address::postalCode, 40),
                        c -> tooLong(address.apply(c).postalCode(), 40))
                .require(
                        "address.country",
                        c -> fits(address.apply(c), Address::country, 100),
                        c -> tooLong(address.apply(c).country(), 100));
    }

    /** True if the text is absent (reported by its own rule) or at most {@code max} characters long. */
    private static boolean fits(@Nullable String value, int max) {
        return value == null || value.length() <= max;
    }

    private static boolean fits(@Nullable Address address, Function<Address, @Nullable String> field, int max) {
        return address == null || fits(field.apply(address), max);
    }

    /** The read models keep at most {@code max} characters of the field. */
    private static String tooLong(@Nullable String value, int max) {
        return "must be at most " + max + " characters, got " + (value == null ? 0 : value.length());
    }

    /** True if there is no address (reported once, as "address") or its field is filled. */
    private static boolean blankOrFilled(@Nullable Address address, Function<Address, @Nullable String> field) {
        return address == null || filled(field.apply(address));
    }

    private static boolean filled(@Nullable String value) {
        return !Objects.requireNonNullElse(value, "").isBlank();
    }
}
