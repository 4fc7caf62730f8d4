package io.factum.spring.boot.starter;

/**
 * The application's configuration does not let the starter build a Factum bean: a property names something
 * that is not there (a store without its module, a data source the context lacks, a handler whose command type
 * cannot be told). The message says what was asked, what was found and how to fix it. Thrown while the
 * context starts, so the application does not start.
 */
public final class FactumConfigurationException extends IllegalStateException {

    public FactumConfigurationException(String message) {
        super(message);
    }
}
