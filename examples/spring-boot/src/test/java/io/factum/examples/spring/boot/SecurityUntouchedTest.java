package io.factum.examples.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Factum's starter is a guest: the application's routes and Spring Security stay as the application made
 * them. Its secured route answers 401 without credentials and is reached with them; the only filter chain is
 * the application's; no filter, handler mapping or controller of Factum's is there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SecurityUntouchedTest {

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void storeFile(DynamicPropertyRegistry properties) {
        properties.add("factum.store.sqlite.file", () -> dir.resolve("bank.db").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Nested
    class TheSecuredRoute {

        @Test
        void answers_401_with_a_basic_challenge_without_credentials() {
            Teller.Answer answer = Teller.stranger(port).get("/accounts/42");

            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.challenge())
                    .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic"));
        }

        @Test
        void answers_401_to_a_wrong_password() {
            assertThat(Teller.at(port, "teller", "guess").get("/accounts/42").status())
                    .isEqualTo(401);
        }

        @Test
        void is_reached_with_the_teller_s_credentials() {
            Teller.Answer answer = Teller.at(port, "teller", "teller").get("/accounts/never-opened");

            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.body().get("detail").asText()).isEqualTo("account never-opened is not open");
        }

        @Test
        void refuses_a_command_without_credentials_and_writes_nothing() {
            Teller.Answer refused = Teller.stranger(port).post("/accounts/7", "{\"owner\":\"mallory\"}");

            assertThat(refused.status()).isEqualTo(401);
            assertThat(Teller.at(port, "teller", "teller").get("/accounts/7").status())
                    .isEqualTo(404);
        }
    }

    @Nested
    class EverythingElse {

        @Test
        void stays_refused_as_the_application_s_rules_say() {
            assertThat(Teller.stranger(port).get("/actuator/metrics").status()).isEqualTo(401);
            assertThat(Teller.at(port, "teller", "teller")
                            .get("/actuator/metrics")
                            .status())
                    .isEqualTo(403);
            assertThat(Teller.at(port, "teller", "teller")
                            .get("/streams/account-42")
                            .status())
                    .isEqualTo(403);
        }

        @Test
        void has_only_the_application_s_security_filter_chain() {
            assertThat(context.getBeansOfType(SecurityFilterChain.class)).containsOnlyKeys("bankSecurity");
        }

        @Test
        void has_no_servlet_filter_of_factum() {
            ServletContext servlets = context.getBean(ServletContext.class);
            Set<String> filters = servlets.getFilterRegistrations().values().stream()
                    .map(registration -> registration.getClassName())
                    .collect(Collectors.toSet());

            assertThat(filters).isNotEmpty().noneMatch(name -> name.startsWith("io.factum"));
        }

        @Test
        void has_no_route_or_handler_mapping_of_factum() {
            Map<String, HandlerMapping> mappings = context.getBeansOfType(HandlerMapping.class);
            Set<Class<?>> controllers = mappings.values().stream()
                    .filter(RequestMappingHandlerMapping.class::isInstance)
                    .map(RequestMappingHandlerMapping.class::cast)
                    .flatMap(mapping -> mapping.getHandlerMethods().values().stream())
                    .map(HandlerMethod::getBeanType)
                    .filter(type -> type.getName().startsWith("io.factum"))
                    .collect(Collectors.toSet());

            assertThat(mappings.values())
                    .noneMatch(mapping -> mapping.getClass().getName().startsWith("io.factum"));
            assertThat(controllers).containsExactly(AccountsController.class);
        }
    }
}
