package io.factum.examples.spring.boot;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The bank's own security, which Factum leaves as it is: the accounts API needs a teller (HTTP Basic, no
 * session, so no CSRF token either), the health endpoint is open to the load balancer, everything else is
 * refused.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain bankSecurity(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(
                        requests -> requests.requestMatchers("/actuator/health", "/actuator/health/**")
                                .permitAll()
                                .requestMatchers("/accounts/**")
                                .hasRole("TELLER")
                                .anyRequest()
                                .denyAll())
                .httpBasic(Customizer.withDefaults())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** One teller, whose password is {@code bank.teller-password} (a sample's default: set your own). */
    @Bean
    UserDetailsService tellers(@Value("${bank.teller-password}") String password, PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(User.withUsername("teller")
                .password(encoder.encode(password))
                .roles("TELLER")
                .build());
    }
}
