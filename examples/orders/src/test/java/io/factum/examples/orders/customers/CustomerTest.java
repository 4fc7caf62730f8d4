package io.factum.examples.orders.customers;

import io.factum.examples.orders.app.Deciders;
import io.factum.examples.orders.customers.CustomerCommand.CorrectAddress;
import io.factum.examples.orders.customers.CustomerCommand.ForgetCustomer;
import io.factum.examples.orders.customers.CustomerCommand.MoveHouse;
import io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer;
import io.factum.examples.orders.customers.CustomerEvent.CustomerAddressCorrected;
import io.factum.examples.orders.customers.CustomerEvent.CustomerForgotten;
import io.factum.examples.orders.customers.CustomerEvent.CustomerMovedHouse;
import io.factum.examples.orders.customers.CustomerEvent.CustomerRegistered;
import io.factum.testkit.aggregate.DeciderFixture;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CustomerTest {

    static final UUID ADA = UUID.fromString("00000000-0000-0000-0000-0000000000c1");
    static final Address HOME = new Address("1 Analytical Way", "London", "N1 1AA", "GB");
    static final Address TYPO = new Address("1 Analytical Wya", "London", "N1 1AA", "GB");
    static final Address NEW_HOME = new Address("12 Engine Street", "Leeds", "LS1 4AP", "GB");

    final DeciderFixture<CustomerCommand, CustomerEvent, Customer> customer =
            DeciderFixture.of(Deciders.CUSTOMER).rejections(Deciders.REJECTIONS);

    static CustomerRegistered registered(Address address) {
        return new CustomerRegistered(ADA, "Ada Lovelace", "ada@example.com", address);
    }

    @Nested
    class Registering {
        @Test
        void registers_a_customer_with_name_email_and_address() {
            customer.when(new RegisterCustomer(ADA, "Ada Lovelace", "ada@example.com", HOME))
                    .then(registered(HOME));
        }

        @Test
        void refuses_to_register_a_customer_twice() {
            customer.given(registered(HOME))
                    .when(new RegisterCustomer(ADA, "Ada Lovelace", "ada@example.com", HOME))
                    .thenRejected("customer-exists", "customer " + ADA + " is registered already");
        }

        @Test
        void refuses_changes_to_an_unknown_customer() {
            customer.when(new MoveHouse(ADA, NEW_HOME))
                    .thenRejected("customer-unknown", "customer " + ADA + " is not registered");
        }
    }

    @Nested
    class Changing_the_address {
        @Test
        void moving_house_and_correcting_a_typo_are_different_events() {
            customer.given(registered(HOME))
                    .when(new MoveHouse(ADA, NEW_HOME))
                    .then(new CustomerMovedHouse(ADA, NEW_HOME));
            customer.given(registered(TYPO))
                    .when(new CorrectAddress(ADA, HOME))
                    .then(new CustomerAddressCorrected(ADA, HOME));
        }

        @Test
        void moving_house_to_the_same_address_is_refused_with_a_hint() {
            customer.given(registered(HOME))
                    .when(new MoveHouse(ADA, HOME))
                    .thenRejected(
                            "same-address",
                            "customer " + ADA + " already lives at this address; to fix a typo, correct the address");
        }

        @Test
        void correcting_to_the_same_address_changes_nothing() {
            customer.given(registered(HOME)).when(new CorrectAddress(ADA, HOME)).thenNothing();
        }

        @Test
        void the_latest_address_is_the_state() {
            customer.given(
                            registered(TYPO),
                            new CustomerAddressCorrected(ADA, HOME),
                            new CustomerMovedHouse(ADA, NEW_HOME))
                    .thenState(new Customer(true, false, NEW_HOME));
        }
    }

    @Nested
    class Forgetting {
        @Test
        void forgets_a_customer() {
            customer.given(registered(HOME)).when(new ForgetCustomer(ADA)).then(new CustomerForgotten(ADA));
        }

        @Test
        void forgetting_again_changes_nothing() {
            customer.given(registered(HOME), new CustomerForgotten(ADA))
                    .when(new ForgetCustomer(ADA))
                    .thenNothing();
        }

        @Test
        void a_forgotten_customer_cannot_be_changed() {
            customer.given(registered(HOME), new CustomerForgotten(ADA))
                    .when(new MoveHouse(ADA, NEW_HOME))
                    .thenRejected(
                            "customer-forgotten",
                            "customer " + ADA + " was forgotten; register them again as a new customer");
        }

        @Test
        void a_forgotten_customer_id_cannot_be_registered_again() {
            customer.given(registered(HOME), new CustomerForgotten(ADA))
                    .when(new RegisterCustomer(ADA, "Ada Lovelace", "ada@example.com", HOME))
                    .thenRejected(
                            "customer-forgotten",
                            "customer " + ADA + " was forgotten and cannot be registered again under the same id;"
                                    + " register them as a new customer with a new id");
        }

        @Test
        void an_erased_history_still_loads() {
            // as the events read once the customer's key is gone
            customer.given(
                            new CustomerRegistered(ADA, "[erased]", "[erased]", Address.ERASED),
                            new CustomerForgotten(ADA))
                    .when(new ForgetCustomer(ADA))
                    .thenNothing();
        }
    }
}
