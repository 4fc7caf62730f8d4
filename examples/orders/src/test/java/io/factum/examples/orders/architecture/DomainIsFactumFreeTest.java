package io.factum.examples.orders.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.ordering.Order;
import org.junit.jupiter.api.Test;

/**
 * The hexagon of the order system: the domain packages (the contexts and their shared kernel) are plain
 * Java, with no Factum type and no adapter in them; Factum and the adapters depend on the domain, never
 * the other way round.
 */
class DomainIsFactumFreeTest {

    static final String[] DOMAIN = {
        "io.factum.examples.orders.ordering..",
        "io.factum.examples.orders.customers..",
        "io.factum.examples.orders.payments..",
        "io.factum.examples.orders.stock..",
        "io.factum.examples.orders.shared.."
    };

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.factum.examples.orders");

    @Test
    void the_domain_imports_nothing_of_factum() {
        assertThat(MAIN.contain(Order.class))
                .as("the rule looks at the real classes")
                .isTrue();
        noClasses()
                .that()
                .resideInAnyPackage(DOMAIN)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.factum.core..", "io.factum.http..", "io.factum.store..", "io.factum.testkit..")
                .because("the domain is plain Java; Factum is wired in by the application (app.Deciders)")
                .check(MAIN);
    }

    @Test
    void the_domain_depends_on_no_adapter() {
        noClasses()
                .that()
                .resideInAnyPackage(DOMAIN)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.factum.examples.orders.app..",
                        "io.factum.examples.orders.api..",
                        "io.factum.examples.orders.web..",
                        "io.factum.examples.orders.readmodel..",
                        "io.factum.examples.orders.published..",
                        "io.factum.examples.orders.fulfilment..",
                        "io.factum.examples.orders.validation..")
                .because("adapters depend on the domain, never the other way round")
                .check(MAIN);
    }

    @Test
    void an_erased_address_reads_as_the_serializer_erases() {
        assertThat(Address.ERASED_TEXT).isEqualTo(CryptoShredder.ERASED);
    }
}
