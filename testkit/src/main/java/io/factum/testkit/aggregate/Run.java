package io.factum.testkit.aggregate;

import java.util.function.Supplier;

/**
 * One run of a scenario's command.
 *
 * @param scenario where it ran, for failure messages
 * @param result what the command did
 * @param state the state afterwards (loaded from the store when the scenario ran through one)
 */
record Run<E, S>(Scenario scenario, Result<E> result, Supplier<S> state) {}
