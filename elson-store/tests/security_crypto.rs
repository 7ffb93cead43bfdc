//! Passwords, TOTP and the envelope cipher without a database: published
//! test vectors, bcrypt interoperability, and every decryption failure as a
//! typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::DateTime;
use elson_store::security::totp::{self, CodeCheck};
use elson_store::security::{
    CryptoError, EnvelopeCipher, KeyProvider, LocalKeyProvider, hash_password, verify_password,
};
use elson_store::{PiiCipher, PiiField, Plaintext};
use totp_rs::{Algorithm, Builder};
use uuid::Uuid;

/// RFC 6238 Appendix B / RFC 4226 Appendix D seed: ASCII "12345678901234567890".
const SEED: &[u8] = b"12345678901234567890";
/// The same seed, base32.
const SEED_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn at(unix: i64) -> chrono::DateTime<chrono::Utc> {
    DateTime::from_timestamp(unix, 0).unwrap()
}

#[test]
fn rfc6238_appendix_b_sha1_vectors() {
    // (T in seconds, 8-digit TOTP) from RFC 6238 Appendix B, SHA-1 rows.
    let vectors: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];
    let eight = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(8)
        .with_step_duration(30)
        .with_skew(0)
        .with_secret(SEED.to_vec())
        .build()
        .unwrap();
    for (t, expected) in vectors {
        assert_eq!(eight.generate(t).to_string(), expected, "T = {t}");
        // Our 6-digit parameters give the same code modulo 10^6 (RFC 4226
        // §5.3 truncation), through our own API.
        let six = totp::code_at(SEED_B32, at(t as i64)).unwrap();
        assert_eq!(six, expected[2..], "6-digit code at T = {t}");
        assert_eq!(six.len(), 6);
    }
    assert_eq!(totp::code_at(SEED_B32, at(59)).unwrap(), "287082");
    assert_eq!(totp::code_at(SEED_B32, at(1_111_111_109)).unwrap(), "081804");
    assert_eq!(totp::code_at(SEED_B32, at(20_000_000_000)).unwrap(), "353130");
}

#[test]
fn rfc4226_appendix_d_hotp_vectors() {
    // HOTP(K, C) is TOTP with a one-second step at T = C.
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    let hotp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(1)
        .with_skew(0)
        .with_secret(SEED.to_vec())
        .build()
        .unwrap();
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(hotp.generate(counter as u64).to_string(), *code, "counter {counter}");
    }
    // And through our 30-second TOTP: counter C is any T in [30C, 30C + 29].
    for (counter, code) in expected.iter().enumerate() {
        let t = 30 * counter as i64 + 29;
        assert_eq!(totp::code_at(SEED_B32, at(t)).unwrap(), *code, "step {counter}");
    }
}

#[test]
fn codes_are_accepted_one_step_either_side_and_only_after_the_last_step() {
    let now = at(1_234_567_890); // step 41152263
    let step = totp::time_step(now).unwrap();
    assert_eq!(step, 41_152_263);
    let code_for = |offset: i64| totp::code_at(SEED_B32, at(1_234_567_890 + 30 * offset)).unwrap();
    for offset in [-1i64, 0, 1] {
        assert_eq!(
            totp::check_code(SEED_B32, &code_for(offset), now, None).unwrap(),
            CodeCheck::Accepted { step: (step as i64 + offset) as u64 },
            "offset {offset}"
        );
    }
    for offset in [-2i64, 2, -10, 10] {
        assert_eq!(
            totp::check_code(SEED_B32, &code_for(offset), now, None).unwrap(),
            CodeCheck::Wrong,
            "offset {offset}"
        );
    }
    // Replay: the current code once its step was accepted.
    assert_eq!(
        totp::check_code(SEED_B32, &code_for(0), now, Some(step)).unwrap(),
        CodeCheck::Replayed
    );
    // An earlier step than the last accepted one is a replay too.
    assert_eq!(
        totp::check_code(SEED_B32, &code_for(-1), now, Some(step)).unwrap(),
        CodeCheck::Replayed
    );
    // A later one is fine.
    assert_eq!(
        totp::check_code(SEED_B32, &code_for(1), now, Some(step)).unwrap(),
        CodeCheck::Accepted { step: step + 1 }
    );
    // Malformed codes are simply wrong; a bad secret or a pre-1970 clock is
    // invalid input.
    for bad in ["", "12345", "1234567", "abcdef", "12 34 56", "２８７０８２"] {
        assert_eq!(
            totp::check_code(SEED_B32, bad, now, None).unwrap(),
            CodeCheck::Wrong,
            "{bad:?}"
        );
    }
    assert_eq!(
        totp::check_code("not base32!", "123456", now, None).unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(
        totp::check_code("GEZDGNBV", "123456", now, None).unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(totp::code_at(SEED_B32, at(-1)).unwrap_err().code(), "INVALID_INPUT");
}

#[test]
fn secrets_and_otpauth_uris() {
    let s = totp::generate_secret().unwrap();
    assert_eq!(s.len(), 32, "20 bytes are 32 base32 characters: {s}");
    assert!(s.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    assert_ne!(s, totp::generate_secret().unwrap());
    let uri = totp::otpauth_uri(&s, "Elson", "ada@example.com").unwrap();
    assert_eq!(uri, format!("otpauth://totp/Elson:ada%40example.com?secret={s}&issuer=Elson"));
    assert_eq!(totp::otpauth_uri(&s, "El:son", "a@b.c").unwrap_err().code(), "INVALID_INPUT");
}

/// Hashes made with Python's `bcrypt` 5.0.0 (`bcrypt.hashpw(pw,
/// bcrypt.gensalt(rounds, prefix))`), with their passwords and costs.
const PYTHON_HASHES: &[(&str, u32, &str)] = &[
    ("password", 4, "$2b$04$kKZ6Bf6sZcEsHLWza.TiQubrPTbP8f9qRXho6sY21aISSlYpOJiGu"),
    (
        "correct horse battery staple",
        6,
        "$2b$06$OEV0COLXKdHS167Q57HgWuUJP8ZYKFfrzUtZLrjJoODvAbgAjRxYG",
    ),
    ("pässwörd ✓ 密码", 5, "$2b$05$YlRafqgng8wNQo.DTSQCruMnji2lO8cCAwMqS0pSIcZ0NTb18nf9O"),
    (
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        4,
        "$2b$04$FVOztegoS/FUF9hOTFuxgOgVhfwM1X6cMBj2uqgZ1EA/He3aEzjUy",
    ),
    ("legacy-2a", 4, "$2a$04$1Kj/QKMMqY5uSoK25fPh1uqRnB6ysnIhVLeAq8kvqGJuh5ROpM1X2"),
    ("Tr0ub4dor&3", 10, "$2b$10$hJEHO.jxZEVDTIrAHM8gMer7AyJ7kt5a.k3N0WyilV9xdJm1adcjm"),
];

#[test]
fn bcrypt_hashes_of_another_implementation_verify() {
    for (password, cost, hash) in PYTHON_HASHES {
        assert!(hash[4..6] == format!("{cost:02}"), "{hash}");
        assert!(verify_password(password, hash).unwrap(), "{password:?}");
        // bcrypt reads 72 bytes at most, in every implementation: a longer
        // input that starts with a 72-byte password would match it, so
        // verify_password refuses inputs over 72 bytes as hash_password
        // does (issue 15 item 10) instead of answering true.
        let longer = format!("{password}!");
        if longer.len() > 72 {
            let e = verify_password(&longer, hash).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{password:?}+!");
        } else {
            assert!(!verify_password(&longer, hash).unwrap(), "{password:?}+!");
        }
        let shifted = format!("!{password}");
        if shifted.len() <= 72 {
            assert!(!verify_password(&shifted, hash).unwrap(), "!+{password:?}");
        } else {
            let e = verify_password(&shifted, hash).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "!+{password:?}");
        }
        // The empty password is refused, never compared.
        assert_eq!(verify_password("", hash).unwrap_err().code(), "INVALID_INPUT");
    }
}

/// Made by `hash_password("elson-interop ✓", 12)` of this crate and checked
/// with Python's `bcrypt` 5.0.0: `bcrypt.checkpw("elson-interop ✓".encode(),
/// h)` is True, and False for b"wrong".
const OUR_COST_12_HASH: &str = "$2b$12$0rdtbUn4mTDfAPkN/UPUu.CPYNWVSWPeNyZ5L9wArF3c4P7InNu36";

#[test]
fn our_hashes_are_2b_cost_12_by_default_and_verify_elsewhere() {
    assert!(OUR_COST_12_HASH.starts_with("$2b$12$"));
    assert!(verify_password("elson-interop ✓", OUR_COST_12_HASH).unwrap());
    assert!(!verify_password("elson-interop", OUR_COST_12_HASH).unwrap());
    let h = hash_password("elson-interop ✓", elson_store::security::DEFAULT_BCRYPT_COST).unwrap();
    assert!(h.starts_with("$2b$12$"), "{h}");
    assert_eq!(h.len(), 60);
    assert_ne!(h, OUR_COST_12_HASH, "a fresh salt each time");
    assert!(verify_password("elson-interop ✓", &h).unwrap());
    assert_eq!(elson_store::StoreOptions::default().bcrypt_cost, 12);
}

#[test]
fn password_input_errors_are_typed() {
    assert_eq!(hash_password("", 4).unwrap_err().code(), "INVALID_INPUT");
    let long = "x".repeat(73);
    let e = hash_password(&long, 4).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("72"), "{e}");
    assert!(hash_password(&"x".repeat(72), 4).is_ok());
    assert_eq!(hash_password("pw", 3).unwrap_err().code(), "INVALID_INPUT");
    assert_eq!(hash_password("pw", 32).unwrap_err().code(), "INVALID_INPUT");
    for bad in [
        "",
        "plain",
        "$2b$04$short",
        "$9z$04$kKZ6Bf6sZcEsHLWza.TiQubrPTbP8f9qRXho6sY21aISSlYpOJiGu",
    ] {
        assert_eq!(verify_password("pw", bad).unwrap_err().code(), "INVALID_INPUT", "{bad:?}");
    }
}

fn provider(id: &str, byte: u8) -> LocalKeyProvider {
    LocalKeyProvider::new(id, [byte; 32]).unwrap()
}

fn fields(first: &str, dob: &str) -> Vec<PiiField> {
    vec![
        PiiField { column: "first_name", value: Some(first.to_string()) },
        PiiField { column: "last_name", value: None },
        PiiField { column: "date_of_birth", value: Some(dob.to_string()) },
    ]
}

fn values(f: &[PiiField]) -> Vec<Option<String>> {
    f.iter().map(|f| f.value.clone()).collect()
}

#[test]
fn local_key_provider_configuration_errors() {
    assert_eq!(LocalKeyProvider::new("", [0; 32]).unwrap_err().code(), "INVALID_KEY");
    assert_eq!(LocalKeyProvider::new("a:b", [0; 32]).unwrap_err().code(), "INVALID_KEY");
    assert_eq!(LocalKeyProvider::new(&"k".repeat(65), [0; 32]).unwrap_err().code(), "INVALID_KEY");
    let p = provider("k1", 1);
    assert_eq!(
        p.clone().with_current("k9").unwrap_err(),
        CryptoError::UnknownKey { key_id: "k9".into() }
    );
    assert_eq!(p.clone().without_key("k1").unwrap_err().code(), "INVALID_KEY");
    let p = p.with_key("k2", [2; 32]).unwrap().with_current("k2").unwrap();
    assert_eq!(p.key_ids(), vec!["k1".to_string(), "k2".to_string()]);
    let debug = format!("{p:?}");
    assert!(
        debug.contains("k2") && !debug.contains("[2, 2") && !debug.contains("2, 2, 2"),
        "{debug}"
    );
    let p = p.without_key("k1").unwrap();
    assert_eq!(p.key_ids(), vec!["k2".to_string()]);
    assert_eq!(
        p.wrap_key("k1", &[0; 32], b"c").unwrap_err(),
        CryptoError::UnknownKey { key_id: "k1".into() }
    );
    let a = LocalKeyProvider::generate_key().unwrap();
    assert_ne!(a, LocalKeyProvider::generate_key().unwrap());
}

#[test]
fn envelope_round_trip_and_every_failure_is_typed() {
    let cipher = EnvelopeCipher::new(Arc::new(provider("k1", 1)));
    let row = Uuid::new_v4();
    let mut f = fields("Zebediah", "2011-07-13");
    let key = cipher.seal_row(row, &mut f).unwrap().unwrap();
    assert_eq!(key.key_id, "k1");
    let sealed = values(&f);
    assert!(sealed[0].as_deref().unwrap().starts_with("v1:"));
    assert!(!sealed[0].as_deref().unwrap().contains("Zebediah"));
    assert_eq!(sealed[1], None, "NULL stays NULL");
    // Sealing twice gives other ciphertexts (fresh data key and nonces).
    let mut again = fields("Zebediah", "2011-07-13");
    let key2 = cipher.seal_row(row, &mut again).unwrap().unwrap();
    assert_ne!(values(&again), sealed);
    assert_ne!(key2.wrapped, key.wrapped);

    let open = |c: &dyn PiiCipher,
                row: Uuid,
                key: Option<&elson_store::WrappedKey>,
                v: &[Option<String>]| {
        let mut f = fields("", "");
        for (f, v) in f.iter_mut().zip(v) {
            f.value = v.clone();
        }
        c.open_row(row, key, &mut f).map(|()| values(&f))
    };
    assert_eq!(
        open(&cipher, row, Some(&key), &sealed).unwrap(),
        vec![Some("Zebediah".into()), None, Some("2011-07-13".into())]
    );

    // Moved: the whole row (data key and ciphertexts) to another row id.
    let other = Uuid::new_v4();
    assert!(matches!(
        open(&cipher, other, Some(&key), &sealed).unwrap_err(),
        CryptoError::UnwrapFailed { .. }
    ));
    // Moved: one column from another row that has its own data key.
    let mut f_other = fields("Other", "2000-01-01");
    let key_other = cipher.seal_row(other, &mut f_other).unwrap().unwrap();
    let mut mixed = values(&f_other);
    mixed[0] = sealed[0].clone();
    assert_eq!(
        open(&cipher, other, Some(&key_other), &mixed).unwrap_err(),
        CryptoError::DecryptFailed { row: other.to_string(), column: "first_name" }
    );
    // Swapped between two columns of one row.
    let mut swapped = sealed.clone();
    swapped.swap(0, 2);
    assert!(matches!(
        open(&cipher, row, Some(&key), &swapped).unwrap_err(),
        CryptoError::DecryptFailed { column: "first_name", .. }
    ));
    // Tampered: one ciphertext character changed.
    let mut tampered = sealed.clone();
    let mut s = tampered[2].clone().unwrap().into_bytes();
    let i = s.len() - 5;
    s[i] = if s[i] == b'A' { b'B' } else { b'A' };
    tampered[2] = Some(String::from_utf8(s).unwrap());
    assert_eq!(
        open(&cipher, row, Some(&key), &tampered).unwrap_err(),
        CryptoError::DecryptFailed { row: row.to_string(), column: "date_of_birth" }
    );
    // Another data key of the same row (a stale key column): the key
    // unwraps, the columns do not decrypt under it.
    let mut stale = key.clone();
    stale.wrapped = key2.wrapped.clone();
    assert!(matches!(
        open(&cipher, row, Some(&stale), &sealed).unwrap_err(),
        CryptoError::DecryptFailed { column: "first_name", .. }
    ));
    // Tampered wrapped key.
    let mut bad_key = key.clone();
    let mut w = bad_key.wrapped.clone().into_bytes();
    w[3] = if w[3] == b'A' { b'B' } else { b'A' };
    bad_key.wrapped = String::from_utf8(w).unwrap();
    assert!(matches!(
        open(&cipher, row, Some(&bad_key), &sealed).unwrap_err(),
        CryptoError::UnwrapFailed { .. }
    ));
    // Wrong key: same id, other key material.
    let wrong = EnvelopeCipher::new(Arc::new(provider("k1", 9)));
    assert_eq!(
        open(&wrong, row, Some(&key), &sealed).unwrap_err(),
        CryptoError::UnwrapFailed { row: row.to_string(), key_id: "k1".into() }
    );
    // Unknown key id.
    let elsewhere = EnvelopeCipher::new(Arc::new(provider("k7", 1)));
    assert_eq!(
        open(&elsewhere, row, Some(&key), &sealed).unwrap_err(),
        CryptoError::UnknownKey { key_id: "k1".into() }
    );
    // Malformed stored values.
    let malformed = |v: &str| {
        let mut m = sealed.clone();
        m[0] = Some(v.to_string());
        open(&cipher, row, Some(&key), &m).unwrap_err()
    };
    assert!(matches!(malformed("Zebediah"), CryptoError::Malformed { column: "first_name", .. }));
    assert!(matches!(malformed("v1:***"), CryptoError::Malformed { column: "first_name", .. }));
    assert!(matches!(malformed("v1:AAAA"), CryptoError::DecryptFailed { .. }), "too short");
    assert!(matches!(malformed("v1:"), CryptoError::DecryptFailed { .. }));
    let mut not_b64 = key.clone();
    not_b64.wrapped = "%%%".into();
    assert!(matches!(
        open(&cipher, row, Some(&not_b64), &sealed).unwrap_err(),
        CryptoError::Malformed { column: "pii_data_key", .. }
    ));
    // A plain-text cipher refuses an encrypted row instead of returning
    // ciphertext as a name.
    assert_eq!(open(&Plaintext, row, Some(&key), &sealed).unwrap_err().code(), "NO_KEY_PROVIDER");
    // Legacy plain-text rows: read as is by default, refused on request.
    let plain = vec![Some("Ada".to_string()), None, Some("2012-02-29".to_string())];
    assert_eq!(open(&cipher, row, None, &plain).unwrap(), plain);
    let strict = cipher.clone().refuse_plaintext_rows();
    assert!(matches!(
        open(&strict, row, None, &plain).unwrap_err(),
        CryptoError::Malformed { column: "pii_data_key", .. }
    ));
    assert_eq!(open(&strict, row, Some(&key), &sealed).unwrap()[0].as_deref(), Some("Zebediah"));
}

#[test]
fn rewrap_moves_the_data_key_and_leaves_ciphertexts_alone() {
    let p1 = provider("k1", 1);
    let c1 = EnvelopeCipher::new(Arc::new(p1.clone()));
    let row = Uuid::new_v4();
    let mut f = fields("Quimby", "1999-12-31");
    let key = c1.seal_row(row, &mut f).unwrap().unwrap();
    let both = p1.with_key("k2", [2; 32]).unwrap().with_current("k2").unwrap();
    let c12 = EnvelopeCipher::new(Arc::new(both.clone()));
    assert_eq!(c12.current_key_id().unwrap().as_deref(), Some("k2"));
    let new = c12.rewrap(row, &key).unwrap();
    assert_eq!(new.key_id, "k2");
    assert_ne!(new.wrapped, key.wrapped);
    // The same ciphertexts open under the re-wrapped key, with k1 gone.
    let only_k2 = EnvelopeCipher::new(Arc::new(both.without_key("k1").unwrap()));
    let mut g = f.clone();
    only_k2.open_row(row, Some(&new), &mut g).unwrap();
    assert_eq!(g[0].value.as_deref(), Some("Quimby"));
    let mut h = f.clone();
    assert_eq!(
        only_k2.open_row(row, Some(&key), &mut h).unwrap_err(),
        CryptoError::UnknownKey { key_id: "k1".into() }
    );
    // Re-wrapping for another row id fails: the row id is bound in.
    assert!(matches!(
        c12.rewrap(Uuid::new_v4(), &key).unwrap_err(),
        CryptoError::UnwrapFailed { .. }
    ));
    assert_eq!(Plaintext.rewrap(row, &key).unwrap_err().code(), "NO_KEY_PROVIDER");
    // PiiField's Debug does not print values.
    assert!(!format!("{f:?}").contains("v1:"));
}
