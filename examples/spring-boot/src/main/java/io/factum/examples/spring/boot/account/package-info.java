/** The bank's domain: plain records and functions, with nothing of Factum or Spring. */
package io.factum.examples.spring.boot.account;
