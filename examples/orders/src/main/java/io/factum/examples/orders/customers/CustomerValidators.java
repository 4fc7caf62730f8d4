package io.factum.examples.orders.customers;

import io.factum.core.command.Validator;
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
 * violated field is named ({@code name}, {@code email}, {@code address.street}, ...). Commands may come
 * from JSON, so a missing field is checked here as {@code null}.
 */
public final class CustomerValidators {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private CustomerValidators() {}

    public static List<Validator<?>> all() {
        return List.of(
                withAddress(
                        Validator.of(RegisterCustomer.class)
                                .require("name", c -> filled(c.name()), "must not be blank")
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
                .require(
                        "address.country", c -> blankOrFilled(address.apply(c), Address::country), "must not be blank");
    }

    /** True if there is no address (reported once, as "address") or its field is filled. */
    private static boolean blankOrFilled(@Nullable Address address, Function<Address, @Nullable String> field) {
        return address == null || filled(field.apply(address));
    }

    private static boolean filled(@Nullable String value) {
        return !Objects.requireNonNullElse(value, "").isBlank();
    }
}
