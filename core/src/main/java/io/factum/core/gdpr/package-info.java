/**
 * GDPR erasure by crypto-shredding. Personal fields of events ({@link PersonalData} on record components)
 * are encrypted with a key per data subject ({@link DataSubject}) kept by a {@link SubjectKeyStore};
 * {@link SubjectKeyStore#forget forgetting} a subject deletes its key, and from then on those fields read
 * as erased everywhere while the rest of every event stays readable. Wire it with {@code
 * EventSerializer.withPersonalData(keys)}; readers of raw JSON (feeds, admin pages) use {@link
 * CryptoShredder#reveal(String, SubjectKeyStore)}. See docs/gdpr.md.
 */
@NullMarked
package io.factum.core.gdpr;

import org.jspecify.annotations.NullMarked;
