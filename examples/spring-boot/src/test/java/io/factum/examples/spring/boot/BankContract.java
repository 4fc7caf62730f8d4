package io.factum.examples.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The bank's API over HTTP, on whichever store the subclass configures: commands through Factum's bus, the
 * read model read at the position of the write, the domain's rules answered as problems, Factum in the
 * health endpoint.
 */
abstract class BankContract {

    @LocalServerPort
    int port;

    private final String account = UUID.randomUUID().toString();

    private Teller teller() {
        return Teller.at(port, "teller", "teller");
    }

    @Test
    void an_opened_account_shows_its_balance_after_deposits_and_withdrawals() {
        Teller.Answer opened = teller().post("/accounts/" + account, "{\"owner\":\"ada\"}");
        teller().post("/accounts/" + account + "/deposits", "{\"cents\":1000}");
        Teller.Answer withdrawn = teller().post("/accounts/" + account + "/withdrawals", "{\"cents\":250}");

        assertThat(opened.status()).isEqualTo(201);
        assertThat(opened.body().get("version").asLong()).isZero();
        assertThat(withdrawn.status()).isEqualTo(201);
        assertThat(withdrawn.body().get("version").asLong()).isEqualTo(2);
        Teller.Answer read = teller().get("/accounts/" + account + "?after="
                + withdrawn.body().get("position").asText());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("owner").asText()).isEqualTo("ada");
        assertThat(read.body().get("balanceCents").asLong()).isEqualTo(750);
    }

    @Test
    void a_withdrawal_beyond_the_balance_is_refused_by_the_domain_s_rule() {
        teller().post("/accounts/" + account, "{\"owner\":\"bob\"}");

        Teller.Answer refused = teller().post("/accounts/" + account + "/withdrawals", "{\"cents\":1}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("rule").asText()).isEqualTo("insufficient-funds");
        assertThat(refused.body().get("detail").asText()).isEqualTo("cannot withdraw 1 cents, the balance is 0");
    }

    @Test
    void a_deposit_to_an_account_never_opened_is_refused() {
        Teller.Answer refused = teller().post("/accounts/" + account + "/deposits", "{\"cents\":5}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("rule").asText()).isEqualTo("unknown-account");
    }

    @Test
    void the_health_endpoint_shows_factum_s_store_and_read_model_to_a_teller_and_only_the_status_to_others() {
        Teller.Answer anonymous = Teller.stranger(port).get("/actuator/health");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.body().at("/status").asText()).isEqualTo("UP");
        assertThat(anonymous.body().has("components"))
                .as("no store figures or read models for whoever reaches the port")
                .isFalse();

        Teller.Answer health = teller().get("/actuator/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().at("/components/factum/status").asText()).isEqualTo("UP");
        assertThat(health.body()
                        .at("/components/factum/components/store/status")
                        .asText())
                .isEqualTo("UP");
        assertThat(health.body()
                        .at("/components/factum/components/subscriptions/details/account_balances@v1/state")
                        .asText())
                .isIn("LIVE", "CATCHING_UP");
        assertThat(teller().get("/actuator/health/readiness")
                        .body()
                        .at("/components/factum/status")
                        .asText())
                .isEqualTo("UP");
        assertThat(Teller.stranger(port)
                        .get("/actuator/health/readiness")
                        .body()
                        .at("/status")
                        .asText())
                .isEqualTo("UP");
    }
}
