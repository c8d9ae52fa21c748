//! Personal data keys: stored once per subject outside the log, read back, and destroyed so that
//! neither the SQLite files nor a `pg_dump` of the PostgreSQL database hold the key any more.

use test_support::database::contains_bytes;

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, events, metadata};

crate::backend_tests!(
    a_subjects_first_key_is_kept_and_read_back,
    a_destroyed_key_is_gone_from_every_byte_of_the_database,
);

async fn a_subjects_first_key_is_kept_and_read_back(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let first = store
        .subject_key_or_insert("practitioner-p1", [1; 32])
        .await
        .unwrap();
    assert_eq!(first, [1; 32]);
    // A second registration (or a racing one) gets the key already stored, not its own.
    let again = store
        .subject_key_or_insert("practitioner-p1", [2; 32])
        .await
        .unwrap();
    assert_eq!(again, [1; 32]);
    store
        .subject_key_or_insert("practitioner-p2", [3; 32])
        .await
        .unwrap();
    let found = store
        .subject_keys(&["practitioner-p1", "practitioner-p2", "practitioner-p3"])
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found["practitioner-p1"], [1; 32]);
    assert_eq!(found["practitioner-p2"], [3; 32]);
    // Keys are not events: the log is empty.
    assert_eq!(store.head().await.unwrap().size, 0);
    store.close().await;
}

async fn a_destroyed_key_is_gone_from_every_byte_of_the_database(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let secret = *b"medaid-erasure-test-key-0123456!";
    let kept = *b"medaid-erasure-kept-key-0123456!";
    store
        .subject_key_or_insert("practitioner-erased", secret)
        .await
        .unwrap();
    store
        .subject_key_or_insert("practitioner-kept", kept)
        .await
        .unwrap();
    store
        .append(
            "s-1",
            event_store::ExpectedVersion::Any,
            events(3, "a"),
            "r-1",
            metadata(),
        )
        .await
        .unwrap();
    let hex_secret = hex::encode(secret);
    let hex_kept = hex::encode(kept);
    assert!(contains_bytes(&db.stored_bytes(), hex_secret.as_bytes()));

    assert!(
        store
            .destroy_subject_key("practitioner-erased")
            .await
            .unwrap()
    );
    assert!(
        !store
            .destroy_subject_key("practitioner-erased")
            .await
            .unwrap()
    );
    assert!(
        store
            .subject_keys(&["practitioner-erased"])
            .await
            .unwrap()
            .is_empty()
    );
    let bytes = db.stored_bytes();
    assert!(
        !contains_bytes(&bytes, hex_secret.as_bytes()),
        "the destroyed key is still in the database's bytes"
    );
    // The other subject's key and the log are untouched.
    assert!(contains_bytes(&bytes, hex_kept.as_bytes()));
    assert_log_is_sound(&store).await;
    store.close().await;
}
