/**
 * The Spring Boot sample's application: its configuration of Factum's beans, its read model, its REST
 * controller and its security.
 */
@NullMarked
package io.factum.examples.spring.boot;

import org.jspecify.annotations.NullMarked;
