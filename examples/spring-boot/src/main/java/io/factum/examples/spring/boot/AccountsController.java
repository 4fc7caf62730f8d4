package io.factum.examples.spring.boot;

import io.factum.core.Position;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.StaleReadModelException;
import io.factum.examples.spring.boot.account.AccountCommand;
import io.factum.spring.boot.starter.FactumSubscriptions;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The teller's API. Commands go through Factum's command bus and answer the account's new version and the
 * global position of the write; a read passes that position as {@code ?after=} and waits (at most two
 * seconds) until the read model has it: read-your-writes.
 *
 * <pre>
 * POST /accounts/{id}              {"owner": "ada"}   open
 * POST /accounts/{id}/deposits     {"cents": 1000}
 * POST /accounts/{id}/withdrawals  {"cents": 250}     422 if the balance is too low
 * GET  /accounts/{id}?after=0/3                       the owner and the balance
 * </pre>
 */
@RestController
@RequestMapping("/accounts")
class AccountsController {

    private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(2);

    /** A command's body: the owner of a new account. */
    record OpenBody(String owner) {}

    /** A command's body: an amount in cents. */
    record AmountBody(long cents) {}

    /** What a command wrote: the account's version, and the position to read it at. */
    record Written(String account, long version, String position) {}

    private final CommandBus bus;
    private final FactumSubscriptions readSide;

    AccountsController(CommandBus bus, FactumSubscriptions readSide) {
        this.bus = bus;
        this.readSide = readSide;
    }

    @PostMapping("/{id}")
    ResponseEntity<?> open(@PathVariable String id, @RequestBody OpenBody body) {
        if (body.owner() == null || body.owner().isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "an account needs an owner, got none");
        }
        return answer(bus.send(new AccountCommand.Open(id, body.owner()), CommandContext.create()));
    }

    @PostMapping("/{id}/deposits")
    ResponseEntity<?> deposit(@PathVariable String id, @RequestBody AmountBody body) {
        if (body.cents() <= 0) {
            return problem(HttpStatus.BAD_REQUEST, "a deposit must be 1 cent or more, got " + body.cents());
        }
        return answer(bus.send(new AccountCommand.Deposit(id, body.cents()), CommandContext.create()));
    }

    @PostMapping("/{id}/withdrawals")
    ResponseEntity<?> withdraw(@PathVariable String id, @RequestBody AmountBody body) {
        if (body.cents() <= 0) {
            return problem(HttpStatus.BAD_REQUEST, "a withdrawal must be 1 cent or more, got " + body.cents());
        }
        return answer(bus.send(new AccountCommand.Withdraw(id, body.cents()), CommandContext.create()));
    }

    @GetMapping("/{id}")
    ResponseEntity<?> account(@PathVariable String id, @RequestParam Optional<String> after) {
        ProjectionSubscription balances = readSide.projection("account_balances");
        Optional<AccountBalances.AccountView> account = after.isPresent()
                ? balances.query(Position.parse(after.get()), READ_YOUR_WRITES, AccountBalances.byId(id))
                : balances.query(AccountBalances.byId(id));
        return account.<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> problem(HttpStatus.NOT_FOUND, "account " + id + " is not open"));
    }

    @ExceptionHandler(StaleReadModelException.class)
    ResponseEntity<ProblemDetail> stale(StaleReadModelException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> badInput(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    private static ResponseEntity<?> answer(CommandResult result) {
        return switch (result) {
            case CommandResult.Accepted accepted ->
                ResponseEntity.created(
                                URI.create("/accounts/" + accepted.streamId().substring("account-".length())))
                        .body(new Written(
                                accepted.streamId().substring("account-".length()),
                                accepted.version(),
                                accepted.position().toString()));
            case CommandResult.Rejected rejected -> {
                ResponseEntity<ProblemDetail> problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, rejected.message());
                problem.getBody().setProperty("rule", rejected.rule());
                yield problem;
            }
            case CommandResult.Conflict conflict -> problem(HttpStatus.CONFLICT, conflict.message());
            case CommandResult.Invalid invalid ->
                problem(HttpStatus.BAD_REQUEST, invalid.violations().toString());
            case CommandResult.Forbidden forbidden -> problem(HttpStatus.FORBIDDEN, forbidden.reason());
            case CommandResult.Completed completed -> ResponseEntity.ok(completed.value());
        };
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }
}
