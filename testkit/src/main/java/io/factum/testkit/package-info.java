/** Test support for applications built with Factum: clocks and, in sub-packages, the store TCK. */
@NullMarked
package io.factum.testkit;

import org.jspecify.annotations.NullMarked;
